/**
 * Loopback fakes of the two Azure services the function talks to, for the write-path tests:
 *
 * - The App Service managed identity endpoint (what Azure Functions exposes to the app as
 *   IDENTITY_ENDPOINT / IDENTITY_HEADER; API version 2019-08-01: GET ?resource=&api-version=&client_id=
 *   with header X-IDENTITY-HEADER, answering access_token / expires_on / resource / token_type;
 *   https://learn.microsoft.com/azure/app-service/overview-managed-identity, "REST endpoint
 *   reference"). It issues real RS256 JWTs (jose) for the requested resource.
 * - The Cosmos DB for NoSQL data plane over HTTPS with a self-signed certificate (openssl), shaped
 *   after Microsoft's REST reference (https://learn.microsoft.com/rest/api/cosmos-db/): "Get
 *   Collection" (GET /dbs/{db}/colls/{coll}), "Create Document" (POST /dbs/{db}/colls/{coll}/docs,
 *   `x-ms-documentdb-is-upsert: True`, `x-ms-documentdb-partitionkey: ["<value>"]`, 201 created /
 *   200 replaced), the common headers (`x-ms-version`; responses carry
 *   `x-ms-activity-id`, `x-ms-request-charge`, `x-ms-session-token`), Entra ID authorization
 *   (`Authorization: type=aad&ver=1.0&sig=<token>`, "Access control in Azure Cosmos DB"), and the
 *   status codes page (429 with `x-ms-retry-after-ms`, 413 for a document over the size limit, 400
 *   when the partition key header does not match the document, 401 for a bad token). The account
 *   read at `/` has no page of its own; its body has the fields of the SDKs' account properties
 *   (`id`, `writableLocations` / `readableLocations` of `{ name, databaseAccountEndpoint }`,
 *   `userConsistencyPolicy`), pointing back at this server.
 *
 * Only loopback addresses are used; the servers stop in `close()`.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from "jose";

export const ACCOUNT = "testacct";
export const ACCOUNT_HOST = `${ACCOUNT}.documents.azure.com`;
export const TENANT = "72f988bf-0000-4000-8000-000000000001";
export const ISSUER = `https://sts.windows.net/${TENANT}/`;

async function listen(server: http.Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
}

/** A self-signed certificate for the account host name, made by openssl in a temporary folder. */
export function selfSignedCertificate(host: string): { key: string; cert: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ingest-tls-"));
    try {
        const key = path.join(dir, "key.pem");
        const cert = path.join(dir, "cert.pem");
        execFileSync(
            "openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", `/CN=${host}`, "-addext", `subjectAltName=DNS:${host}`],
            { stdio: "pipe" },
        );
        return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export interface TokenIssuer {
    endpoint: string;
    header: string;
    requests: { resource: string | null; clientId: string | null; apiVersion: string | null }[];
    publicJwk: JWK;
    /** Signs a token as the fake Entra ID does (for a credential signed with another key). */
    sign(audience: string, key?: CryptoKey): Promise<string>;
    close(): Promise<void>;
}

export async function startTokenIssuer(): Promise<TokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const header = randomUUID();
    const requests: TokenIssuer["requests"] = [];
    const sign = (audience: string, key: CryptoKey = privateKey) =>
        new SignJWT({ tid: TENANT, oid: "a0000000-0000-4000-8000-00000000000f", idtyp: "app" })
            .setProtectedHeader({ alg: "RS256", kid: "test" })
            .setIssuer(ISSUER)
            .setAudience(audience)
            .setIssuedAt()
            .setExpirationTime("1h")
            .sign(key);
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        if (req.headers["x-identity-header"] !== header) {
            res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_request" }));
            return;
        }
        const resource = url.searchParams.get("resource");
        requests.push({ resource, clientId: url.searchParams.get("client_id"), apiVersion: url.searchParams.get("api-version") });
        void sign(resource ?? "").then((token) => {
            res.writeHead(200, { "content-type": "application/json" }).end(
                JSON.stringify({
                    access_token: token,
                    expires_on: String(Math.floor(Date.now() / 1000) + 3600),
                    resource,
                    token_type: "Bearer",
                    client_id: url.searchParams.get("client_id"),
                }),
            );
        });
    });
    const port = await listen(server);
    return {
        endpoint: `http://127.0.0.1:${port}/msi/token`,
        header,
        requests,
        publicJwk: await exportJWK(publicKey),
        sign,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

export interface RecordedRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    docId?: string;
    status: number;
}

/** Lets a test answer a document write itself (429, 503, 413 ...); undefined lets it through. */
export type Fault = (doc: { id: string; [k: string]: unknown }, attempt: number) => { status: number; headers?: Record<string, string> } | undefined;

export interface FakeCosmos {
    endpoint: string;
    port: number;
    cert: string;
    /** Stored documents by `${partitionKey}|${id}`. */
    documents: Map<string, Record<string, unknown>>;
    requests: RecordedRequest[];
    fault: Fault | undefined;
    maxDocumentBytes: number;
    /** Forgets documents, requests, attempts and the fault. */
    reset(): void;
    /** An HTTPS agent that sends `testacct.documents.azure.com:443` to this server and trusts its certificate. */
    agent(): https.Agent;
    close(): Promise<void>;
}

export async function startFakeCosmos(options: { database: string; container: string; publicJwk: JWK }): Promise<FakeCosmos> {
    const tls = selfSignedCertificate(ACCOUNT_HOST);
    const verifyKey = await importJWK(options.publicJwk, "RS256");
    const audience = `https://${ACCOUNT_HOST}`;
    const collPath = `/dbs/${options.database}/colls/${options.container}`;
    const documents = new Map<string, Record<string, unknown>>();
    const requests: RecordedRequest[] = [];
    const attempts = new Map<string, number>();
    let port = 0;

    const fake: FakeCosmos = {
        endpoint: `https://${ACCOUNT_HOST}/`,
        port: 0,
        cert: tls.cert,
        documents,
        requests,
        fault: undefined,
        // The service limit is 2 MB per item; tests lower it.
        maxDocumentBytes: 2 * 1024 * 1024,
        reset() {
            documents.clear();
            requests.length = 0;
            attempts.clear();
            fake.fault = undefined;
            fake.maxDocumentBytes = 2 * 1024 * 1024;
        },
        agent() {
            const agent = new https.Agent({ keepAlive: true, ca: tls.cert });
            const create = agent.createConnection.bind(agent) as (o: object, cb?: unknown) => unknown;
            (agent as unknown as { createConnection: unknown }).createConnection = (o: object, cb?: unknown) =>
                create({ ...o, host: "127.0.0.1", port, servername: ACCOUNT_HOST }, cb);
            return agent;
        },
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };

    const reply = (res: http.ServerResponse, rec: RecordedRequest, status: number, body: unknown, headers: Record<string, string> = {}) => {
        rec.status = status;
        requests.push(rec);
        res.writeHead(status, {
            "content-type": "application/json",
            "x-ms-activity-id": randomUUID(),
            "x-ms-request-charge": status < 300 ? "5.71" : "0",
            "x-ms-session-token": "0:-1#1",
            ...headers,
        });
        res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const error = (res: http.ServerResponse, rec: RecordedRequest, status: number, code: string, message: string, headers?: Record<string, string>) =>
        reply(res, rec, status, { code, message }, headers);

    const server = https.createServer({ key: tls.key, cert: tls.cert }, async (req, res) => {
        const url = new URL(req.url ?? "/", audience);
        const rec: RecordedRequest = { method: req.method ?? "", path: url.pathname, headers: req.headers, status: 0 };
        const raw = await readBody(req);

        const auth = String(req.headers.authorization ?? "");
        const prefix = "type=aad&ver=1.0&sig=";
        const token = auth.startsWith(prefix) ? auth.slice(prefix.length) : decodeURIComponent(auth).startsWith(prefix) ? decodeURIComponent(auth).slice(prefix.length) : "";
        try {
            await jwtVerify(token, verifyKey, { audience, issuer: ISSUER, algorithms: ["RS256"] });
        } catch {
            return error(res, rec, 401, "Unauthorized", "The input authorization token can't serve the request.");
        }
        // x-ms-date is part of a key signature; with an Entra ID token the SDK does not send it.
        if (!req.headers["x-ms-version"]) return error(res, rec, 400, "BadRequest", "x-ms-version is required");

        if (req.method === "GET" && (url.pathname === "/" || url.pathname === "")) {
            const location = [{ name: "West Europe", databaseAccountEndpoint: `https://${ACCOUNT_HOST}:443/` }];
            return reply(res, rec, 200, {
                _self: "",
                id: ACCOUNT,
                _rid: ACCOUNT_HOST,
                media: "//media/",
                addresses: "//addresses/",
                _dbs: "//dbs/",
                writableLocations: location,
                readableLocations: location,
                enableMultipleWriteLocations: false,
                userReplicationPolicy: { asyncReplication: false, minReplicaSetSize: 3, maxReplicasetSize: 4 },
                userConsistencyPolicy: { defaultConsistencyLevel: "Session" },
                systemReplicationPolicy: { minReplicaSetSize: 3, maxReplicasetSize: 4 },
                readPolicy: { primaryReadCoefficient: 1, secondaryReadCoefficient: 1 },
            });
        }
        if (req.method === "GET" && url.pathname === collPath) {
            return reply(res, rec, 200, {
                id: options.container,
                indexingPolicy: { indexingMode: "consistent", automatic: true, includedPaths: [{ path: "/*" }], excludedPaths: [{ path: '/"_etag"/?' }] },
                partitionKey: { paths: ["/partitionKey"], kind: "Hash", version: 2 },
                defaultTtl: 2592000,
                _rid: "PaNqAM2iGJA=",
                _ts: 1767225600,
                _self: "dbs/PaNqAA==/colls/PaNqAM2iGJA=/",
                _etag: '"00000000-0000-0000-0000-000000000000"',
                _docs: "docs/",
                _sprocs: "sprocs/",
                _triggers: "triggers/",
                _udfs: "udfs/",
                _conflicts: "conflicts/",
            });
        }
        if (req.method === "POST" && url.pathname === `${collPath}/docs`) {
            if (String(req.headers["x-ms-documentdb-is-upsert"]).toLowerCase() !== "true") {
                return error(res, rec, 400, "BadRequest", "this fake accepts upserts only");
            }
            let doc: { id: string; partitionKey?: unknown; [k: string]: unknown };
            try {
                doc = JSON.parse(raw.toString("utf8"));
            } catch {
                return error(res, rec, 400, "BadRequest", "The request payload is invalid.");
            }
            rec.docId = doc.id;
            const attempt = (attempts.get(doc.id) ?? 0) + 1;
            attempts.set(doc.id, attempt);
            const injected = fake.fault?.(doc, attempt);
            if (injected) return error(res, rec, injected.status, String(injected.status), "injected by the test", injected.headers);
            if (raw.length > fake.maxDocumentBytes) return error(res, rec, 413, "RequestEntityTooLarge", "Request size is too large");
            let headerKey: unknown;
            try {
                headerKey = JSON.parse(String(req.headers["x-ms-documentdb-partitionkey"]));
            } catch {
                headerKey = undefined;
            }
            if (!Array.isArray(headerKey) || headerKey.length !== 1 || headerKey[0] !== doc.partitionKey) {
                return error(res, rec, 400, "BadRequest", "PartitionKey extracted from document doesn't match the one specified in the header.");
            }
            const key = `${String(doc.partitionKey)}|${doc.id}`;
            const existed = documents.has(key);
            const stored = { ...doc, _rid: "PaNqAM2iGJABAAAAAAAAAA==", _self: `dbs/PaNqAA==/colls/PaNqAM2iGJA=/docs/${documents.size}/`, _etag: `"${randomUUID()}"`, _attachments: "attachments/", _ts: Math.floor(Date.now() / 1000) };
            documents.set(key, stored);
            return reply(res, rec, existed ? 200 : 201, stored, { etag: String(stored._etag) });
        }
        return error(res, rec, 404, "NotFound", `no ${req.method} ${url.pathname} here`);
    });
    port = await listen(server);
    fake.port = port;
    return fake;
}
