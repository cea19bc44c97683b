// `npm test`: builds the function packages first (the ingest function's and the API's: the program
// deploys them and the tests read them), then the type-check and the test suite, side by side on
// the machine's cores. Prints the test runner's report as it goes, then the type-check's findings;
// fails if any fails.
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const node = process.execPath;
const tsc = require.resolve("typescript/bin/tsc");

for (const [app, script] of [["ingest", "build:ingest"], ["api", "build:api"]]) {
    const build = spawnSync(node, [path.join(root, "app", app, "build.js")], { cwd: root, stdio: "inherit" });
    if (build.status !== 0) {
        process.stderr.write(`\nBuild of the ${app} function package failed (npm run ${script})\n`);
        process.exit(build.status || 1);
    }
}

const typecheck = new Promise((resolve) => {
    const child = spawn(node, [tsc, "--noEmit", "-p", "tsconfig.json"], { cwd: root });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
});

const tests = new Promise((resolve) => {
    const child = spawn(
        node,
        ["--require", "./tools/register.js", "--test", "--test-concurrency=2", "--test-reporter=spec", "test/**/*.test.ts", "policies/test/**/*.test.ts", "app/*/test/**/*.test.ts", "packages/*/test/**/*.test.ts", ...process.argv.slice(2)],
        { cwd: root, stdio: "inherit" },
    );
    child.on("close", (code) => resolve(code));
});

Promise.all([typecheck, tests]).then(([tc, testCode]) => {
    if (tc.code !== 0) {
        process.stderr.write(`\nType-check failed (tsc --noEmit -p tsconfig.json):\n${tc.output}\n`);
    }
    process.exit(tc.code !== 0 ? tc.code || 1 : testCode ?? 1);
});
