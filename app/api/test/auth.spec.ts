/**
 * Token validation end to end: tokens signed by RSA keys this test generates, the tenant's JWKS on
 * a loopback server, requests through the real HTTP server to GET /devices/{id}/twin.
 */
import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { SignJWT, base64url, exportSPKI } from "jose";
import { startFakeEnvironment, type FakeEnvironment } from "../fakes/environment";
import { newSigningKey } from "../fakes/identity";
import { assertProblem, bearer, call } from "./support";

const COOLDOWN_MS = 300;

describe("API token validation", () => {
    let env: FakeEnvironment;
    let url: string;
    before(async () => {
        env = await startFakeEnvironment({ jwksCooldownMs: COOLDOWN_MS });
        env.hub.devices.set("dev-1", { connected: true, desired: {}, reported: {}, version: 1 });
        url = `${env.baseUrl}/devices/dev-1/twin`;
    });
    after(() => env.close());

    const get = (token: string) => call(url, { headers: bearer(token) });
    const rejected = async (token: string | Promise<string>, description: RegExp) => {
        const r = await get(await token);
        assertProblem(r, 401, "invalid-token");
        const challenge = r.headers.get("www-authenticate") ?? "";
        assert.match(challenge, /^Bearer realm="secure-iot-api", error="invalid_token", error_description="[^"]+"$/);
        assert.match(r.json.detail, description);
        return r;
    };

    it("accepts a valid delegated token from the mobile app", async () => {
        const r = await get(await env.tenant.userToken({ scopes: ["Telemetry.Read"] }));
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.deviceId, "dev-1");
    });

    it("accepts the identifier URI api://<clientId> as audience", async () => {
        const r = await get(await env.tenant.userToken({ aud: `api://${env.config.apiClientId}` }));
        assert.equal(r.status, 200, r.text);
    });

    it("rejects a token for another audience", async () => {
        await rejected(env.tenant.userToken({ aud: randomUUID() }), /audience/);
    });

    it("rejects another tenant's issuer, and a foreign tid", async () => {
        await rejected(await env.tenant.userToken({ iss: `https://login.microsoftonline.com/${randomUUID()}/v2.0` }), /issuer/);
        await rejected(await env.tenant.userToken({ iss: `https://sts.windows.net/${env.config.tenantId}/` }), /issuer/);
        await rejected(await env.tenant.userToken({ tid: randomUUID() }), /tenant/);
    });

    it("rejects an expired token, tolerating 60 s of clock skew", async () => {
        await rejected(await env.tenant.userToken({ expiresIn: -120 }), /expired/);
        assert.equal((await get(await env.tenant.userToken({ expiresIn: -30 }))).status, 200);
    });

    it("rejects a token that is not yet valid", async () => {
        await rejected(await env.tenant.userToken({ notBeforeIn: 300 }), /not yet valid/);
        assert.equal((await get(await env.tenant.userToken({ notBeforeIn: 30 }))).status, 200);
    });

    it("rejects a v1.0 token", async () => {
        await rejected(env.tenant.userToken({ ver: "1.0" }), /v2\.0/);
    });

    it("answers 403 insufficient_scope when the delegated scope is missing", async () => {
        const r = await get(await env.tenant.userToken({ scopes: ["User.Read"], roles: ["Telemetry.Reader"] }));
        assertProblem(r, 403, "insufficient-scope");
        const challenge = r.headers.get("www-authenticate") ?? "";
        assert.match(challenge, /error="insufficient_scope"/);
        assert.match(challenge, new RegExp(`scope="api://${env.config.apiClientId}/Telemetry.Read api://${env.config.apiClientId}/Devices.Manage"`));
    });

    it("rejects delegated tokens of clients other than the mobile app", async () => {
        assertProblem(await get(await env.tenant.userToken({ azp: randomUUID() })), 403, "client-not-allowed");
    });

    it("needs the app role on app-only tokens: 403 without it, 200 with it", async () => {
        assertProblem(await get(await env.tenant.appToken({})), 403, "insufficient-scope");
        assertProblem(await get(await env.tenant.appToken({ roles: ["Something.Else"] })), 403, "insufficient-scope");
        assert.equal((await get(await env.tenant.appToken({ roles: ["Telemetry.Reader"] }))).status, 200);
        // Without the idtyp optional claim a token with roles and no scp is app-only too.
        const noIdtyp = await env.tenant.appToken({ roles: ["Devices.Operator"], idtyp: "user" });
        await rejected(noIdtyp, /user token/);
    });

    it("rejects an app token that carries delegated scopes", async () => {
        await rejected(await env.tenant.userToken({ idtyp: "app" }), /app-only/);
    });

    it("rejects alg none", async () => {
        const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
        const claims = JSON.parse(Buffer.from((await env.tenant.userToken()).split(".")[1], "base64url").toString());
        const token = `${header}.${base64url.encode(JSON.stringify(claims))}.`;
        await rejected(token, /algorithm/);
    });

    it("rejects HS256 signed with the public key's bytes", async () => {
        const jwk = env.tenant.keys[0].publicJwk;
        const secret = Buffer.from(JSON.stringify(jwk));
        const claims = JSON.parse(Buffer.from((await env.tenant.userToken()).split(".")[1], "base64url").toString());
        const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: jwk.kid }).sign(secret);
        await rejected(token, /algorithm/);
        // The classic form: the PEM of the public key as the HMAC secret.
        const pem = await exportSPKI(env.tenant.keys[0].publicKey);
        await rejected(await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: jwk.kid }).sign(Buffer.from(pem)), /algorithm/);
        // And a hand-rolled HMAC over the modulus bytes.
        const input = `${base64url.encode(JSON.stringify({ alg: "HS256", kid: jwk.kid }))}.${base64url.encode(JSON.stringify(claims))}`;
        const sig = createHmac("sha256", Buffer.from(jwk.n!, "base64url")).update(input).digest("base64url");
        await rejected(`${input}.${sig}`, /algorithm/);
    });

    it("rejects a tampered payload", async () => {
        const [h, , s] = (await env.tenant.userToken({ scopes: ["Telemetry.Read"] })).split(".");
        const claims = JSON.parse(Buffer.from((await env.tenant.userToken({ scopes: ["Devices.Manage"] })).split(".")[1], "base64url").toString());
        await rejected(`${h}.${base64url.encode(JSON.stringify(claims))}.${s}`, /signature/);
    });

    it("refetches the JWKS once for an unknown kid, then rejects; a rotated-in key works after the cooldown", async () => {
        await get(await env.tenant.userToken()); // warm
        await new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));
        const before = env.tenant.jwksFetches;
        const stranger = await newSigningKey();
        await rejected(await env.tenant.userToken({ key: stranger }), /signing key/);
        assert.equal(env.tenant.jwksFetches, before + 1, "one refetch for the unknown kid");
        await rejected(await env.tenant.userToken({ key: stranger }), /signing key/);
        assert.equal(env.tenant.jwksFetches, before + 1, "no second refetch within the cooldown");

        const rotated = await env.tenant.rotate();
        await new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));
        const r = await get(await env.tenant.userToken({ key: rotated }));
        assert.equal(r.status, 200, r.text);
        assert.equal(env.tenant.jwksFetches, before + 2);
        // Warm cache: valid tokens cause no fetch.
        await get(await env.tenant.userToken({ key: rotated }));
        await get(await env.tenant.userToken());
        assert.equal(env.tenant.jwksFetches, before + 2);
    });

    it("answers a missing header with a bare Bearer challenge", async () => {
        const r = await call(url);
        assertProblem(r, 401, "missing-token");
        assert.equal(r.headers.get("www-authenticate"), 'Bearer realm="secure-iot-api"');
    });

    it("rejects malformed Authorization headers and strings that are not JWTs", async () => {
        for (const header of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Bearer\tx"]) {
            const r = await call(url, { headers: { authorization: header } });
            assertProblem(r, 401, "invalid-authorization-header");
            assert.match(r.headers.get("www-authenticate") ?? "", /error="invalid_request"/);
        }
        await rejected("not-a-jwt", /well-formed/);
        await rejected("a.b.c", /well-formed/);
        await rejected(`${base64url.encode('{"alg":"RS256","kid":"x"}')}.e30`, /well-formed/);
        await rejected("x".repeat(12 * 1024 + 1), /too long/);
    });
});
