// Builds a deployable Azure Functions package (the ingest function's, the API's): host.json, a
// package.json whose `main` is the bundle, and the bundle itself (every npm dependency inside, so
// the package needs no node_modules), with a linked source map and the licences esbuild collects.
//
// Deterministic: the same sources and lockfile give byte-identical files (esbuild's output is; the
// JSON files are written from fixed objects; source-map paths are relative to the repository; every
// file gets one fixed modification time), because the program deploys the folder by its hash and a
// plan must show no change when nothing changed.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const repoRoot = path.resolve(__dirname, "..");
/** A fixed modification time for every file of the package (2000-01-01T00:00:00Z). */
const FIXED_MTIME = new Date(Date.UTC(2000, 0, 1));

function writeFixed(file, text) {
    fs.writeFileSync(file, text);
    fs.utimesSync(file, FIXED_MTIME, FIXED_MTIME);
}

/**
 * Builds `entry` into `outDir` (replacing what was there) with the given host.json and
 * package.json (whose `main` must be main.js). `esbuildOptions` adds to the shared settings.
 */
async function buildFunctionPackage({ entry, outDir, hostJson, packageJson, esbuildOptions = {} }) {
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const result = await esbuild.build({
        entryPoints: [entry],
        outfile: path.join(outDir, packageJson.main),
        bundle: true,
        platform: "node",
        // Flex Consumption's newest GA Node.js is 22; @azure/cosmos and @azure/identity need >= 22.
        target: "node22",
        format: "cjs",
        // Provided by the Functions Node.js worker at run time, not an npm package
        // (Azure/azure-functions-nodejs-library#201).
        external: ["@azure/functions-core"],
        minify: true,
        keepNames: true,
        sourcemap: "linked",
        sourcesContent: false,
        legalComments: "linked",
        logLevel: "warning",
        metafile: true,
        ...esbuildOptions,
    });
    // Source paths relative to the repository root (with a sourceRoot that leads there from the
    // package folder), so the map does not depend on where the package was built.
    const mapFile = path.join(outDir, `${packageJson.main}.map`);
    const map = JSON.parse(fs.readFileSync(mapFile, "utf8"));
    map.sources = map.sources.map((s) => (/^[a-z][a-z0-9+.-]*:/i.test(s) ? s : path.relative(repoRoot, path.resolve(outDir, s)).split(path.sep).join("/")));
    map.sourceRoot = "../../../";
    writeFixed(mapFile, JSON.stringify(map));
    writeFixed(path.join(outDir, "host.json"), `${JSON.stringify(hostJson, null, 2)}\n`);
    writeFixed(path.join(outDir, "package.json"), `${JSON.stringify(packageJson, null, 2)}\n`);
    for (const file of fs.readdirSync(outDir)) fs.utimesSync(path.join(outDir, file), FIXED_MTIME, FIXED_MTIME);
    return { outDir, files: fs.readdirSync(outDir).sort(), metafile: result.metafile };
}

/** The command-line entry of an app's build.js: builds into argv[2] or the default folder and prints the sizes. */
function runBuild(label, build, defaultOutDir) {
    const outDir = process.argv[2] ? path.resolve(process.argv[2]) : defaultOutDir;
    build(outDir).then(
        ({ files }) => {
            const sizes = files.map((f) => `${f} ${(fs.statSync(path.join(outDir, f)).size / 1024).toFixed(0)} KiB`);
            console.log(`${label}: ${path.relative(process.cwd(), outDir) || "."} (${sizes.join(", ")})`);
        },
        (err) => {
            console.error(err);
            process.exit(1);
        },
    );
}

module.exports = { buildFunctionPackage, runBuild };
