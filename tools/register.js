// Loads the project's TypeScript in Node without a loader hook on every module: only `.ts` files
// go through esbuild's transform (type stripping, no type check: `npm run typecheck` does that),
// JavaScript dependencies load at native speed. Use: node --require ./tools/register.js file.ts
//
// Stack traces of our .ts files are mapped back to their TypeScript lines (the Pulumi SDK reads
// them to record where each resource is declared; the policy check points SARIF findings there).
// Node's own --enable-source-maps would also map every frame of the SDK's JavaScript through its
// shipped .js.map files, which costs about half a second per run; this maps our files only.
"use strict";
const fs = require("node:fs");
const esbuild = require("esbuild");

/** file -> array indexed by generated line (0-based) of sorted [generatedColumn, originalLine, originalColumn]. */
const maps = new Map();

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

/** Decodes a source map's `mappings` (single source) into per-line segment lists. */
function decodeMappings(mappings) {
    const lines = [];
    let origLine = 0;
    let origCol = 0;
    for (const lineText of mappings.split(";")) {
        const segments = [];
        let genCol = 0;
        for (const seg of lineText.split(",")) {
            if (seg === "") continue;
            const values = [];
            let value = 0;
            let shift = 0;
            for (const ch of seg) {
                const digit = B64_VALUE.get(ch);
                value += (digit & 31) << shift;
                if (digit & 32) {
                    shift += 5;
                } else {
                    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
                    value = 0;
                    shift = 0;
                }
            }
            genCol += values[0];
            if (values.length >= 4) {
                origLine += values[2];
                origCol += values[3];
                segments.push([genCol, origLine, origCol]);
            }
        }
        lines.push(segments);
    }
    return lines;
}

function originalPosition(file, line, column) {
    const lines = maps.get(file);
    const segments = lines && lines[line - 1];
    if (!segments || segments.length === 0) return undefined;
    let best = segments[0];
    for (const s of segments) {
        if (s[0] <= column - 1) best = s;
        else break;
    }
    return { line: best[1] + 1, column: best[2] + 1 };
}

// Node 22 ships a default Error.prepareStackTrace; this one formats frames the same way
// ("    at <callsite>") with our files' positions mapped.
Error.prepareStackTrace = function prepareStackTrace(error, callsites) {
    let header;
    try {
        header = Error.prototype.toString.call(error);
    } catch {
        header = "Error";
    }
    const frames = callsites.map((site) => {
        let text = String(site);
        const file = site.getFileName();
        if (file && maps.has(file)) {
            const pos = originalPosition(file, site.getLineNumber(), site.getColumnNumber());
            if (pos) text = text.replace(`${file}:${site.getLineNumber()}:${site.getColumnNumber()}`, `${file}:${pos.line}:${pos.column}`);
        }
        return `    at ${text}`;
    });
    return [header, ...frames].join("\n");
};

require.extensions[".ts"] = function compileTs(module, filename) {
    const source = fs.readFileSync(filename, "utf8");
    const { code, map } = esbuild.transformSync(source, {
        loader: "ts",
        format: "cjs",
        target: "node22",
        sourcemap: "external",
        sourcefile: filename,
        tsconfigRaw: { compilerOptions: { esModuleInterop: true, useDefineForClassFields: true } },
    });
    maps.set(filename, decodeMappings(JSON.parse(map).mappings));
    module._compile(code, filename);
};
