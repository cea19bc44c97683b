/**
 * Writing documents to Cosmos DB for NoSQL, keyless.
 *
 * Network: the JavaScript SDK has one connection mode, gateway: HTTPS to the account endpoint on
 * port 443 ("Direct mode is currently only supported on .NET and Java SDK platforms"; gateway mode
 * uses HTTPS, SQL API port 443: https://learn.microsoft.com/azure/cosmos-db/nosql/sdk-connection-modes).
 * So the function needs TCP 443 to the account's private endpoint and nothing else (no 10000-20000
 * or 0-65535 range that direct mode needs); the NSG opens 443 only.
 *
 * Authentication: Entra ID only (the account has local auth off). The SDK asks the credential for
 * `<account endpoint>/.default` and sends `Authorization: type=aad&ver=1.0&sig=<token>`; the
 * identity needs the Cosmos DB Built-in Data Contributor role (00000000-0000-0000-0000-000000000002)
 * on the container.
 */
import type { Agent } from "node:https";
import { CosmosClient, type Container } from "@azure/cosmos";
import type { TokenCredential } from "@azure/identity";
import type { TelemetryDocument } from "./mapping";

export interface CosmosTarget {
    endpoint: string;
    database: string;
    container: string;
}

export function createContainerClient(target: CosmosTarget, credential: TokenCredential, agent?: Agent): Container {
    const client = new CosmosClient({
        endpoint: target.endpoint,
        aadCredentials: credential,
        userAgentSuffix: "telemetry-ingest",
        // Each request gives up after 10 s (SDK default 60 s): a batch that cannot be written fails
        // fast, and the trigger's retry policy redelivers it.
        connectionPolicy: { requestTimeout: 10_000 },
        ...(agent ? { agent } : {}),
    });
    return client.database(target.database).container(target.container);
}

/** Statuses that concern one document only: logged and skipped, never retried. */
const DOCUMENT_ERRORS = new Set([400, 413]);

const ready = new WeakMap<Container, Promise<void>>();

/**
 * Reads the container once per process (which also reads the account at "/"): a 400, 401, 403 or
 * 404 there is about the account, the role assignment or the configuration, not a document, and
 * must not be mistaken for a per-document rejection. A failure is not cached.
 */
async function ensureReadable(container: Container): Promise<void> {
    let pending = ready.get(container);
    if (!pending) {
        pending = container.read().then(() => undefined);
        ready.set(container, pending);
    }
    try {
        await pending;
    } catch (err) {
        ready.delete(container);
        const status = statusOf(err) ?? String((err as { code?: unknown })?.code ?? (err as Error)?.name ?? "error");
        throw new RetryableWriteError(`Cosmos DB container not readable (status ${status}); the batch will be redelivered`, [status]);
    }
}

export interface Logger {
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
}

export interface SkippedDocument {
    deviceId: string | null;
    messageId: string | undefined;
    status: number;
}

export interface WriteResult {
    written: number;
    skipped: SkippedDocument[];
}

function statusOf(err: unknown): number | undefined {
    const code = (err as { code?: unknown })?.code;
    return typeof code === "number" ? code : undefined;
}

/** Thrown when the batch must be redelivered (the host's retry policy does that). */
export class RetryableWriteError extends Error {
    constructor(
        message: string,
        readonly statuses: (number | string)[],
    ) {
        super(message);
        this.name = "RetryableWriteError";
    }
}

/**
 * Upserts every document (idempotent by id), at most `concurrency` requests at a time over the
 * SDK's keep-alive connections. The SDK itself retries 429 (waiting `x-ms-retry-after-ms`) and
 * fails over reads; what it gives up on is sorted here:
 * - 400 or 413 (malformed or too large document): logged with device id and message id only (no
 *   body, no token), skipped; the rest of the batch goes on. (The container is read first, so a
 *   400 cannot come from the account or container read; a batch whose every document gets 400 is
 *   retried instead, since that is a fault here rather than in the documents.)
 * - anything else (429 after the SDK's retries, 401/403 from a role assignment not yet in place,
 *   404 of a missing container, 408/449/5xx, timeouts, network errors): it would fail every other
 *   document too, or pass with time; no further writes start, and once those in flight settle this
 *   throws, so the invocation fails and the batch is redelivered. Re-upserting the documents that
 *   were written is harmless: same id, same partition, same content.
 */
export async function upsertDocuments(container: Container, docs: readonly TelemetryDocument[], log: Logger, concurrency = 16): Promise<WriteResult> {
    try {
        await ensureReadable(container);
    } catch (err) {
        log.error((err as Error).message);
        throw err;
    }
    let next = 0;
    let written = 0;
    const skipped: SkippedDocument[] = [];
    const fatal: (number | string)[] = [];

    const worker = async (): Promise<void> => {
        while (fatal.length === 0 && next < docs.length) {
            const doc = docs[next++];
            try {
                await container.items.upsert(doc, { disableAutomaticIdGeneration: true });
                written++;
            } catch (err) {
                const status = statusOf(err);
                if (status !== undefined && DOCUMENT_ERRORS.has(status)) {
                    skipped.push({ deviceId: doc.deviceId, messageId: doc.messageId, status });
                    log.warn(
                        `telemetry document not stored: status ${status}, deviceId ${doc.deviceId ?? "(none)"}, messageId ${doc.messageId ?? "(none)"}, id ${doc.id}`,
                    );
                } else {
                    fatal.push(status ?? String((err as { code?: unknown })?.code ?? (err as Error)?.name ?? "error"));
                }
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, docs.length)) }, worker));

    // Every document of a batch refused with 400 points at this code, not at the documents: keep
    // the batch (retry) rather than drop all of it.
    if (docs.length > 1 && skipped.length === docs.length && skipped.every((s) => s.status === 400)) {
        fatal.push(400);
    }
    if (fatal.length > 0) {
        const message = `telemetry batch not fully stored: ${fatal.length} write(s) failed with ${[...new Set(fatal)].join(", ")}; ${written} written, ${skipped.length} skipped, ${docs.length - next} not attempted; the batch will be redelivered`;
        log.error(message);
        throw new RetryableWriteError(message, fatal);
    }
    return { written, skipped };
}
