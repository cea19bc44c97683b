/** Unit checks: configuration, input rules, partitions and continuations, the hub client's failure paths. */
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as https from "node:https";
import { randomUUID } from "node:crypto";
import { ConfigError, loadConfig } from "../src/config";
import { ApiError } from "../src/http";
import { TokenValidator } from "../src/auth";
import { IoTHubClient, hubErrorCode } from "../src/iotHub";
import { decodeContinuation, encodeContinuation, monthsBetween, partitionKeyOf } from "../src/telemetry";
import { DEVICE_ID, METHOD_NAME, checkDesired, parseIfMatch } from "../src/validation";
import { API_SETTINGS } from "../src/settings";
import { FakeIoTHub } from "../fakes/fakeHub";
import { FakeManagedIdentity, LocalTenant } from "../fakes/identity";
import { loopbackCertificate } from "../fakes/tls";

const valid = {
    API_TENANT_ID: "6e2b1c1a-0f7e-4d7b-9d3a-1b2c3d4e5f60",
    API_CLIENT_ID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    API_MOBILE_CLIENT_ID: "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e",
    IOTHUB_HOST_NAME: "Contoso-Hub.azure-devices.net",
    COSMOS_ENDPOINT: "https://contoso.documents.azure.com:443/",
    COSMOS_DATABASE: "iot",
    COSMOS_CONTAINER: "telemetry",
    AZURE_CLIENT_ID: "2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f",
};

describe("API configuration", () => {
    it("builds issuer, JWKS URL and allowed clients from valid settings", () => {
        const c = loadConfig({ ...valid, API_ADDITIONAL_CLIENT_IDS: " 04b07795-8ddb-461a-bbee-02f9e1bf7b46 , " });
        assert.equal(c.issuer, `https://login.microsoftonline.com/${valid.API_TENANT_ID}/v2.0`);
        assert.equal(c.jwksUrl, `https://login.microsoftonline.com/${valid.API_TENANT_ID}/discovery/v2.0/keys`);
        assert.deepEqual(c.allowedClientIds, [valid.API_MOBILE_CLIENT_ID, "04b07795-8ddb-461a-bbee-02f9e1bf7b46"]);
        assert.equal(c.iotHubHostName, "contoso-hub.azure-devices.net");
        assert.equal(c.managedIdentityClientId, valid.AZURE_CLIENT_ID);
    });

    it("reports every problem at once, naming each setting", () => {
        try {
            loadConfig({ API_TENANT_ID: "nope", IOTHUB_HOST_NAME: "https://hub.azure-devices.net", COSMOS_ENDPOINT: "http://x.documents.azure.com/", COSMOS_DATABASE: "a/b", API_ADDITIONAL_CLIENT_IDS: "x" });
            assert.fail("no error");
        } catch (err) {
            assert.ok(err instanceof ConfigError);
            const names = err.problems.map((p) => p.split(" ")[0]);
            assert.deepEqual(names.sort(), [
                "API_ADDITIONAL_CLIENT_IDS", "API_CLIENT_ID", "API_MOBILE_CLIENT_ID", "API_TENANT_ID", "AZURE_CLIENT_ID",
                "COSMOS_CONTAINER", "COSMOS_DATABASE", "COSMOS_ENDPOINT", "IOTHUB_HOST_NAME",
            ]);
            assert.match(err.message, /9 problems/);
            for (const p of err.problems) assert.match(p, /: \S/, "each problem says how to fix it");
        }
    });

    it("allows a JWKS override only over https or on loopback", () => {
        assert.equal(loadConfig({ ...valid, API_JWKS_URL: "http://127.0.0.1:9/keys" }).jwksUrl, "http://127.0.0.1:9/keys");
        assert.equal(loadConfig({ ...valid, API_JWKS_URL: "https://keys.example/k" }).jwksUrl, "https://keys.example/k");
        assert.throws(() => loadConfig({ ...valid, API_JWKS_URL: "http://keys.example/k" }), /API_JWKS_URL must be https/);
        assert.throws(() => loadConfig({ ...valid, API_JWKS_URL: "not a url" }), /API_JWKS_URL is not a URL/);
    });

    it("needs the managed identity unless the caller injects credentials", () => {
        const { AZURE_CLIENT_ID: _, ...rest } = valid;
        assert.throws(() => loadConfig(rest), new RegExp(API_SETTINGS.managedIdentityClientId));
        assert.equal(loadConfig(rest, { requireManagedIdentity: false }).managedIdentityClientId, undefined);
    });
});

describe("API input rules", () => {
    it("device ids: IoT Hub's characters, up to 128, no + or #", () => {
        for (const ok of ["a", "dev-1", "A.b_c%d*e?f!g(h)i,j:k=l@m$n'o", "x".repeat(128)]) assert.ok(DEVICE_ID.test(ok), ok);
        for (const bad of ["", "a+b", "a#b", "a/b", "a b", "ä", "x".repeat(129), "a;b", "a&b"]) assert.ok(!DEVICE_ID.test(bad), bad);
    });

    it("method names: printable ASCII without the excluded separators, MQTT wildcards and %", () => {
        for (const ok of ["reboot", "set_speed", "a.b-c~d|e^f`g'h*i!j&k"]) assert.ok(METHOD_NAME.test(ok), ok);
        for (const bad of ["", "a b", "a$b", "a(b", "a<b", "a@b", "a,b", "a;b", "a:b", "a\\b", 'a"b', "a/b", "a[b", "a?b", "a=b", "a{b", "a+b", "a#b", "a%b", "a\tb", "é"]) {
            assert.ok(!METHOD_NAME.test(bad), bad);
        }
    });

    it("If-Match forms", () => {
        assert.equal(parseIfMatch(undefined), undefined);
        assert.equal(parseIfMatch('"AAAAAAAAAAE="'), "AAAAAAAAAAE=");
        assert.equal(parseIfMatch('W/"AAAAAAAAAAE="'), "AAAAAAAAAAE=");
        assert.equal(parseIfMatch("AAAAAAAAAAE="), "AAAAAAAAAAE=");
        assert.equal(parseIfMatch("*"), "*");
        assert.throws(() => parseIfMatch('"a", "b"'), ApiError);
    });

    it("desired properties: depth 10 is fine, 11 is not", () => {
        let ten: Record<string, unknown> = { v: 1 };
        for (let i = 0; i < 9; i++) ten = { n: ten };
        checkDesired(ten);
        assert.throws(() => checkDesired({ n: ten }), ApiError);
    });
});

describe("API telemetry partitions and continuations", () => {
    it("lists the months of the window, newest first, across a year boundary", () => {
        assert.deepEqual(monthsBetween(new Date("2025-11-30T23:59:59Z"), new Date("2026-02-01T00:00:00Z")), ["2026-02", "2026-01", "2025-12", "2025-11"]);
        assert.deepEqual(monthsBetween(new Date("2026-02-03T00:00:00Z"), new Date("2026-02-04T00:00:00Z")), ["2026-02"]);
        assert.equal(partitionKeyOf("dev-1", "2026-02"), "dev-1-2026-02");
    });

    it("round-trips a continuation bound to its device and since", () => {
        const since = new Date("2026-01-02T03:04:05.678Z");
        const token = encodeContinuation("d1", since, { month: "2026-01", cosmos: '{"token":"+RID:~abc==#RT:1","range":{"min":"","max":"FF"}}' });
        assert.match(token, /^[A-Za-z0-9_-]+$/);
        const back = decodeContinuation(token, "d1");
        assert.equal(back.since.toISOString(), since.toISOString());
        assert.deepEqual(back.resume, { month: "2026-01", cosmos: '{"token":"+RID:~abc==#RT:1","range":{"min":"","max":"FF"}}' });
        assert.throws(() => decodeContinuation(token, "d2"), ApiError);
        assert.throws(() => decodeContinuation("x".repeat(5000), "d1"), ApiError);
        const bad = (body: unknown) => Buffer.from(JSON.stringify(body)).toString("base64url");
        assert.throws(() => decodeContinuation(bad({ v: 1, d: "d1", s: since.toISOString(), m: "2026-13", c: null }), "d1"), ApiError);
        assert.throws(() => decodeContinuation(bad({ v: 1, d: "d1", s: "2026-01-02", m: "2026-01", c: null }), "d1"), ApiError);
        assert.throws(() => decodeContinuation(bad({ v: 1, d: "d1", s: since.toISOString(), m: "2026-01", c: 5 }), "d1"), ApiError);
    });
});

describe("API IoT Hub client failure paths", () => {
    it("reads IoT Hub error codes from both body shapes and the header", () => {
        assert.equal(hubErrorCode(Buffer.from('{"errorCode":404001,"message":"x"}'), {}), 404001);
        assert.equal(hubErrorCode(Buffer.from(JSON.stringify({ Message: '{"errorCode":404103,"trackingId":"t"}', ExceptionMessage: "" })), {}), 404103);
        assert.equal(hubErrorCode(Buffer.from("<html>"), { "iothub-errorcode": "GatewayTimeout" }), 504101);
        assert.equal(hubErrorCode(Buffer.from(""), {}), undefined);
    });

    it("gives up on a twin call at its own timeout (504 hub-timeout)", async () => {
        const certificate = loopbackCertificate();
        const identity = await FakeManagedIdentity.create(randomUUID());
        const hub = new FakeIoTHub({ certificate, identity, twinDelayMs: 2_000 });
        await hub.start();
        hub.devices.set("slow", { connected: true, desired: {}, reported: {}, version: 1 });
        const agent = new https.Agent({ ca: certificate.cert });
        const client = new IoTHubClient({ hostName: "x.azure-devices.net", credential: identity, baseUrl: hub.baseUrl, agent, twinTimeoutMs: 150 });
        try {
            const started = Date.now();
            await assert.rejects(client.getTwin("slow"), (err: unknown) => err instanceof ApiError && err.problem.status === 504 && err.problem.type === "hub-timeout");
            assert.ok(Date.now() - started < 1_500);
        } finally {
            agent.destroy();
            await hub.close();
        }
    });

    it("reuses the hub token until it nears expiry, and maps a failing identity to 502", async () => {
        const certificate = loopbackCertificate();
        const identity = await FakeManagedIdentity.create(randomUUID());
        const hub = new FakeIoTHub({ certificate, identity });
        await hub.start();
        hub.devices.set("d", { connected: true, desired: {}, reported: {}, version: 1 });
        const agent = new https.Agent({ ca: certificate.cert });
        try {
            const client = new IoTHubClient({ hostName: "x.azure-devices.net", credential: identity, baseUrl: hub.baseUrl, agent });
            await Promise.all([client.getTwin("d"), client.getTwin("d"), client.getTwin("d")]);
            await client.getTwin("d");
            assert.equal(identity.tokensIssued, 1);
            const broken = new IoTHubClient({ hostName: "x.azure-devices.net", credential: { getToken: () => Promise.reject(new Error("no IMDS")) }, baseUrl: hub.baseUrl, agent });
            await assert.rejects(broken.getTwin("d"), (err: unknown) => err instanceof ApiError && err.problem.status === 502 && err.problem.type === "hub-identity-unavailable");
            assert.throws(() => new IoTHubClient({ hostName: "x", credential: identity, baseUrl: "http://127.0.0.1:1" }), /https/);
        } finally {
            agent.destroy();
            await hub.close();
        }
    });
});

describe("API token validator without its JWKS", () => {
    it("answers 503 (not 401) when the signing keys cannot be fetched", async () => {
        const tenant = await LocalTenant.start({ tenantId: randomUUID(), apiClientId: randomUUID(), mobileClientId: randomUUID() });
        const token = await tenant.userToken();
        const jwksUrl = tenant.jwksUrl;
        await tenant.close();
        const v = new TokenValidator({ issuer: tenant.issuer, tenantId: tenant.options.tenantId, apiClientId: tenant.options.apiClientId, allowedClientIds: [tenant.options.mobileClientId], jwksUrl, jwksTimeoutMs: 1_000 });
        await assert.rejects(v.authenticate(`Bearer ${token}`), (err: unknown) => err instanceof ApiError && err.problem.status === 503 && err.problem.type === "signing-keys-unavailable");
    });
});
