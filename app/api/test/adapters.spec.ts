/** The Azure Functions adapter and the built package (app/api/dist, built by `npm test` first). */
import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HttpRequest } from "@azure/functions";
import { registerFunctions, type FunctionRegistrar } from "../src/functions";
import { API_FUNCTIONS, API_PACKAGE_DIR } from "../src/settings";
import { startFakeEnvironment, type FakeEnvironment } from "../fakes/environment";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const dist = path.join(repoRoot, API_PACKAGE_DIR);

describe("API Azure Functions adapter", () => {
    let env: FakeEnvironment;
    const registered: Parameters<FunctionRegistrar["http"]>[] = [];
    before(async () => {
        env = await startFakeEnvironment();
        env.hub.devices.set("fx-1", { connected: true, desired: {}, reported: {}, version: 1 });
        registerFunctions(env.services.api, { http: (name, options) => registered.push([name, options]) });
    });
    after(() => env.close());

    it("registers one anonymous HTTP function per route", () => {
        assert.deepEqual(
            registered.map(([name, o]) => [name, o.methods, o.route, o.authLevel]),
            API_FUNCTIONS.map((f) => [f.name, [f.method], f.route, "anonymous"]),
        );
    });

    it("turns an HttpRequest into the core's request and back", async () => {
        const invoke = registered.find(([n]) => n === "device-method-invoke")![1].handler;
        const token = await env.tenant.userToken({ scopes: ["Devices.Manage"] });
        const ok = await invoke(
            new HttpRequest({ method: "POST", url: "https://app.azurewebsites.net/devices/fx-1/methods/ping", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: { string: '{"payload":{"n":1}}' } }),
        );
        assert.equal(ok.status, 200);
        assert.deepEqual(JSON.parse(String(ok.body)), { status: 200, payload: { method: "ping", echo: { n: 1 } } });
        const big = await invoke(
            new HttpRequest({ method: "POST", url: "https://app.azurewebsites.net/devices/fx-1/methods/ping", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: { string: JSON.stringify({ payload: "x".repeat(300_000) }) } }),
        );
        assert.equal(big.status, 413);
        assert.equal((big.headers as Record<string, string>)["content-type"], "application/problem+json");
    });
});

describe("API deployment package", () => {
    it("holds host.json, package.json and the bundle", () => {
        const host = JSON.parse(fs.readFileSync(path.join(dist, "host.json"), "utf8"));
        assert.equal(host.version, "2.0");
        assert.equal(host.extensions.http.routePrefix, "");
        assert.equal(host.extensionBundle.id, "Microsoft.Azure.Functions.ExtensionBundle");
        const pkg = JSON.parse(fs.readFileSync(path.join(dist, "package.json"), "utf8"));
        assert.equal(pkg.main, "main.js");
        assert.ok(fs.statSync(path.join(dist, "main.js")).size > 100_000);
    });

    it("is deterministic: a second build is byte-identical", async () => {
        const { buildApiPackage } = require(path.join(repoRoot, "app", "api", "build.js"));
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "api-dist-"));
        try {
            await buildApiPackage(out);
            for (const f of fs.readdirSync(dist)) assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(dist, f))), f);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });

    it("validates its settings at start-up and registers the four functions", () => {
        const main = path.join(dist, "main.js");
        const bad = spawnSync(process.execPath, [main], { env: { PATH: process.env.PATH }, encoding: "utf8" });
        assert.notEqual(bad.status, 0);
        for (const name of ["API_TENANT_ID", "API_CLIENT_ID", "API_MOBILE_CLIENT_ID", "IOTHUB_HOST_NAME", "COSMOS_ENDPOINT", "COSMOS_DATABASE", "COSMOS_CONTAINER", "AZURE_CLIENT_ID"]) {
            assert.match(bad.stderr, new RegExp(`- ${name} is not set`));
        }
        const good = spawnSync(process.execPath, [main], {
            encoding: "utf8",
            env: {
                PATH: process.env.PATH,
                API_TENANT_ID: "6e2b1c1a-0f7e-4d7b-9d3a-1b2c3d4e5f60",
                API_CLIENT_ID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                API_MOBILE_CLIENT_ID: "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e",
                IOTHUB_HOST_NAME: "hub.azure-devices.net",
                COSMOS_ENDPOINT: "https://acct.documents.azure.com:443/",
                COSMOS_DATABASE: "iot",
                COSMOS_CONTAINER: "telemetry",
                AZURE_CLIENT_ID: "2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f",
            },
        });
        assert.equal(good.status, 0, good.stderr);
        // Outside the Functions host the library runs in test mode and names each registration it skips.
        for (const f of API_FUNCTIONS) assert.match(good.stdout + good.stderr, new RegExp(`register function "${f.name}"`));
    });
});
