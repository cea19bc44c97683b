// Entry point the Pulumi engine loads for this policy pack (package.json "main").
//
// The engine's launcher (@pulumi/pulumi/cmd/run-policy-pack) registers ts-node with type checking
// and then requires the pack; loading the TypeScript sources that way takes ~5 s on every preview.
// The pack is therefore compiled to bin/ (`npm run build` here, or `npm run build:policies` at the
// root), and this file loads bin/index.js. If bin/ is missing or older than any TypeScript source,
// it falls back to the sources through ts-node (slow, type-checked, never stale) and says so.
"use strict";
const fs = require("fs");
const path = require("path");

const compiled = path.join(__dirname, "bin", "index.js");

function newestSourceMtime() {
    let newest = 0;
    const visit = (p) => {
        let st;
        try {
            st = fs.statSync(p);
        } catch {
            return;
        }
        if (st.isDirectory()) {
            for (const e of fs.readdirSync(p)) visit(path.join(p, e));
        } else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) {
            newest = Math.max(newest, st.mtimeMs);
        }
    };
    for (const p of ["index.ts", "policies.ts", "lib", "rules"]) visit(path.join(__dirname, p));
    return newest;
}

function compiledIsCurrent() {
    try {
        return fs.statSync(compiled).mtimeMs >= newestSourceMtime();
    } catch {
        return false;
    }
}

// POLICY_PACK_FROM_SOURCE=1 forces the TypeScript path (to measure or debug it).
if (!process.env.POLICY_PACK_FROM_SOURCE && compiledIsCurrent()) {
    require(compiled);
} else {
    if (!process.env.POLICY_PACK_FROM_SOURCE) {
        process.stderr.write(
            "secure-iot-platform policy pack: bin/ is missing or older than the TypeScript sources; " +
                "loading index.ts through ts-node (slow). Run `npm run build` in policies/ for a fast start.\n",
        );
    }
    if (!require.extensions[".ts"]) {
        require("ts-node").register({ project: path.join(__dirname, "tsconfig.build.json"), transpileOnly: false });
    }
    require("./index.ts");
}
