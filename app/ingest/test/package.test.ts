/**
 * The deployable package (app/ingest/dist, built by `npm run build:ingest` before the tests run):
 * rebuilt here into a temporary folder it must come out byte for byte the same (so Pulumi's asset
 * hash, and the plan, only change when the code does), and loaded as the Functions Node.js worker
 * loads it, it must register the function with the trigger, binding data type and retry policy the
 * host needs. (A process of its own: the rebuild takes most of its time.)
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import Module from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { INGEST_FUNCTION_NAME, INGEST_PACKAGE_DIR } from "../src/settings";

const root = path.resolve(__dirname, "..", "..", "..");
const dist = path.join(root, INGEST_PACKAGE_DIR);
const { buildIngestPackage } = require("../build.js") as { buildIngestPackage(outDir: string): Promise<{ files: string[] }> };

describe("ingest package: app/ingest/dist", () => {
    it("is a Functions package (host.json with the extension bundle Flex Consumption needs, package.json main, bundle) and rebuilds byte for byte", async () => {
        const files = fs.readdirSync(dist).sort();
        assert.deepEqual(files, ["host.json", "main.js", "main.js.LEGAL.txt", "main.js.map", "package.json"]);
        const host = JSON.parse(fs.readFileSync(path.join(dist, "host.json"), "utf8"));
        assert.equal(host.version, "2.0");
        assert.deepEqual(host.extensionBundle, { id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" });
        assert.equal(host.extensions.eventHubs.maxEventBatchSize, 100);
        const pkg = JSON.parse(fs.readFileSync(path.join(dist, "package.json"), "utf8"));
        assert.equal(pkg.main, "main.js");
        assert.deepEqual(Object.keys(pkg).filter((k) => /dependencies/i.test(k)), [], "everything is in the bundle");

        const again = fs.mkdtempSync(path.join(os.tmpdir(), "ingest-dist-"));
        try {
            const { files: rebuilt } = await buildIngestPackage(path.join(again, "nested", "dist"));
            assert.deepEqual(rebuilt, files);
            for (const f of files) {
                assert.ok(fs.readFileSync(path.join(dist, f)).equals(fs.readFileSync(path.join(again, "nested", "dist", f))), `${f} differs between two builds`);
                assert.equal(fs.statSync(path.join(dist, f)).mtime.toISOString(), "2000-01-01T00:00:00.000Z");
            }
        } finally {
            fs.rmSync(again, { recursive: true, force: true });
        }
    });

    it("bundles every npm dependency and leaves out only what the Functions host provides", () => {
        const bundle = fs.readFileSync(path.join(dist, "main.js"), "utf8");
        const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
        const builtins = new Set(Module.builtinModules.flatMap((m) => [m, `node:${m}`]));
        // supports-color: an optional require inside try/catch (the debug package), absent at run time too.
        const outside = [...required].filter((r) => !builtins.has(r) && r !== "supports-color");
        assert.deepEqual(outside, ["@azure/functions-core"]);
    });

    it("registers the Event Hubs function (cardinality many, binary bodies, identity connection, app-setting names, retry policy) when the worker loads it", () => {
        const registered: { metadata: any; callback: unknown }[] = [];
        const fakeCore = {
            setProgrammingModel: () => undefined,
            getProgrammingModel: () => undefined,
            registerHook: () => ({ dispose: () => undefined }),
            registerFunction: (metadata: unknown, callback: unknown) => {
                registered.push({ metadata, callback });
                return { dispose: () => undefined };
            },
        };
        const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
        const original = loader._load;
        loader._load = function (request, parent, isMain) {
            return request === "@azure/functions-core" ? fakeCore : original.call(this, request, parent, isMain);
        };
        try {
            require(path.join(dist, "main.js"));
        } finally {
            loader._load = original;
        }
        assert.equal(registered.length, 1);
        const { metadata, callback } = registered[0];
        assert.equal(metadata.name, INGEST_FUNCTION_NAME);
        assert.equal(typeof callback, "function");
        const bindings = Object.values(metadata.bindings) as any[];
        assert.equal(bindings.length, 1);
        const { name: _name, properties: _properties, ...trigger } = bindings[0];
        assert.deepEqual(trigger, {
            type: "eventHubTrigger",
            direction: "in",
            connection: "TelemetryEventHub",
            eventHubName: "%TELEMETRY_EVENTHUB_NAME%",
            consumerGroup: "%TELEMETRY_EVENTHUB_CONSUMER_GROUP%",
            cardinality: "many",
            dataType: "binary",
        });
        assert.equal(metadata.retryOptions.retryStrategy, "exponentialBackoff");
        assert.equal(metadata.retryOptions.maxRetryCount, -1);
        assert.deepEqual(metadata.retryOptions.minimumInterval, { seconds: 5 });
        assert.deepEqual(metadata.retryOptions.maximumInterval, { seconds: 300 });
    });
});
