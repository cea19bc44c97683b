/**
 * The pure mapping: one IoT Hub message, as the Event Hubs trigger delivers it, to one Cosmos DB
 * document. No I/O, no clock, no randomness: the same event always gives the same document, which
 * is what makes a redelivered batch an overwrite rather than a duplicate.
 */
import { createHash } from "node:crypto";
import { decodeBody, type BodyFormat } from "./body";
import { metadataValue, type TriggerEvent } from "./events";
import { TELEMETRY_PARTITION_KEY } from "./settings";

/** Partition used for messages without a device id: `#` cannot occur in an IoT Hub device id. */
export const NO_DEVICE_PARTITION = "#no-device";

/** How the document id was derived (kept on the document, for whoever debugs a duplicate). */
export type IdSource = "message-id" | "iothub-enqueuedtime" | "eventhubs-position";

export interface TelemetryDocument {
    id: string;
    /** `{deviceId}-{YYYY}-{MM}` of `enqueuedTime` (UTC); property name from TELEMETRY_PARTITION_KEY. */
    partitionKey: string;
    deviceId: string | null;
    moduleId?: string;
    messageId?: string;
    correlationId?: string;
    /** When IoT Hub received the message (`iothub-enqueuedtime`), else when Event Hubs did; ISO 8601 UTC. */
    enqueuedTime: string;
    eventHubs: { partitionId?: string; sequenceNumber?: number; offset?: string; enqueuedTime?: string };
    messageSource?: string;
    contentType?: string;
    contentEncoding?: string;
    /** `dt-dataschema`: the device's model id (IoT Plug and Play). */
    dataSchema?: string;
    /** `dt-subject`: the component that sent the message. */
    component?: string;
    /** Application properties (names as the worker delivers them: first letter lower-cased). */
    properties: Record<string, unknown>;
    body: unknown;
    bodyFormat: BodyFormat;
    bodyError?: string;
    deviceIdMissing?: true;
    /** Neither IoT Hub's nor Event Hubs' enqueued time could be read; the partition uses 0000-00. */
    enqueuedTimeMissing?: true;
    idSource: IdSource;
    /** Seconds; only when TELEMETRY_TTL_SECONDS is set (else the container's default TTL applies). */
    ttl?: number;
}

export interface MappingOptions {
    ttlSeconds?: number;
}

function str(value: unknown): string | undefined {
    if (value == null) return undefined;
    if (typeof value === "string") return value === "" ? undefined : value;
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
    return JSON.stringify(value);
}

/** A system property, by IoT Hub's name or a fallback name, case-insensitively. */
function systemProperty(props: Record<string, unknown>, ...names: string[]): string | undefined {
    for (const name of names) {
        const v = str(metadataValue(props, name));
        if (v !== undefined) return v;
    }
    return undefined;
}

const ZONE = /(?:[zZ]|[+-]\d{2}:?\d{2})$/;

/** ISO 8601 UTC of a delivered timestamp; a string without a zone designator is UTC (see events.ts). */
export function toUtcIso(value: unknown): string | undefined {
    let ms: number;
    if (value instanceof Date) ms = value.getTime();
    else if (typeof value === "string" && value.trim() !== "") {
        const text = value.trim();
        ms = Date.parse(ZONE.test(text) || !text.includes("T") ? text : `${text}Z`);
    } else return undefined;
    return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function toInteger(value: unknown): number | undefined {
    const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    return Number.isSafeInteger(n) ? n : undefined;
}

const TOKENS: Record<string, (deviceId: string, iso: string | undefined) => string> = {
    "{deviceid}": (deviceId) => deviceId,
    "{YYYY}": (_d, iso) => (iso ? iso.slice(0, 4) : "0000"),
    "{MM}": (_d, iso) => (iso ? iso.slice(5, 7) : "00"),
    "{DD}": (_d, iso) => (iso ? iso.slice(8, 10) : "00"),
};

/** Renders the shared partition key template; fails at load for a token this module cannot fill. */
function compileTemplate(template: string): (deviceId: string, iso: string | undefined) => string {
    const pieces = template.split(/(\{[^}]*\})/).filter((p) => p !== "");
    const parts = pieces.map((piece) => {
        if (!piece.startsWith("{")) return () => piece;
        const fill = TOKENS[piece];
        if (!fill) throw new Error(`partition key template ${template}: unsupported token ${piece}`);
        return fill;
    });
    return (deviceId, iso) => parts.map((p) => p(deviceId, iso)).join("");
}

const renderPartitionKey = compileTemplate(TELEMETRY_PARTITION_KEY.template);

/**
 * The document id: SHA-256 (hex, 64 characters, so within Cosmos DB's 255-character limit and free
 * of the characters an id may not hold) of the message's identity, chosen so that every copy of one
 * message maps to one id, and two different messages to two ids:
 *
 * 1. `message-id` present: device id + module id + message id + the body's SHA-256. A redelivered
 *    batch (Event Hubs hands out the same events after a failed invocation or a lease move) and a
 *    device that resends a message after a lost acknowledgement (new enqueued time, same message id
 *    and bytes) both collapse onto one document; a device that reuses message ids for different
 *    payloads (a counter reset at reboot) does not overwrite earlier data, because the body differs.
 * 2. No message id: device id + module id + `iothub-enqueuedtime` + the body's SHA-256. IoT Hub
 *    stamps the enqueued time once, when it accepts the message, so a copy that IoT Hub's routing
 *    writes twice to the event hub (its delivery is at least once) and an Event Hubs redelivery
 *    share it.
 * 3. Neither (a producer other than IoT Hub): Event Hubs partition + sequence number, which Event
 *    Hubs assigns once per stored event and keeps across redelivery.
 *
 * Cosmos DB ids are unique per logical partition; the partition comes from the enqueued time, which
 * is the same for every redelivery of one event. (A device resend that straddles a month boundary
 * lands in two partitions and so is stored twice: harmless and rare.)
 */
function documentId(parts: readonly (string | number | undefined)[]): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

function sha256(bytes: Uint8Array): string {
    return createHash("sha256").update(bytes).digest("hex");
}

/** Maps one event. Never throws for any body or metadata. */
export function toTelemetryDocument(event: TriggerEvent, options: MappingOptions = {}): TelemetryDocument {
    const sys = event.systemProperties;
    const deviceId = systemProperty(sys, "iothub-connection-device-id") ?? null;
    const moduleId = systemProperty(sys, "iothub-connection-module-id");
    const messageId = systemProperty(sys, "message-id");
    const contentType = systemProperty(sys, "content-type", "iothub-content-type") ?? str(metadataValue(event.properties, "content-type"));
    const contentEncoding =
        systemProperty(sys, "content-encoding", "iothub-content-encoding") ?? str(metadataValue(event.properties, "content-encoding"));
    const messageSource = systemProperty(sys, "iothub-message-source") ?? str(metadataValue(event.properties, "iothub-message-source"));

    const hubEnqueued = toUtcIso(metadataValue(sys, "iothub-enqueuedtime"));
    const ehEnqueued =
        toUtcIso(event.enqueuedTimeUtc) ?? toUtcIso(metadataValue(sys, "enqueuedTimeUtc")) ?? toUtcIso(metadataValue(sys, "x-opt-enqueued-time"));
    const enqueuedTime = hubEnqueued ?? ehEnqueued;
    const sequenceNumber = toInteger(event.sequenceNumber) ?? toInteger(metadataValue(sys, "sequenceNumber")) ?? toInteger(metadataValue(sys, "x-opt-sequence-number"));
    const offset = str(event.offset) ?? str(metadataValue(sys, "offset")) ?? str(metadataValue(sys, "x-opt-offset"));

    const decoded = decodeBody(event.body, contentType, contentEncoding);

    let idSource: IdSource;
    let id: string;
    if (messageId !== undefined) {
        idSource = "message-id";
        id = documentId([idSource, deviceId ?? "", moduleId ?? "", messageId, sha256(decoded.bytes)]);
    } else if (hubEnqueued !== undefined) {
        idSource = "iothub-enqueuedtime";
        id = documentId([idSource, deviceId ?? "", moduleId ?? "", hubEnqueued, sha256(decoded.bytes)]);
    } else {
        idSource = "eventhubs-position";
        id = documentId([idSource, event.partitionId ?? "", sequenceNumber ?? "", offset ?? "", ehEnqueued ?? "", sha256(decoded.bytes)]);
    }

    const doc: TelemetryDocument = {
        id,
        [TELEMETRY_PARTITION_KEY.name]: renderPartitionKey(deviceId ?? NO_DEVICE_PARTITION, enqueuedTime),
        deviceId,
        enqueuedTime: enqueuedTime ?? "",
        eventHubs: {},
        properties: { ...event.properties },
        body: decoded.body,
        bodyFormat: decoded.bodyFormat,
        idSource,
    } as TelemetryDocument;
    if (moduleId !== undefined) doc.moduleId = moduleId;
    if (messageId !== undefined) doc.messageId = messageId;
    const correlationId = systemProperty(sys, "correlation-id");
    if (correlationId !== undefined) doc.correlationId = correlationId;
    if (event.partitionId !== undefined) doc.eventHubs.partitionId = event.partitionId;
    if (sequenceNumber !== undefined) doc.eventHubs.sequenceNumber = sequenceNumber;
    if (offset !== undefined) doc.eventHubs.offset = offset;
    if (ehEnqueued !== undefined) doc.eventHubs.enqueuedTime = ehEnqueued;
    if (messageSource !== undefined) doc.messageSource = messageSource;
    if (contentType !== undefined) doc.contentType = contentType;
    if (contentEncoding !== undefined) doc.contentEncoding = contentEncoding;
    const dataSchema = systemProperty(sys, "dt-dataschema");
    if (dataSchema !== undefined) doc.dataSchema = dataSchema;
    const component = systemProperty(sys, "dt-subject");
    if (component !== undefined) doc.component = component;
    if (decoded.bodyError !== undefined) doc.bodyError = decoded.bodyError;
    if (deviceId === null) doc.deviceIdMissing = true;
    if (enqueuedTime === undefined) doc.enqueuedTimeMissing = true;
    if (options.ttlSeconds !== undefined) doc.ttl = options.ttlSeconds;
    return doc;
}

/** Maps a whole batch (see events.ts for what the trigger delivers). */
export function toTelemetryDocuments(events: readonly TriggerEvent[], options: MappingOptions = {}): TelemetryDocument[] {
    return events.map((e) => toTelemetryDocument(e, options));
}
