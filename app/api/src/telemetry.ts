/**
 * Telemetry reads from Cosmos DB for NoSQL, newest first, one logical partition at a time.
 *
 * Documents carry `deviceId`, `enqueuedTime` (ISO 8601 UTC, as written by the ingest function and
 * the hub's route) and `partitionKey` = `{deviceId}-{YYYY}-{MM}` of the enqueued time (the
 * container's key, components/telemetryStore.ts TELEMETRY_PARTITION_KEY). A request covers the
 * months from `since` to now: the newest month's partition is read first, ORDER BY enqueuedTime
 * DESC, then the one before, so every Cosmos query is a single-partition query (no fan-out, no
 * cross-partition query plan) with a parameterized SQL text that never contains request data.
 *
 * Paging: the client's continuation token is this module's own, opaque to the client: the month
 * being read, Cosmos DB's continuation within that partition (the `x-ms-continuation` of
 * learn.microsoft.com/rest/api/cosmos-db/query-documents), and the device and `since` it belongs to.
 */
import type { Container, ErrorResponse } from "@azure/cosmos";
import { ApiError, badRequest } from "./http";

/** The only query text the API sends; request values travel as parameters. */
export const TELEMETRY_QUERY = "SELECT * FROM c WHERE c.deviceId = @deviceId AND c.enqueuedTime >= @since ORDER BY c.enqueuedTime DESC";

/** Oldest `since` accepted, in days before now (bounds a request to at most 14 monthly partitions). */
export const MAX_WINDOW_DAYS = 366;
export const DEFAULT_WINDOW_HOURS = 24;
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;
/** Cosmos round trips one API request may make before it hands back a continuation. */
const MAX_ROUND_TRIPS = 32;
const MAX_CONTINUATION_CHARS = 4096;

export interface TelemetryQuery {
    deviceId: string;
    since: Date;
    now: Date;
    limit: number;
    resume?: ResumePoint;
}

export interface ResumePoint {
    /** `YYYY-MM` of the partition to continue in. */
    month: string;
    /** Cosmos DB's continuation inside that partition; null to start it from the top. */
    cosmos: string | null;
}

export interface TelemetryPage {
    items: Record<string, unknown>[];
    continuation: string | null;
}

/** `YYYY-MM` of every month from `now` back to `since` (UTC), newest first. */
export function monthsBetween(since: Date, now: Date): string[] {
    const out: string[] = [];
    let y = now.getUTCFullYear();
    let m = now.getUTCMonth();
    const endY = since.getUTCFullYear();
    const endM = since.getUTCMonth();
    while (y > endY || (y === endY && m >= endM)) {
        out.push(`${y}-${String(m + 1).padStart(2, "0")}`);
        m -= 1;
        if (m < 0) {
            m = 11;
            y -= 1;
        }
    }
    return out;
}

/** The partition key value of a device's month, as the hub's route template `{deviceid}-{YYYY}-{MM}` renders it. */
export const partitionKeyOf = (deviceId: string, month: string): string => `${deviceId}-${month}`;

interface TokenBody {
    v: 1;
    d: string;
    s: string;
    m: string;
    c: string | null;
}

export function encodeContinuation(deviceId: string, since: Date, resume: ResumePoint): string {
    const body: TokenBody = { v: 1, d: deviceId, s: since.toISOString(), m: resume.month, c: resume.cosmos };
    return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

/** Decodes a client's continuation token; the device must match, and `since` is the token's. */
export function decodeContinuation(token: string, deviceId: string): { since: Date; resume: ResumePoint } {
    const bad = () => badRequest("invalid-continuation", "The continuation token is malformed or belongs to another query; start again without it.");
    if (token.length > MAX_CONTINUATION_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
    let body: Partial<TokenBody>;
    try {
        body = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<TokenBody>;
    } catch {
        throw bad();
    }
    if (
        body === null ||
        typeof body !== "object" ||
        body.v !== 1 ||
        body.d !== deviceId ||
        typeof body.s !== "string" ||
        typeof body.m !== "string" ||
        !/^\d{4}-(0[1-9]|1[0-2])$/.test(body.m) ||
        !(body.c === null || (typeof body.c === "string" && body.c.length <= 2048))
    ) {
        throw bad();
    }
    const since = new Date(body.s);
    if (Number.isNaN(since.getTime()) || since.toISOString() !== body.s) throw bad();
    return { since, resume: { month: body.m, cosmos: body.c } };
}

const SYSTEM_PROPERTIES = new Set(["_rid", "_self", "_etag", "_attachments", "_ts", "_lsn"]);

function publicView(doc: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) if (!SYSTEM_PROPERTIES.has(k)) out[k] = v;
    return out;
}

function mapCosmosError(err: unknown): ApiError {
    const code = (err as ErrorResponse | undefined)?.code;
    if (code === 429) {
        return new ApiError({ status: 503, type: "store-throttled", title: "Telemetry store busy", detail: "Cosmos DB is throttling the API; retry later.", headers: { "retry-after": "5" } });
    }
    if (code === 400) return badRequest("invalid-continuation", "The telemetry store rejected the continuation token; start again without it.");
    if (code === 401 || code === 403) {
        return new ApiError({ status: 502, type: "store-access-denied", title: "Telemetry store refused the API", detail: "Cosmos DB refused the API's identity; its data-plane role assignment needs checking." });
    }
    if (code === 404) {
        return new ApiError({ status: 502, type: "store-misconfigured", title: "Telemetry container not found", detail: "The configured Cosmos DB database or container does not exist." });
    }
    return new ApiError({ status: 502, type: "store-error", title: "Telemetry store error", detail: "Reading telemetry from Cosmos DB failed." });
}

export class TelemetryReader {
    constructor(private readonly container: Container) {}

    async page(q: TelemetryQuery): Promise<TelemetryPage> {
        const months = monthsBetween(q.since, q.now);
        let index = 0;
        let cosmos: string | undefined;
        if (q.resume) {
            index = months.indexOf(q.resume.month);
            if (index < 0) throw badRequest("invalid-continuation", "The continuation token is outside the query's time window; start again without it.");
            cosmos = q.resume.cosmos ?? undefined;
        }
        const spec = {
            query: TELEMETRY_QUERY,
            parameters: [
                { name: "@deviceId", value: q.deviceId },
                { name: "@since", value: q.since.toISOString() },
            ],
        };
        const items: Record<string, unknown>[] = [];
        for (let trips = 0; index < months.length && items.length < q.limit && trips < MAX_ROUND_TRIPS; trips++) {
            let page;
            try {
                page = await this.container.items
                    .query<Record<string, unknown>>(spec, {
                        partitionKey: partitionKeyOf(q.deviceId, months[index]),
                        maxItemCount: q.limit - items.length,
                        ...(cosmos !== undefined ? { continuationToken: cosmos } : {}),
                    })
                    .fetchNext();
            } catch (err) {
                throw mapCosmosError(err);
            }
            for (const doc of page.resources) items.push(publicView(doc));
            if (page.continuationToken) {
                cosmos = page.continuationToken;
            } else {
                index += 1;
                cosmos = undefined;
            }
        }
        return {
            items,
            continuation: index < months.length ? encodeContinuation(q.deviceId, q.since, { month: months[index], cosmos: cosmos ?? null }) : null,
        };
    }
}
