/**
 * Bearer token validation for Entra ID v2 access tokens, with `jose` doing all the cryptography.
 *
 * What is checked, and why (Microsoft identity platform, "Access token claims reference",
 * MicrosoftDocs/entra-docs docs/identity-platform/access-token-claims-reference.md):
 * - the header: `alg` RS256 only (no `none`, no HS* with the public key as the secret), `typ` JWT;
 * - the signature, against the tenant's JWKS (`/discovery/v2.0/keys`), one remote set created once:
 *   jose caches it, refetches it when a token names an unknown `kid` (at most once per cooldown),
 *   and rejects the token when the refetched set still lacks the key;
 * - `iss` = `https://login.microsoftonline.com/<tenant>/v2.0`, `tid` = the tenant;
 * - `aud` = the API's client id ("In v2.0 tokens, this value is always the client ID of the API"),
 *   or its identifier URI `api://<clientId>`;
 * - `exp`, `nbf` (and `iat` present) with a small clock tolerance;
 * - `ver` = "2.0";
 * - delegated tokens (with `scp`) must come from an allowed client (`azp`) and carry the route's
 *   scope; app-only tokens (no `scp`; `idtyp: app` when that optional claim is configured) must
 *   carry the route's app role in `roles`.
 */
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { ApiError } from "./http";

export interface Principal {
    kind: "delegated" | "app";
    /** `azp`: the client application the token was issued to. */
    clientId: string;
    scopes: ReadonlySet<string>;
    roles: ReadonlySet<string>;
}

/** What a route needs: any one of the scopes (delegated tokens) or of the roles (app-only tokens). */
export interface Requirement {
    scopes: readonly string[];
    roles: readonly string[];
}

export interface TokenValidatorOptions {
    issuer: string;
    tenantId: string;
    apiClientId: string;
    /** `azp` values accepted on delegated tokens. */
    allowedClientIds: readonly string[];
    jwksUrl: string;
    /** Seconds of clock skew tolerated on exp/nbf (default 60). */
    clockToleranceSeconds?: number;
    /** Minimum time between two JWKS fetches caused by unknown key ids (default 30 s). */
    jwksCooldownMs?: number;
    /** How long a fetched JWKS is used before it is fetched again (default 1 h). */
    jwksMaxAgeMs?: number;
    /** Timeout of one JWKS fetch (default 5 s). */
    jwksTimeoutMs?: number;
}

export const REALM = "secure-iot-api";
/** Larger than any Entra access token (a few KB even with group claims); bounds the work per request. */
const MAX_TOKEN_LENGTH = 12 * 1024;

const challenge = (params: Record<string, string>): string =>
    ["Bearer " + `realm="${REALM}"`, ...Object.entries(params).map(([k, v]) => `${k}="${v}"`)].join(", ");

function invalidToken(description: string): ApiError {
    return new ApiError({
        status: 401,
        type: "invalid-token",
        title: "Invalid access token",
        detail: `The bearer token was rejected: ${description}.`,
        headers: { "www-authenticate": challenge({ error: "invalid_token", error_description: description }) },
    });
}

/** Maps a jose failure to a fixed, client-facing reason (nothing from the token is echoed). */
function reasonFor(err: unknown): string | undefined {
    if (err instanceof errors.JWTExpired) return "the token has expired";
    if (err instanceof errors.JWTClaimValidationFailed) {
        switch (err.claim) {
            case "nbf":
                return "the token is not yet valid";
            case "aud":
                return "the token's audience is not this API";
            case "iss":
                return "the token's issuer is not the expected tenant";
            default:
                return `the token's ${err.claim} claim is missing or invalid`;
        }
    }
    if (err instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not allowed (RS256 only)";
    if (err instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
    if (err instanceof errors.JWKSNoMatchingKey) return "the token's signing key is not one of the tenant's keys";
    if (err instanceof errors.JWKSMultipleMatchingKeys) return "the token's signing key is ambiguous";
    if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) return "the token is not a well-formed signed JWT";
    return undefined;
}

export class TokenValidator {
    private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
    private readonly audiences: string[];
    private readonly allowedClients: Set<string>;
    private readonly clockTolerance: number;

    constructor(private readonly options: TokenValidatorOptions) {
        this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
            cooldownDuration: options.jwksCooldownMs ?? 30_000,
            cacheMaxAge: options.jwksMaxAgeMs ?? 3_600_000,
            timeoutDuration: options.jwksTimeoutMs ?? 5_000,
        });
        this.audiences = [options.apiClientId, `api://${options.apiClientId}`];
        this.allowedClients = new Set(options.allowedClientIds.map((c) => c.toLowerCase()));
        this.clockTolerance = options.clockToleranceSeconds ?? 60;
    }

    /** Validates the Authorization header; throws ApiError 401 (bad token), 403 (client not allowed) or 503 (keys unavailable). */
    async authenticate(authorization: string | undefined): Promise<Principal> {
        if (authorization === undefined || authorization.trim() === "") {
            throw new ApiError({
                status: 401,
                type: "missing-token",
                title: "Authentication required",
                detail: "The request has no bearer token; send 'Authorization: Bearer <access token>'.",
                headers: { "www-authenticate": challenge({}) },
            });
        }
        const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
        if (!match) {
            throw new ApiError({
                status: 401,
                type: "invalid-authorization-header",
                title: "Malformed Authorization header",
                detail: "The Authorization header is not of the form 'Bearer <access token>'.",
                headers: { "www-authenticate": challenge({ error: "invalid_request", error_description: "the Authorization header is not a bearer token" }) },
            });
        }
        const token = match[1];
        if (token.length > MAX_TOKEN_LENGTH) throw invalidToken("the token is too long");

        let header;
        try {
            header = decodeProtectedHeader(token);
        } catch {
            throw invalidToken("the token is not a well-formed signed JWT");
        }
        if (token.split(".").length !== 3) throw invalidToken("the token is not a well-formed signed JWT");
        if (header.alg !== "RS256") throw invalidToken("the token's algorithm is not allowed (RS256 only)");
        if (header.typ !== undefined && header.typ.toUpperCase() !== "JWT") throw invalidToken("the token's type is not JWT");
        if (typeof header.kid !== "string" || header.kid === "") throw invalidToken("the token names no signing key");

        let payload: JWTPayload;
        try {
            ({ payload } = await jwtVerify(token, this.jwks, {
                algorithms: ["RS256"],
                issuer: this.options.issuer,
                audience: this.audiences,
                clockTolerance: this.clockTolerance,
                requiredClaims: ["exp", "nbf", "iat"],
            }));
        } catch (err) {
            const reason = reasonFor(err);
            if (reason) throw invalidToken(reason);
            // Anything else is the JWKS endpoint failing (timeout, non-200, not a key set, network):
            // the token may be fine, so the client must not throw it away.
            throw new ApiError({
                status: 503,
                type: "signing-keys-unavailable",
                title: "Token signing keys unavailable",
                detail: "The API could not fetch the tenant's token signing keys; retry shortly.",
                headers: { "retry-after": "5" },
            });
        }

        if (payload.ver !== "2.0") throw invalidToken("the token is not a v2.0 access token");
        if (typeof payload.tid !== "string" || payload.tid.toLowerCase() !== this.options.tenantId.toLowerCase()) {
            throw invalidToken("the token's tenant is not the expected tenant");
        }
        const azp = typeof payload.azp === "string" ? payload.azp.toLowerCase() : undefined;
        if (azp === undefined) throw invalidToken("the token names no client application (azp)");
        const roles = new Set(Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : []);
        const scp = payload.scp;
        const idtyp = payload.idtyp;

        if (scp !== undefined) {
            if (typeof scp !== "string" || scp.trim() === "") throw invalidToken("the token's scp claim is malformed");
            if (idtyp === "app") throw invalidToken("an app-only token cannot carry delegated scopes");
            if (!this.allowedClients.has(azp)) {
                throw new ApiError({
                    status: 403,
                    type: "client-not-allowed",
                    title: "Client application not allowed",
                    detail: "The token was issued to a client application this API does not accept for delegated access.",
                });
            }
            return { kind: "delegated", clientId: azp, scopes: new Set(scp.split(" ").filter((s) => s !== "")), roles };
        }
        if (idtyp !== undefined && idtyp !== "app") throw invalidToken("a user token must carry delegated scopes");
        return { kind: "app", clientId: azp, scopes: new Set(), roles };
    }

    /** Throws 403 insufficient_scope unless the principal has one of the route's scopes (delegated) or roles (app-only). */
    authorize(principal: Principal, need: Requirement): void {
        const ok = principal.kind === "delegated" ? need.scopes.some((s) => principal.scopes.has(s)) : need.roles.some((r) => principal.roles.has(r));
        if (ok) return;
        const wanted = principal.kind === "delegated" ? `one of the scopes ${need.scopes.join(", ")}` : `one of the app roles ${need.roles.join(", ")}`;
        throw new ApiError({
            status: 403,
            type: "insufficient-scope",
            title: "Insufficient scope",
            detail: `This operation needs ${wanted}; the ${principal.kind === "delegated" ? "delegated" : "app-only"} token has none of them.`,
            headers: {
                "www-authenticate": challenge({
                    error: "insufficient_scope",
                    error_description: "the token lacks the scope or role this operation needs",
                    scope: need.scopes.map((s) => `api://${this.options.apiClientId}/${s}`).join(" "),
                }),
            },
        });
    }
}
