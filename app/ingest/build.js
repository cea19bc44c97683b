// Builds the deployable Functions package of the telemetry ingest function into app/ingest/dist
// (INGEST_PACKAGE_DIR in src/settings.ts): host.json, a package.json whose `main` is the bundle,
// and the bundle itself (all npm dependencies inside, so the package needs no node_modules).
//
// The output is deterministic: the same sources and lockfile give byte-identical files (esbuild's
// output is; the JSON files are written from fixed objects; paths in the source map are relative;
// every file gets the same fixed modification time), because Pulumi uploads the folder as an asset
// and a plan must show no change when nothing changed.
//
//   node app/ingest/build.js [outDir]      (npm run build:ingest)
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const here = __dirname;
const repoRoot = path.resolve(here, "..", "..");
const defaultOutDir = path.join(here, "dist");
/** A fixed modification time for every file of the package (2000-01-01T00:00:00Z). */
const FIXED_MTIME = new Date(Date.UTC(2000, 0, 1));

/**
 * host.json. Flex Consumption requires extension bundle [4.0.0, 5.0.0) or later for non-C# apps
 * (MicrosoftDocs/azure-docs, articles/azure-functions/flex-consumption-plan.md, "Considerations");
 * the Event Hubs settings are those of extension v5 (functions-bindings-event-hubs.md, "host.json
 * settings"): at most 100 events an invocation, the extension's default, which with 16 writes in
 * flight keeps a batch within a few round trips; a checkpoint after every batch.
 */
const HOST_JSON = {
    version: "2.0",
    extensionBundle: {
        id: "Microsoft.Azure.Functions.ExtensionBundle",
        version: "[4.*, 5.0.0)",
    },
    extensions: {
        eventHubs: {
            maxEventBatchSize: 100,
            batchCheckpointFrequency: 1,
            prefetchCount: 300,
        },
    },
    logging: {
        logLevel: {
            default: "Information",
        },
    },
};

const PACKAGE_JSON = {
    name: "telemetry-ingest-function",
    version: "1.0.0",
    private: true,
    description: "Telemetry ingest function (bundled; built by app/ingest/build.js)",
    main: "main.js",
};

function writeFixed(file, text) {
    fs.writeFileSync(file, text);
    fs.utimesSync(file, FIXED_MTIME, FIXED_MTIME);
}

/** Builds the package into outDir (replacing what was there). */
async function buildIngestPackage(outDir = defaultOutDir) {
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const result = await esbuild.build({
        entryPoints: [path.join(here, "src", "main.ts")],
        outfile: path.join(outDir, "main.js"),
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
    });
    // Source paths relative to the repository root (with a sourceRoot that leads there from
    // app/ingest/dist), so the map does not depend on where the package was built.
    const mapFile = path.join(outDir, "main.js.map");
    const map = JSON.parse(fs.readFileSync(mapFile, "utf8"));
    map.sources = map.sources.map((s) =>
        /^[a-z][a-z0-9+.-]*:/i.test(s) ? s : path.relative(repoRoot, path.resolve(outDir, s)).split(path.sep).join("/"),
    );
    map.sourceRoot = "../../../";
    writeFixed(mapFile, JSON.stringify(map));
    writeFixed(path.join(outDir, "host.json"), `${JSON.stringify(HOST_JSON, null, 2)}\n`);
    writeFixed(path.join(outDir, "package.json"), `${JSON.stringify(PACKAGE_JSON, null, 2)}\n`);
    for (const file of fs.readdirSync(outDir)) fs.utimesSync(path.join(outDir, file), FIXED_MTIME, FIXED_MTIME);
    return { outDir, files: fs.readdirSync(outDir).sort(), metafile: result.metafile };
}

module.exports = { buildIngestPackage, HOST_JSON, PACKAGE_JSON };

if (require.main === module) {
    const outDir = process.argv[2] ? path.resolve(process.argv[2]) : defaultOutDir;
    buildIngestPackage(outDir).then(
        ({ files }) => {
            const sizes = files.map((f) => `${f} ${(fs.statSync(path.join(outDir, f)).size / 1024).toFixed(0)} KiB`);
            console.log(`telemetry ingest package: ${path.relative(process.cwd(), outDir) || "."} (${sizes.join(", ")})`);
        },
        (err) => {
            console.error(err);
            process.exit(1);
        },
    );
}
