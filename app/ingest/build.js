// Builds the deployable Functions package of the telemetry ingest function into app/ingest/dist
// (INGEST_PACKAGE_DIR in src/settings.ts): host.json, a package.json whose `main` is the bundle,
// and the bundle itself (all npm dependencies inside, so the package needs no node_modules).
//
// Deterministic (tools/function-package.js builds both function packages the same way).
//
//   node app/ingest/build.js [outDir]      (npm run build:ingest)
"use strict";
const path = require("node:path");
const { buildFunctionPackage, runBuild } = require("../../tools/function-package");

const here = __dirname;
const defaultOutDir = path.join(here, "dist");

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

/** Builds the package into outDir (replacing what was there). */
function buildIngestPackage(outDir = defaultOutDir) {
    return buildFunctionPackage({ entry: path.join(here, "src", "main.ts"), outDir, hostJson: HOST_JSON, packageJson: PACKAGE_JSON });
}

module.exports = { buildIngestPackage, HOST_JSON, PACKAGE_JSON };

if (require.main === module) runBuild("telemetry ingest package", buildIngestPackage, defaultOutDir);
