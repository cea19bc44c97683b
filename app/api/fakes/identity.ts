/**
 * A local stand-in for the two Entra ID roles in the API's world, with real RS256 keys (jose):
 * - the tenant that issues v2 access tokens to the mobile app (and daemons) for the API: a JWKS
 *   served on a loopback HTTP server that counts its fetches, and a signer for user and app tokens;
 * - the managed identity endpoint: a TokenCredential whose tokens are really signed, with the
 *   audience of the requested scope, so the fake IoT Hub and Cosmos DB can verify them as the
 *   services do.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import type { AccessToken, TokenCredential } from "@azure/identity";

export interface SigningKey {
    kid: string;
    privateKey: CryptoKey;
    publicKey: CryptoKey;
    publicJwk: JWK;
}

export async function newSigningKey(kid: string = randomUUID()): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk = await exportJWK(publicKey);
    return { kid, privateKey, publicKey, publicJwk: { ...jwk, kid, use: "sig", kty: "RSA" } };
}

export interface TenantOptions {
    tenantId: string;
    apiClientId: string;
    mobileClientId: string;
}

export interface UserTokenOptions {
    scopes?: string[];
    roles?: string[];
    azp?: string;
    aud?: string;
    iss?: string;
    tid?: string;
    ver?: string;
    /** Seconds from now. */
    expiresIn?: number;
    notBeforeIn?: number;
    idtyp?: "app" | "user";
    /** Sign with this key (default: the tenant's current key). */
    key?: SigningKey;
    header?: Record<string, unknown>;
}

/** The tenant: keys, the JWKS endpoint, and token minting. */
export class LocalTenant {
    readonly keys: SigningKey[] = [];
    jwksFetches = 0;
    private server: http.Server | undefined;
    private url: string | undefined;

    private constructor(readonly options: TenantOptions) {}

    static async start(options: TenantOptions): Promise<LocalTenant> {
        const t = new LocalTenant(options);
        t.keys.push(await newSigningKey());
        t.server = http.createServer((req, res) => {
            if (req.method === "GET" && req.url === `/${options.tenantId}/discovery/v2.0/keys`) {
                t.jwksFetches += 1;
                res.writeHead(200, { "content-type": "application/json" });
                res.end(JSON.stringify({ keys: t.keys.map((k) => k.publicJwk) }));
                return;
            }
            res.writeHead(404).end();
        });
        await new Promise<void>((resolve) => t.server!.listen(0, "127.0.0.1", resolve));
        t.url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}/${options.tenantId}/discovery/v2.0/keys`;
        return t;
    }

    get jwksUrl(): string {
        return this.url!;
    }

    get issuer(): string {
        return `https://login.microsoftonline.com/${this.options.tenantId}/v2.0`;
    }

    /** Publishes a new key (a rotation); tokens signed with it verify once the API refetches the JWKS. */
    async rotate(): Promise<SigningKey> {
        const k = await newSigningKey();
        this.keys.push(k);
        return k;
    }

    /** A delegated (user) token from the mobile app by default. */
    async userToken(o: UserTokenOptions = {}): Promise<string> {
        return this.sign({
            scp: (o.scopes ?? ["Telemetry.Read"]).join(" "),
            azp: o.azp ?? this.options.mobileClientId,
            azpacr: "0",
            oid: randomUUID(),
            sub: randomUUID(),
            ...(o.roles ? { roles: o.roles } : {}),
            ...(o.idtyp ? { idtyp: o.idtyp } : {}),
        }, o);
    }

    /** An app-only (client credentials) token: roles, no scp. */
    async appToken(o: UserTokenOptions = {}): Promise<string> {
        return this.sign({
            azp: o.azp ?? randomUUID(),
            azpacr: "2",
            oid: randomUUID(),
            sub: randomUUID(),
            idtyp: o.idtyp ?? "app",
            ...(o.roles ? { roles: o.roles } : {}),
        }, o);
    }

    private async sign(claims: JWTPayload, o: UserTokenOptions): Promise<string> {
        const key = o.key ?? this.keys[this.keys.length - 1];
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({
            ver: o.ver ?? "2.0",
            tid: o.tid ?? this.options.tenantId,
            ...claims,
        })
            .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid, ...(o.header ?? {}) })
            .setIssuer(o.iss ?? this.issuer)
            .setAudience(o.aud ?? this.options.apiClientId)
            .setIssuedAt(now - 5)
            .setNotBefore(now + (o.notBeforeIn ?? -5))
            .setExpirationTime(now + (o.expiresIn ?? 3600))
            .sign(key.privateKey);
    }

    async close(): Promise<void> {
        await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    }
}

/** The managed identity: mints signed tokens for the requested resource, and verifies them for the fakes. */
export class FakeManagedIdentity implements TokenCredential {
    tokensIssued = 0;
    readonly scopesRequested: string[] = [];

    private constructor(private readonly key: SigningKey, readonly tenantId: string, readonly clientId: string) {}

    static async create(tenantId: string, clientId = randomUUID()): Promise<FakeManagedIdentity> {
        return new FakeManagedIdentity(await newSigningKey("msi"), tenantId, clientId);
    }

    get issuer(): string {
        return `https://sts.windows.net/${this.tenantId}/`;
    }

    async getToken(scopes: string | string[]): Promise<AccessToken> {
        const scope = Array.isArray(scopes) ? scopes[0] : scopes;
        this.scopesRequested.push(scope);
        this.tokensIssued += 1;
        const audience = scope.replace(/\/\.default$/, "");
        const now = Math.floor(Date.now() / 1000);
        const token = await new SignJWT({ appid: this.clientId, idtyp: "app", tid: this.tenantId, ver: "1.0" })
            .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.key.kid })
            .setIssuer(this.issuer)
            .setAudience(audience)
            .setIssuedAt(now)
            .setNotBefore(now - 5)
            .setExpirationTime(now + 3600)
            .sign(this.key.privateKey);
        return { token, expiresOnTimestamp: (now + 3600) * 1000 };
    }

    /** What the service does with the bearer token: signature, issuer, audience, expiry. Throws if any fails. */
    async verify(token: string, audience: string): Promise<JWTPayload> {
        const { payload } = await jwtVerify(token, this.key.publicKey, { issuer: this.issuer, audience, algorithms: ["RS256"] });
        if (payload.appid !== this.clientId) throw new Error("token of another identity");
        return payload;
    }
}
