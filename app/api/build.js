// Builds the API's deployable Functions package into app/api/dist (API_PACKAGE_DIR in
// src/settings.ts): host.json, a package.json whose `main` is the bundle, and the bundle itself
// (every npm dependency inside, so the package needs no node_modules), with its source map.
//
// Deterministic: the same sources and lockfile give byte-identical files (esbuild's output is;
// the JSON files are written from fixed objects; source-map paths are relative to the repository;
// every file gets one fixed modification time), so a Pulumi asset of the folder only changes when
// the code does.
//
//   node app/api/build.js [outDir]      (npm run build:api)
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const here = __dirname;
const repoRoot = path.resolve(here, "..", "..");
const defaultOutDir = path.join(here, "dist");
const FIXED_MTIME = new Date(Date.UTC(2000, 0, 1));

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

function writeFixed(file, text) {
    fs.writeFileSync(file, text);
    fs.utimesSync(file, FIXED_MTIME, FIXED_MTIME);
}

async function buildApiPackage(outDir = defaultOutDir) {
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    await esbuild.build({
        entryPoints: [path.join(here, "src", "main.ts")],
        outfile: path.join(outDir, "main.js"),
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        // Supplied by the Functions Node.js worker at run time, not an npm package.
        external: ["@azure/functions-core"],
        // Identifiers and syntax minified, whitespace kept: a stack trace line stays readable without the map.
        minifyIdentifiers: true,
        minifySyntax: true,
        keepNames: true,
        sourcemap: "linked",
        sourcesContent: false,
        legalComments: "linked",
        logLevel: "warning",
    });
    const mapFile = path.join(outDir, "main.js.map");
    const map = JSON.parse(fs.readFileSync(mapFile, "utf8"));
    map.sources = map.sources.map((s) => (/^[a-z][a-z0-9+.-]*:/i.test(s) ? s : path.relative(repoRoot, path.resolve(outDir, s)).split(path.sep).join("/")));
    // Relative to the repository root, from app/api/dist: the same map wherever the package is built.
    map.sourceRoot = "../../../";
    writeFixed(mapFile, JSON.stringify(map));
    writeFixed(path.join(outDir, "host.json"), `${JSON.stringify(HOST_JSON, null, 2)}\n`);
    writeFixed(path.join(outDir, "package.json"), `${JSON.stringify(PACKAGE_JSON, null, 2)}\n`);
    for (const file of fs.readdirSync(outDir)) fs.utimesSync(path.join(outDir, file), FIXED_MTIME, FIXED_MTIME);
    return { outDir, files: fs.readdirSync(outDir).sort() };
}

module.exports = { buildApiPackage, HOST_JSON, PACKAGE_JSON };

if (require.main === module) {
    const outDir = process.argv[2] ? path.resolve(process.argv[2]) : defaultOutDir;
    buildApiPackage(outDir).then(
        ({ files }) => {
            const sizes = files.map((f) => `${f} ${(fs.statSync(path.join(outDir, f)).size / 1024).toFixed(0)} KiB`);
            console.log(`API package: ${path.relative(process.cwd(), outDir) || "."} (${sizes.join(", ")})`);
        },
        (err) => {
            console.error(err);
            process.exit(1);
        },
    );
}
