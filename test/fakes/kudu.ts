/**
 * Loopback stand-ins for the two services a Flex Consumption one deploy talks to, built from their
 * documented shapes, not from our provider's code:
 *
 * - FakeAppServiceIdentity: the App Service managed identity endpoint (`IDENTITY_ENDPOINT` +
 *   `IDENTITY_HEADER`, api-version 2019-08-01: GET with `resource=<audience>` and the
 *   `X-IDENTITY-HEADER` secret, answering `{ access_token, expires_on, resource, token_type }`), the
 *   protocol MSAL's AppService managed identity source speaks (@azure/msal-node
 *   client/ManagedIdentitySources/AppService). So the provider's own DefaultAzureCredential gets a
 *   real RS256 token whose audience is the resource it asked for.
 * - FakeKudu: the SCM site's `POST /api/publish` (zip body, 202 with the deployment id and a
 *   Location to poll; 409 for a running deployment) and `GET /api/deployments/latest` (Kudu's
 *   deployment record, `status` 0-6/-1 as the Azure CLI's `_check_zip_deployment_status_flex`
 *   reads it). Every request must carry a bearer token this identity signed, for the expected
 *   audience (default the App Service audience), or it gets a 401. Answers are scripted per test.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomUUID } from "node:crypto";
import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from "jose";

export const APP_SERVICE_AUDIENCE = "https://appservice.azure.com";

async function listen(server: http.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

export class FakeAppServiceIdentity {
    readonly header = randomUUID();
    readonly tenantId = randomUUID();
    readonly clientId = randomUUID();
    readonly resourcesRequested: string[] = [];
    private server?: http.Server;
    url = "";

    private constructor(private readonly privateKey: CryptoKey, readonly publicKey: CryptoKey) {}

    static async start(): Promise<FakeAppServiceIdentity> {
        const { privateKey, publicKey } = await generateKeyPair("RS256");
        const f = new FakeAppServiceIdentity(privateKey, publicKey);
        f.server = http.createServer((req, res) => void f.handle(req, res));
        f.url = `${await listen(f.server)}/msi/token`;
        return f;
    }

    get issuer(): string {
        return `https://sts.windows.net/${this.tenantId}/`;
    }

    /** A token as this identity signs it, for tests that need one directly. */
    async mint(audience: string): Promise<string> {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ appid: this.clientId, idtyp: "app", tid: this.tenantId, ver: "1.0" })
            .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "fake-msi" })
            .setIssuer(this.issuer)
            .setAudience(audience)
            .setIssuedAt(now)
            .setNotBefore(now - 5)
            .setExpirationTime(now + 3600)
            .sign(this.privateKey);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const resource = url.searchParams.get("resource");
        if (req.method !== "GET" || url.pathname !== "/msi/token" || url.searchParams.get("api-version") !== "2019-08-01" || !resource) {
            res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_request" }));
            return;
        }
        if (req.headers["x-identity-header"] !== this.header) {
            res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized", error_description: "X-IDENTITY-HEADER" }));
            return;
        }
        this.resourcesRequested.push(resource);
        const expiresOn = Math.floor(Date.now() / 1000) + 3600;
        res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({ access_token: await this.mint(resource), expires_on: String(expiresOn), resource, token_type: "Bearer", client_id: this.clientId }),
        );
    }

    /** The environment DefaultAzureCredential reads for an App Service managed identity, and no other credential. */
    environment(): Record<string, string> {
        return { IDENTITY_ENDPOINT: this.url, IDENTITY_HEADER: this.header, AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential" };
    }

    async close(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
}

export interface ScriptedAnswer {
    status: number;
    headers?: Record<string, string>;
    /** JSON-encoded unless a string. */
    body?: unknown;
}

export interface KuduRequest {
    method: string;
    path: string;
    query: Record<string, string>;
    contentType: string | undefined;
    /** SHA-256 of the body (POST). */
    sha256?: string;
    /** The verified token's audience, or the reason it was refused. */
    audience?: string;
    refused?: string;
    /** The Authorization header as received (to check that nothing kept it). */
    authorization?: string;
}

export class FakeKudu {
    readonly requests: KuduRequest[] = [];
    /** Answers to POST /api/publish, in order (the last one repeats). */
    publishAnswers: ScriptedAnswer[] = [];
    /** Answers to the status URL, in order (the last one repeats). */
    statusAnswers: ScriptedAnswer[] = [];
    expectedAudience = APP_SERVICE_AUDIENCE;
    readonly deploymentId = randomUUID();
    private server?: http.Server;
    url = "";
    private publishCount = 0;
    private statusCount = 0;

    private constructor(private readonly identity: FakeAppServiceIdentity) {}

    static async start(identity: FakeAppServiceIdentity): Promise<FakeKudu> {
        const k = new FakeKudu(identity);
        k.server = http.createServer((req, res) => void k.handle(req, res));
        k.url = await listen(k.server);
        k.reset();
        return k;
    }

    /** The happy path: accepted, then building, then success. */
    reset(): void {
        this.requests.length = 0;
        this.publishCount = 0;
        this.statusCount = 0;
        this.expectedAudience = APP_SERVICE_AUDIENCE;
        this.publishAnswers = [this.accepted()];
        this.statusAnswers = [this.record(1, "Building"), this.record(4, "Deployment successful.")];
    }

    /** Kudu's 202 for an asynchronous one deploy: the deployment id, and where to poll. */
    accepted(): ScriptedAnswer {
        return { status: 202, headers: { location: `${this.url}/api/deployments/latest?deploymentId=${this.deploymentId}` }, body: this.deploymentId };
    }

    /** A deployment record as /api/deployments/latest returns it. */
    record(status: number, statusText: string, extra: Record<string, unknown> = {}): ScriptedAnswer {
        return {
            status: 200,
            body: {
                id: this.deploymentId,
                status,
                status_text: statusText,
                author: "N/A",
                deployer: "secure-iot-pulumi",
                message: "OneDeploy",
                complete: status === 3 || status === 4,
                log_url: `${this.url}/api/deployments/${this.deploymentId}/log`,
                ...extra,
            },
        };
    }

    get publishes(): KuduRequest[] {
        return this.requests.filter((r) => r.method === "POST" && r.path === "/api/publish");
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", this.url);
        const body = await readBody(req);
        const auth = req.headers.authorization;
        const entry: KuduRequest = {
            method: req.method ?? "",
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            contentType: req.headers["content-type"],
            ...(auth ? { authorization: auth } : {}),
            ...(req.method === "POST" ? { sha256: createHash("sha256").update(body).digest("hex") } : {}),
        };
        this.requests.push(entry);
        const token = /^Bearer (.+)$/.exec(auth ?? "")?.[1];
        try {
            if (!token) throw new Error("no bearer token");
            const { payload } = await jwtVerify(token, this.identity.publicKey, { issuer: this.identity.issuer, audience: this.expectedAudience, algorithms: ["RS256"] });
            entry.audience = String(payload.aud);
        } catch (err) {
            entry.refused = err instanceof Error ? err.message : String(err);
            res.writeHead(401, { "www-authenticate": 'Bearer realm="scm"' }).end("401 - Unauthorized: Access is denied due to invalid credentials.");
            return;
        }
        let answer: ScriptedAnswer | undefined;
        if (req.method === "POST" && url.pathname === "/api/publish") {
            answer = this.publishAnswers[Math.min(this.publishCount++, this.publishAnswers.length - 1)];
        } else if (req.method === "GET" && url.pathname === "/api/deployments/latest") {
            answer = this.statusAnswers[Math.min(this.statusCount++, this.statusAnswers.length - 1)];
        }
        if (!answer) {
            res.writeHead(404).end();
            return;
        }
        const text = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
        res.writeHead(answer.status, { ...(typeof answer.body === "object" ? { "content-type": "application/json" } : {}), ...(answer.headers ?? {}) }).end(text);
    }

    async close(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
}
