// Builds the API's deployable Functions package into app/api/dist (API_PACKAGE_DIR in
// src/settings.ts): host.json, a package.json whose `main` is the bundle, and the bundle itself
// (every npm dependency inside, so the package needs no node_modules), with its source map.
//
// Deterministic (tools/function-package.js builds both function packages the same way).
//
//   node app/api/build.js [outDir]      (npm run build:api)
"use strict";
const path = require("node:path");
const { buildFunctionPackage, runBuild } = require("../../tools/function-package");

const here = __dirname;
const defaultOutDir = path.join(here, "dist");

/**
 * host.json (MicrosoftDocs/azure-docs, articles/azure-functions/functions-host-json.md and
 * functions-bindings-http-webhook.md "host.json settings"): the extension bundle range Flex
 * Consumption requires for non-.NET apps ([4.0.0, 5.0.0) or later, flex-consumption-plan.md),
 * and an empty HTTP route prefix so the routes are /devices/..., as on the local server.
 */
const HOST_JSON = {
    version: "2.0",
    extensionBundle: { id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" },
    extensions: { http: { routePrefix: "" } },
    logging: { logLevel: { default: "Information" } },
};

const PACKAGE_JSON = {
    name: "secure-iot-api-function",
    version: "1.0.0",
    private: true,
    description: "The platform's HTTP API (bundled; built by app/api/build.js)",
    main: "main.js",
};

function buildApiPackage(outDir = defaultOutDir) {
    return buildFunctionPackage({
        entry: path.join(here, "src", "main.ts"),
        outDir,
        hostJson: HOST_JSON,
        packageJson: PACKAGE_JSON,
        // Identifiers and syntax minified, whitespace kept: a stack trace line stays readable without the map.
        esbuildOptions: { minify: false, minifyIdentifiers: true, minifySyntax: true },
    });
}

module.exports = { buildApiPackage, HOST_JSON, PACKAGE_JSON };

if (require.main === module) runBuild("API package", buildApiPackage, defaultOutDir);
