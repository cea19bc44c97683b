/**
 * The routes end to end against loopback fakes of IoT Hub and Cosmos DB that assert each request
 * as the data-plane contracts define it (fakes/fakeHub.ts, fakes/fakeCosmos.ts), with tokens really
 * signed by the fake managed identity and verified by the fakes.
 */
import { after, afterEach, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import type { RequestLog } from "../src/core";
import { IOTHUB_API_VERSION } from "../src/iotHub";
import { startFakeEnvironment, type FakeEnvironment } from "../fakes/environment";
import { sampleTelemetry } from "../fakes/fakeCosmos";
import type { FakeDevice } from "../fakes/fakeHub";
import { assertProblem, bearer, call } from "./support";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("API routes against the IoT Hub and Cosmos DB fakes", () => {
    let env: FakeEnvironment;
    const logs: RequestLog[] = [];
    let reader: string;
    let operator: string;
    let app: string;
    // A fixed clock in the middle of a month, so the month arithmetic below is exact.
    const now = new Date("2026-03-15T12:00:00.000Z");

    before(async () => {
        env = await startFakeEnvironment({ log: (e) => logs.push(e), hubTimeoutDelayMs: 30, now: () => now });
        reader = await env.tenant.userToken({ scopes: ["Telemetry.Read"] });
        operator = await env.tenant.userToken({ scopes: ["Telemetry.Read", "Devices.Manage"] });
        app = await env.tenant.appToken({ roles: ["Devices.Operator"] });
    });
    after(() => env.close());
    afterEach(() => {
        assert.deepEqual(env.hub.violations, [], "IoT Hub contract violations");
        assert.deepEqual(env.cosmos.violations, [], "Cosmos DB contract violations");
    });

    const device = (id: string, extra: Partial<FakeDevice> = {}) =>
        env.hub.devices.set(id, { connected: true, desired: { interval: 60 }, reported: { firmware: "1.2.3" }, version: 1, ...extra });
    const invoke = (id: string, name: string, body: unknown, token = operator) =>
        call(`${env.baseUrl}/devices/${encodeURIComponent(id)}/methods/${encodeURIComponent(name)}`, {
            method: "POST",
            headers: bearer(token, { "content-type": "application/json" }),
            body: JSON.stringify(body),
        });

    describe("POST /devices/{id}/methods/{name}", () => {
        it("invokes the direct method as the spec defines it and returns the device's status and payload", async () => {
            device("pump-1", { onMethod: (name, payload) => ({ status: 201, payload: { ran: name, got: payload } }) });
            const before = env.hub.requests.length;
            const r = await invoke("pump-1", "setSpeed", { payload: { rpm: 1200 }, responseTimeoutInSeconds: 10 });
            assert.equal(r.status, 200, r.text);
            assert.deepEqual(r.json, { status: 201, payload: { ran: "setSpeed", got: { rpm: 1200 } } });
            const sent = env.hub.requests.slice(before);
            assert.equal(sent.length, 1);
            assert.equal(sent[0].method, "POST");
            assert.equal(sent[0].path, "/twins/pump-1/methods");
            assert.equal(sent[0].apiVersion, IOTHUB_API_VERSION);
            assert.deepEqual(sent[0].body, { methodName: "setSpeed", payload: { rpm: 1200 }, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 0 });
            assert.ok(env.identity.scopesRequested.includes("https://iothubs.azure.net/.default"));
        });

        it("defaults the timeouts (30 s, 0 s) and the payload (null), and accepts app-only operators", async () => {
            device("pump-2");
            const before = env.hub.requests.length;
            const r = await invoke("pump-2", "reboot", {}, app);
            assert.equal(r.status, 200, r.text);
            assert.deepEqual(env.hub.requests[before].body, { methodName: "reboot", payload: null, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0 });
        });

        it("encodes device ids with special characters in the hub path", async () => {
            device("line:4=a(b)'c");
            const before = env.hub.requests.length;
            const r = await invoke("line:4=a(b)'c", "ping", {});
            assert.equal(r.status, 200, r.text);
            assert.equal(env.hub.requests[before].path, `/twins/${encodeURIComponent("line:4=a(b)'c")}/methods`);
        });

        it("maps a device that is offline to 404 device-offline (IoT Hub 404103)", async () => {
            device("sleepy", { connected: false });
            const r = await invoke("sleepy", "reboot", { connectTimeoutInSeconds: 5 });
            assertProblem(r, 404, "device-offline");
            assert.equal(r.json.iotHubErrorCode, 404103);
        });

        it("maps an unknown device to 404 device-not-found", async () => {
            assertProblem(await invoke("ghost", "reboot", {}), 404, "device-not-found");
        });

        it("maps a device that does not answer to 504 device-timeout (IoT Hub 504101)", async () => {
            device("stuck", { hang: true });
            const r = await invoke("stuck", "reboot", { responseTimeoutInSeconds: 5 });
            assertProblem(r, 504, "device-timeout");
            assert.equal(r.json.iotHubErrorCode, 504101);
        });

        it("bounds the timeouts and the payload before calling IoT Hub", async () => {
            device("pump-3");
            const before = env.hub.requests.length;
            assertProblem(await invoke("pump-3", "x", { responseTimeoutInSeconds: 4 }), 400, "invalid-parameter");
            assertProblem(await invoke("pump-3", "x", { responseTimeoutInSeconds: 121 }), 400, "invalid-parameter");
            assertProblem(await invoke("pump-3", "x", { connectTimeoutInSeconds: 61 }), 400, "invalid-parameter");
            assertProblem(await invoke("pump-3", "x", { responseTimeoutInSeconds: "30" }), 400, "invalid-parameter");
            assertProblem(await invoke("pump-3", "x", { methodName: "other" }), 400, "invalid-parameter");
            assertProblem(await invoke("pump-3", "x", { payload: "a".repeat(128 * 1024) }), 413, "payload-too-large");
            assertProblem(await invoke("pump-3", "x", { payload: "a".repeat(200 * 1024) }), 413, "body-too-large");
            assert.equal(env.hub.requests.length, before, "nothing reached IoT Hub");
        });

        it("validates device ids and method names against IoT Hub's character sets", async () => {
            const before = env.hub.requests.length;
            assertProblem(await invoke("dev#1", "reboot", {}), 400, "invalid-device-id");
            assertProblem(await invoke("dev+1", "reboot", {}), 400, "invalid-device-id");
            assertProblem(await invoke("d".repeat(129), "reboot", {}), 400, "invalid-device-id");
            assertProblem(await invoke("dev-1", "re boot", {}), 400, "invalid-method-name");
            assertProblem(await invoke("dev-1", "a$b", {}), 400, "invalid-method-name");
            assertProblem(await invoke("dev-1", "m".repeat(129), {}), 400, "invalid-method-name");
            const bad = await call(`${env.baseUrl}/devices/%E0%A4%A/methods/x`, { method: "POST", headers: bearer(operator) });
            assertProblem(bad, 400, "invalid-device-id");
            assert.equal(env.hub.requests.length, before);
        });

        it("needs Devices.Manage (or Devices.Operator)", async () => {
            assertProblem(await invoke("pump-1", "reboot", {}, reader), 403, "insufficient-scope");
            assertProblem(await invoke("pump-1", "reboot", {}, await env.tenant.appToken({ roles: ["Telemetry.Reader"] })), 403, "insufficient-scope");
        });

        it("wants JSON", async () => {
            const r = await call(`${env.baseUrl}/devices/pump-1/methods/reboot`, { method: "POST", headers: bearer(operator, { "content-type": "text/plain" }), body: "{}" });
            assertProblem(r, 415, "unsupported-media-type");
            const r2 = await call(`${env.baseUrl}/devices/pump-1/methods/reboot`, { method: "POST", headers: bearer(operator, { "content-type": "application/json" }), body: "{" });
            assertProblem(r2, 400, "invalid-json");
        });
    });

    describe("GET and PATCH /devices/{id}/twin", () => {
        const twinUrl = (id: string) => `${env.baseUrl}/devices/${encodeURIComponent(id)}/twin`;
        const patch = (id: string, body: unknown, ifMatch?: string) =>
            call(twinUrl(id), {
                method: "PATCH",
                headers: bearer(operator, { "content-type": "application/json", ...(ifMatch ? { "if-match": ifMatch } : {}) }),
                body: JSON.stringify(body),
            });

        it("reads the twin with its ETag", async () => {
            device("thermo-1");
            const before = env.hub.requests.length;
            const r = await call(twinUrl("thermo-1"), { headers: bearer(reader) });
            assert.equal(r.status, 200, r.text);
            assert.equal(r.json.deviceId, "thermo-1");
            assert.equal(r.headers.get("etag"), `"${env.hub.etagOf("thermo-1")}"`);
            assert.deepEqual(env.hub.requests.slice(before).map((q) => [q.method, q.path, q.apiVersion]), [["GET", "/twins/thermo-1", IOTHUB_API_VERSION]]);
        });

        it("patches desired properties only, conditional on If-Match, and answers 412 on a stale etag", async () => {
            device("thermo-2");
            const read = await call(twinUrl("thermo-2"), { headers: bearer(operator) });
            const etag = read.headers.get("etag")!;
            const before = env.hub.requests.length;
            const ok = await patch("thermo-2", { properties: { desired: { interval: 30, mode: { eco: true } } } }, etag);
            assert.equal(ok.status, 200, ok.text);
            assert.equal(ok.json.properties.desired.interval, 30);
            assert.notEqual(ok.headers.get("etag"), etag);
            const sent = env.hub.requests[before];
            assert.equal(sent.method, "PATCH");
            assert.equal(sent.path, "/twins/thermo-2");
            assert.equal(sent.ifMatch, etag);
            assert.deepEqual(sent.body, { properties: { desired: { interval: 30, mode: { eco: true } } } });

            const stale = await patch("thermo-2", { properties: { desired: { interval: 15 } } }, etag);
            assertProblem(stale, 412, "etag-mismatch");
            assert.equal(stale.json.iotHubErrorCode, 412001);
            // Weak and bare forms of the current etag are accepted and forwarded quoted.
            const current = env.hub.etagOf("thermo-2");
            assert.equal((await patch("thermo-2", { properties: { desired: { interval: 15 } } }, `W/"${current}"`)).status, 200);
            assert.equal((await patch("thermo-2", { properties: { desired: { interval: null } } }, env.hub.etagOf("thermo-2"))).status, 200);
            assert.equal(env.hub.devices.get("thermo-2")!.desired.interval, undefined, "null deletes");
            // Without If-Match the update is unconditional.
            const n = env.hub.requests.length;
            assert.equal((await patch("thermo-2", { properties: { desired: { interval: 5 } } })).status, 200);
            assert.equal(env.hub.requests[n].ifMatch, undefined);
        });

        it("refuses anything but properties.desired, and desired properties IoT Hub would refuse", async () => {
            device("thermo-3");
            const before = env.hub.requests.length;
            for (const body of [
                { tags: { site: "x" } },
                { properties: { desired: {}, reported: {} } },
                { properties: { reported: { a: 1 } } },
                { properties: { desired: { a: 1 } }, tags: {} },
                { properties: { desired: [1] } },
                { properties: { desired: { "a.b": 1 } } },
                { properties: { desired: { $version: 3 } } },
                { properties: { desired: { "with space": 1 } } },
                { properties: { desired: { "bell\u0007": 1 } } },
                { properties: { desired: { big: "x".repeat(33 * 1024) } } },
                { properties: { desired: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } } } } },
            ]) {
                assertProblem(await patch("thermo-3", body), 400, "invalid-twin-patch");
            }
            assertProblem(await patch("thermo-3", { properties: { desired: {} } }, '"a" , "b"'), 400, "invalid-if-match");
            assert.equal(env.hub.requests.length, before, "nothing reached IoT Hub");
        });

        it("needs Devices.Manage to patch; Telemetry.Read may read", async () => {
            device("thermo-4");
            const r = await call(twinUrl("thermo-4"), { method: "PATCH", headers: bearer(reader, { "content-type": "application/json" }), body: '{"properties":{"desired":{}}}' });
            assertProblem(r, 403, "insufficient-scope");
            assert.equal((await call(twinUrl("thermo-4"), { headers: bearer(reader) })).status, 200);
        });

        it("answers 404 for an unknown device's twin, and 405/404 for other methods and paths", async () => {
            assertProblem(await call(twinUrl("nobody"), { headers: bearer(reader) }), 404, "device-not-found");
            const del = await call(twinUrl("thermo-1"), { method: "DELETE", headers: bearer(operator) });
            assertProblem(del, 405, "method-not-allowed");
            assert.equal(del.headers.get("allow"), "GET, PATCH");
            assertProblem(await call(`${env.baseUrl}/devices`, { headers: bearer(reader) }), 404, "not-found");
        });
    });

    describe("GET /devices/{id}/telemetry", () => {
        const telemetry = (id: string, query: Record<string, string>, token = reader) =>
            call(`${env.baseUrl}/devices/${encodeURIComponent(id)}/telemetry?${new URLSearchParams(query)}`, { headers: bearer(token) });

        it("pages newest first with continuation tokens across two pages", async () => {
            const times = Array.from({ length: 5 }, (_, i) => new Date(now.getTime() - (i + 1) * HOUR));
            env.cosmos.docs.push(...sampleTelemetry("meter-1", times));
            const q0 = env.cosmos.queries.length;
            const first = await telemetry("meter-1", { limit: "3" });
            assert.equal(first.status, 200, first.text);
            assert.deepEqual(first.json.items.map((d: any) => d.enqueuedTime), times.slice(0, 3).map((t) => t.toISOString()));
            assert.equal(typeof first.json.continuation, "string");
            assert.equal(first.json.items[0]._rid, undefined, "Cosmos system properties are not returned");
            const second = await telemetry("meter-1", { limit: "3", continuation: first.json.continuation });
            assert.equal(second.status, 200, second.text);
            assert.deepEqual(second.json.items.map((d: any) => d.enqueuedTime), times.slice(3).map((t) => t.toISOString()));
            assert.equal(second.json.continuation, null);
            assert.equal(second.json.since, first.json.since, "since comes from the token");
            const sent = env.cosmos.queries.slice(q0);
            assert.ok(sent.every((q) => q.partitionKey === "meter-1-2026-03"), "one partition: the current month");
            assert.equal(sent[0].continuation, undefined);
            assert.ok(sent[1].continuation, "the second page resumes with Cosmos DB's continuation");
            assert.deepEqual(sent[0].parameters, { "@deviceId": "meter-1", "@since": new Date(now.getTime() - DAY).toISOString() });
        });

        it("reads only the month partitions of the window, newest month first, and filters by since", async () => {
            const times = [
                new Date("2026-03-10T08:00:00Z"),
                new Date("2026-03-01T00:00:00Z"),
                new Date("2026-02-20T10:00:00Z"),
                new Date("2026-02-01T10:00:00Z"),
                new Date("2026-01-25T10:00:00Z"),
                new Date("2026-01-05T10:00:00Z"),
                new Date("2025-12-30T10:00:00Z"),
            ];
            env.cosmos.docs.push(...sampleTelemetry("meter-2", times));
            const since = "2026-01-20T00:00:00Z";
            const q0 = env.cosmos.queries.length;
            const all = await telemetry("meter-2", { since, limit: "100" });
            assert.equal(all.status, 200, all.text);
            assert.deepEqual(all.json.items.map((d: any) => d.enqueuedTime), times.slice(0, 5).map((t) => t.toISOString()));
            assert.equal(all.json.continuation, null);
            assert.deepEqual(env.cosmos.queries.slice(q0).map((q) => q.partitionKey), ["meter-2-2026-03", "meter-2-2026-02", "meter-2-2026-01"]);

            // Two at a time: the pages cross the month boundaries and never repeat or skip a document.
            const seen: string[] = [];
            let continuation: string | null = null;
            let pages = 0;
            do {
                const r: Awaited<ReturnType<typeof telemetry>> = await telemetry("meter-2", { since, limit: "2", ...(continuation ? { continuation } : {}) });
                assert.equal(r.status, 200, r.text);
                assert.ok(r.json.items.length <= 2);
                seen.push(...r.json.items.map((d: any) => d.enqueuedTime));
                continuation = r.json.continuation;
                pages += 1;
            } while (continuation && pages < 10);
            assert.deepEqual(seen, times.slice(0, 5).map((t) => t.toISOString()));
            assert.equal(pages, 3);
            const meter2 = env.cosmos.queries.filter((q) => q.partitionKey.startsWith("meter-2-"));
            assert.ok(meter2.every((q) => /^meter-2-2026-0[123]$/.test(q.partitionKey)), "only the window's months, never 2025-12");
        });

        it("sends request values as parameters only, never in the query text", async () => {
            const id = "o'brien;--";
            assertProblem(await telemetry(id, {}), 400, "invalid-device-id");
            const quoted = "o'brien:1";
            env.cosmos.docs.push(...sampleTelemetry(quoted, [new Date(now.getTime() - HOUR)]));
            const q0 = env.cosmos.queries.length;
            const r = await telemetry(quoted, {});
            assert.equal(r.status, 200, r.text);
            assert.equal(r.json.items.length, 1);
            // The fake accepts exactly one query text; the device id arrived as @deviceId.
            assert.equal(env.cosmos.queries[q0].parameters["@deviceId"], quoted);
            assert.equal(env.cosmos.queries[q0].partitionKey, `${quoted}-2026-03`);
        });

        it("authenticates to Cosmos DB with the managed identity for the account scope", () => {
            assert.ok(env.identity.scopesRequested.includes(`${env.cosmos.endpoint.replace(/\/$/, "")}/.default`));
        });

        it("validates since, limit and continuation", async () => {
            const q0 = env.cosmos.queries.length;
            assertProblem(await telemetry("meter-1", { since: "yesterday" }), 400, "invalid-parameter");
            assertProblem(await telemetry("meter-1", { since: "2026-03-01T00:00:00" }), 400, "invalid-parameter");
            assertProblem(await telemetry("meter-1", { since: "2026-04-01T00:00:00Z" }), 400, "invalid-parameter");
            assertProblem(await telemetry("meter-1", { since: "2025-01-01T00:00:00Z" }), 400, "invalid-parameter");
            assertProblem(await telemetry("meter-1", { limit: "0" }), 400, "invalid-parameter");
            assertProblem(await telemetry("meter-1", { limit: "1001" }), 400, "invalid-parameter");
            assertProblem(await telemetry("meter-1", { limit: "1e2" }), 400, "invalid-parameter");
            assertProblem(await telemetry("meter-1", { continuation: "!!" }), 400, "invalid-continuation");
            assertProblem(await telemetry("meter-1", { continuation: Buffer.from('{"v":1}').toString("base64url") }), 400, "invalid-continuation");
            const dup = await call(`${env.baseUrl}/devices/meter-1/telemetry?limit=1&limit=2`, { headers: bearer(reader) });
            assertProblem(dup, 400, "invalid-parameter");
            assert.equal(env.cosmos.queries.length, q0, "nothing reached Cosmos DB");
        });

        it("binds a continuation token to its device and since", async () => {
            env.cosmos.docs.push(...sampleTelemetry("meter-3", [1, 2, 3].map((h) => new Date(now.getTime() - h * HOUR))));
            const first = await telemetry("meter-3", { limit: "1" });
            assert.equal(first.status, 200);
            assertProblem(await telemetry("meter-1", { continuation: first.json.continuation }), 400, "invalid-continuation");
            assertProblem(await telemetry("meter-3", { continuation: first.json.continuation, since: "2026-03-01T00:00:00Z" }), 400, "invalid-continuation");
            assert.equal((await telemetry("meter-3", { continuation: first.json.continuation, since: first.json.since })).status, 200);
        });

        it("needs Telemetry.Read (or Telemetry.Reader)", async () => {
            assertProblem(await telemetry("meter-1", {}, await env.tenant.userToken({ scopes: ["Devices.Manage"] })), 403, "insufficient-scope");
            assert.equal((await telemetry("meter-1", {}, await env.tenant.appToken({ roles: ["Telemetry.Reader"] }))).status, 200);
        });
    });

    it("logs route, status, device id, latency and correlation id only", async () => {
        const secret = "payload-marker-7f3a";
        device("logged-1");
        const before = logs.length;
        const correlation = "5b0e9f4e-3f3c-4b6b-9d7e-2f1c0a9b8c7d";
        const r = await call(`${env.baseUrl}/devices/logged-1/methods/reboot`, {
            method: "POST",
            headers: bearer(operator, { "content-type": "application/json", "x-correlation-id": correlation }),
            body: JSON.stringify({ payload: { secret } }),
        });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("x-correlation-id"), correlation);
        const entry = logs[before];
        assert.deepEqual(Object.keys(entry).sort(), ["correlationId", "deviceId", "latencyMs", "route", "status"]);
        assert.deepEqual({ ...entry, latencyMs: 0 }, { route: "POST /devices/{id}/methods/{name}", status: 200, deviceId: "logged-1", correlationId: correlation, latencyMs: 0 });
        const everything = JSON.stringify(logs);
        assert.ok(!everything.includes(secret), "no payload in the logs");
        assert.ok(!everything.includes(operator.split(".")[2]), "no token in the logs");
        for (const e of logs) {
            for (const k of Object.keys(e)) assert.ok(["route", "status", "latencyMs", "correlationId", "deviceId", "problem", "error"].includes(k), k);
        }
    });
});
