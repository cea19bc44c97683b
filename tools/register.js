// Loads the project's TypeScript in Node without a loader hook on every module: only `.ts` files
// go through esbuild's transform (type stripping, no type check: `npm run typecheck` does that),
// JavaScript dependencies load at native speed. Use: node --require ./tools/register.js file.ts
"use strict";
const fs = require("node:fs");
const esbuild = require("esbuild");

process.setSourceMapsEnabled(true);

require.extensions[".ts"] = function compileTs(module, filename) {
    const source = fs.readFileSync(filename, "utf8");
    const { code } = esbuild.transformSync(source, {
        loader: "ts",
        format: "cjs",
        target: "node22",
        sourcemap: "inline",
        sourcefile: filename,
        tsconfigRaw: { compilerOptions: { esModuleInterop: true, useDefineForClassFields: true } },
    });
    module._compile(code, filename);
};
