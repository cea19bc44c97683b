/**
 * A loopback fake of the Cosmos DB for NoSQL gateway (HTTPS; the SDK sends Entra ID tokens over TLS
 * only), enough for the API's telemetry query through the real @azure/cosmos SDK. It asserts what
 * the REST reference defines for "Query Documents" (learn.microsoft.com/rest/api/cosmos-db/query-documents):
 * POST /dbs/{db}/colls/{coll}/docs, `x-ms-documentdb-isquery: True`, `Content-Type:
 * application/query+json`, a `{query, parameters}` body, `x-ms-max-item-count`, `x-ms-continuation`;
 * plus the logical partition in `x-ms-documentdb-partitionkey` and an Entra ID token
 * (`type=aad&ver=1.0&sig=<token>`) really signed by the managed identity for the account's scope.
 *
 * It runs exactly one query text, the API's, and evaluates it itself (filter on deviceId and
 * enqueuedTime, ORDER BY enqueuedTime DESC, paged by offset continuations), so a change to the
 * query, or request data spliced into its text, fails the tests.
 */
import type * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { FakeManagedIdentity } from "./identity";
import type { Certificate } from "./tls";

export const EXPECTED_QUERY = "SELECT * FROM c WHERE c.deviceId = @deviceId AND c.enqueuedTime >= @since ORDER BY c.enqueuedTime DESC";

export interface TelemetryDoc {
    id: string;
    deviceId: string;
    partitionKey: string;
    enqueuedTime: string;
    [k: string]: unknown;
}

export interface RecordedQuery {
    partitionKey: string;
    maxItemCount: number;
    continuation: string | undefined;
    parameters: Record<string, unknown>;
    returned: number;
}

export interface FakeCosmosOptions {
    certificate: Certificate;
    identity: FakeManagedIdentity;
    database: string;
    container: string;
}

export class FakeCosmos {
    readonly docs: TelemetryDoc[] = [];
    readonly queries: RecordedQuery[] = [];
    readonly violations: string[] = [];
    queryPlanRequests = 0;
    private server: https.Server | undefined;
    endpoint = "";

    constructor(private readonly options: FakeCosmosOptions) {}

    async start(): Promise<void> {
        this.server = https.createServer({ key: this.options.certificate.key, cert: this.options.certificate.cert }, (req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                this.handle(req, Buffer.concat(chunks)).then(
                    ({ status, body, headers }) => {
                        res.writeHead(status, { "content-type": "application/json", "x-ms-request-charge": "2.5", "x-ms-activity-id": "00000000-0000-0000-0000-000000000000", ...(headers ?? {}) });
                        res.end(JSON.stringify(body));
                    },
                    () => {
                        res.writeHead(500).end();
                    },
                );
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.endpoint = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    }

    async close(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    }

    private fail(status: number, text: string): { status: number; body: unknown } {
        this.violations.push(text);
        return { status, body: { code: status === 401 ? "Unauthorized" : "BadRequest", message: `fake Cosmos DB: ${text}` } };
    }

    private async handle(req: http.IncomingMessage, raw: Buffer): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
        const auth = decodeURIComponent(String(req.headers.authorization ?? ""));
        const m = /^type=aad&ver=1\.0&sig=(.+)$/.exec(auth);
        try {
            if (!m) throw new Error("no Entra ID authorization");
            // The SDK asks for the account scope `<endpoint>/.default`: the audience is the endpoint's origin.
            await this.options.identity.verify(m[1], this.endpoint.replace(/\/$/, ""));
        } catch (err) {
            return this.fail(401, `unauthorized: ${(err as Error).message}`);
        }
        if (!req.headers["x-ms-version"]) return this.fail(400, "no x-ms-version");
        const url = new URL(req.url ?? "/", this.endpoint);
        const base = this.endpoint;
        const { database, container } = this.options;

        if (req.method === "GET" && url.pathname === "/") {
            // Database account: one region, this endpoint.
            return {
                status: 200,
                body: {
                    id: "fake",
                    _rid: "fake.documents.azure.com",
                    writableLocations: [{ name: "Local", databaseAccountEndpoint: base }],
                    readableLocations: [{ name: "Local", databaseAccountEndpoint: base }],
                    enableMultipleWriteLocations: false,
                    userConsistencyPolicy: { defaultConsistencyLevel: "Session" },
                },
            };
        }
        const collPath = `/dbs/${encodeURIComponent(database)}/colls/${encodeURIComponent(container)}`;
        if (req.method === "GET" && url.pathname === collPath) {
            return { status: 200, body: { id: container, _rid: "AAAAAA==", partitionKey: { paths: ["/partitionKey"], kind: "Hash", version: 2 } } };
        }
        if (req.method === "GET" && url.pathname === `${collPath}/pkranges`) {
            return { status: 200, body: { _rid: "AAAAAA==", PartitionKeyRanges: [{ id: "0", minInclusive: "", maxExclusive: "FF", parents: [] }], _count: 1 } };
        }
        if (req.method !== "POST" || url.pathname !== `${collPath}/docs`) return this.fail(404, `no such resource ${req.method} ${url.pathname}`);

        let body: { query?: unknown; parameters?: unknown };
        try {
            body = JSON.parse(raw.toString("utf8"));
        } catch {
            return this.fail(400, "query body is not JSON");
        }
        if (req.headers["x-ms-cosmos-is-query-plan-request"]) {
            // The SDK may ask for a plan; a single-partition query never needs one.
            this.queryPlanRequests += 1;
            return {
                status: 200,
                body: {
                    partitionedQueryExecutionInfoVersion: 2,
                    queryInfo: { distinctType: "None", orderBy: ["Descending"], orderByExpressions: ["c.enqueuedTime"], groupByExpressions: [], aggregates: [], hasSelectValue: false },
                    queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }],
                },
            };
        }
        if (String(req.headers["x-ms-documentdb-isquery"]).toLowerCase() !== "true") return this.fail(400, "x-ms-documentdb-isquery is not True");
        if (req.headers["content-type"] !== "application/query+json") return this.fail(400, `content-type ${req.headers["content-type"]}`);
        if (body.query !== EXPECTED_QUERY) return this.fail(400, `unexpected query text: ${String(body.query)}`);
        if (!Array.isArray(body.parameters)) return this.fail(400, "parameters is not an array");
        const params: Record<string, unknown> = {};
        for (const p of body.parameters as { name?: unknown; value?: unknown }[]) if (typeof p.name === "string") params[p.name] = p.value;
        if (typeof params["@deviceId"] !== "string" || typeof params["@since"] !== "string") return this.fail(400, "missing @deviceId or @since");

        let pk: string;
        try {
            const parsed = JSON.parse(String(req.headers["x-ms-documentdb-partitionkey"]));
            if (!Array.isArray(parsed) || parsed.length !== 1 || typeof parsed[0] !== "string") throw new Error();
            pk = parsed[0];
        } catch {
            return this.fail(400, "x-ms-documentdb-partitionkey is not a one-value JSON array (a cross-partition query)");
        }
        const maxHeader = Number(req.headers["x-ms-max-item-count"] ?? -1);
        const max = maxHeader > 0 ? maxHeader : 100;
        const cont = req.headers["x-ms-continuation"] as string | undefined;
        let offset = 0;
        if (cont) {
            try {
                const c = JSON.parse(Buffer.from(cont, "base64").toString("utf8")) as { pk: string; offset: number };
                if (c.pk !== pk) return this.fail(400, "continuation of another partition");
                offset = c.offset;
            } catch {
                return { status: 400, body: { code: "BadRequest", message: "Invalid continuation token" } };
            }
        }
        const matching = this.docs
            .filter((d) => d.partitionKey === pk && d.deviceId === params["@deviceId"] && d.enqueuedTime >= (params["@since"] as string))
            .sort((a, b) => (a.enqueuedTime < b.enqueuedTime ? 1 : a.enqueuedTime > b.enqueuedTime ? -1 : a.id.localeCompare(b.id)));
        const page = matching.slice(offset, offset + max);
        const next = offset + page.length < matching.length ? Buffer.from(JSON.stringify({ pk, offset: offset + page.length })).toString("base64") : undefined;
        this.queries.push({ partitionKey: pk, maxItemCount: max, continuation: cont, parameters: params, returned: page.length });
        return {
            status: 200,
            body: { _rid: "AAAAAA==", Documents: page.map((d) => ({ ...d, _rid: "x", _self: "x", _etag: '"0"', _attachments: "attachments/", _ts: 1 })), _count: page.length },
            headers: next ? { "x-ms-continuation": next } : {},
        };
    }
}

/** Sample documents as the ingest function writes them: `{deviceId}-{YYYY}-{MM}` partitions of the enqueued time. */
export function sampleTelemetry(deviceId: string, times: Date[]): TelemetryDoc[] {
    return times.map((t, i) => {
        const iso = t.toISOString();
        return {
            id: `${deviceId}-${i}`,
            deviceId,
            partitionKey: `${deviceId}-${iso.slice(0, 4)}-${iso.slice(5, 7)}`,
            enqueuedTime: iso,
            body: { temperature: 20 + (i % 10), humidity: 40 + (i % 7) },
            bodyFormat: "json",
            properties: {},
            idSource: "message-id",
        };
    });
}
