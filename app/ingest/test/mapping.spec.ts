import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeBody, isJsonContentType } from "../src/body";
import { parseTtlSeconds, readSettings } from "../src/config";
import { eventsFromTrigger } from "../src/events";
import { NO_DEVICE_PARTITION, toTelemetryDocument, toTelemetryDocuments, toUtcIso } from "../src/mapping";
import { INGEST_SETTINGS, TELEMETRY_PARTITION_KEY } from "../src/settings";
import { deviceMessage, triggerBatch, type FixtureEvent } from "./fixtures";

function mapOne(e: FixtureEvent, ttlSeconds?: number) {
    const { messages, triggerMetadata } = triggerBatch([e]);
    return toTelemetryDocument(eventsFromTrigger(messages, triggerMetadata)[0], { ttlSeconds });
}

describe("ingest mapping: trigger input to Cosmos DB documents", () => {
    it("maps every IoT Hub system property, the application properties and the Event Hubs position", () => {
        const doc = mapOne({
            body: Buffer.from('{"temperature":21.5,"unit":"C"}'),
            system: {
                "message-id": "m-0001",
                "correlation-id": "c-7",
                "iothub-connection-device-id": "sensor-007",
                "iothub-connection-module-id": "edge-agent",
                "iothub-enqueuedtime": "2026-03-31T23:59:59.500Z",
                "iothub-message-source": "Telemetry",
                "content-type": "application/json; charset=utf-8",
                "content-encoding": "utf-8",
                "dt-dataschema": "dtmi:com:example:Thermostat;1",
                "dt-subject": "thermostat1",
            },
            properties: { Severity: "high", building: "B1" },
            enqueuedTimeUtc: "2026-04-01T00:00:00.75",
            sequenceNumber: 42,
            offset: "8192",
        });
        assert.deepEqual(
            { ...doc, id: undefined },
            {
                id: undefined,
                partitionKey: "sensor-007-2026-03",
                deviceId: "sensor-007",
                moduleId: "edge-agent",
                messageId: "m-0001",
                correlationId: "c-7",
                enqueuedTime: "2026-03-31T23:59:59.500Z",
                eventHubs: { partitionId: "3", sequenceNumber: 42, offset: "8192", enqueuedTime: "2026-04-01T00:00:00.750Z" },
                messageSource: "Telemetry",
                contentType: "application/json; charset=utf-8",
                contentEncoding: "utf-8",
                dataSchema: "dtmi:com:example:Thermostat;1",
                component: "thermostat1",
                // The worker lower-cases the first letter of every metadata key: "Severity" arrives as "severity".
                properties: { severity: "high", building: "B1" },
                body: { temperature: 21.5, unit: "C" },
                bodyFormat: "json",
                idSource: "message-id",
            },
        );
        assert.match(doc.id, /^[0-9a-f]{64}$/);
        assert.equal(TELEMETRY_PARTITION_KEY.name in doc, true);
    });

    it("gives every copy of one message the same id, and different messages different ids", () => {
        const base = deviceMessage(7);
        const first = mapOne(base);
        // Redelivered by Event Hubs: the same event, same position.
        assert.equal(mapOne(base).id, first.id);
        // Written twice to the event hub by IoT Hub's routing, or resent by the device after a lost
        // acknowledgement: other sequence number, other enqueued times, same message id and bytes.
        const resent = mapOne({
            ...base,
            sequenceNumber: 999_999,
            offset: "77",
            enqueuedTimeUtc: "2026-03-20T10:00:00",
            system: { ...base.system, "iothub-enqueuedtime": "2026-03-20T10:00:00.000Z" },
        });
        assert.equal(resent.id, first.id);
        assert.equal(resent.partitionKey, first.partitionKey);
        // A device that reuses a message id for another payload does not overwrite the first one.
        assert.notEqual(mapOne({ ...base, body: Buffer.from('{"temperature":99}') }).id, first.id);
        // Another device with the same message id.
        assert.notEqual(mapOne({ ...base, system: { ...base.system, "iothub-connection-device-id": "other" } }).id, first.id);
        // The whole batch of a redelivery maps to the same ids.
        const batch = Array.from({ length: 20 }, (_, i) => deviceMessage(i));
        const once = triggerBatch(batch);
        const ids = toTelemetryDocuments(eventsFromTrigger(once.messages, once.triggerMetadata)).map((d) => d.id);
        const again = triggerBatch(batch);
        assert.deepEqual(toTelemetryDocuments(eventsFromTrigger(again.messages, again.triggerMetadata)).map((d) => d.id), ids);
        assert.equal(new Set(ids).size, 20);
    });

    it("without a message id, derives the id from IoT Hub's enqueued time and the body, else from the Event Hubs position", () => {
        const system = { ...deviceMessage(1).system, "message-id": undefined };
        const a = mapOne({ ...deviceMessage(1), system, sequenceNumber: 5 });
        const b = mapOne({ ...deviceMessage(1), system, sequenceNumber: 6, offset: "1" });
        assert.equal(a.idSource, "iothub-enqueuedtime");
        assert.equal(a.id, b.id);
        assert.equal(a.messageId, undefined);
        assert.notEqual(mapOne({ ...deviceMessage(1), system: { ...system, "iothub-enqueuedtime": "2026-03-13T01:25:02.124Z" } }).id, a.id);

        const foreign = { body: Buffer.from("x"), system: {}, sequenceNumber: 10, offset: "100" };
        const c = mapOne(foreign);
        assert.equal(c.idSource, "eventhubs-position");
        assert.equal(mapOne(foreign).id, c.id);
        assert.notEqual(mapOne({ ...foreign, sequenceNumber: 11 }).id, c.id);
    });

    it("keeps a malformed JSON body as base64 with bodyError, and never throws", () => {
        const text = '{"temperature": 21.5,';
        const doc = mapOne({ ...deviceMessage(2), body: Buffer.from(text) });
        assert.equal(doc.bodyFormat, "base64");
        assert.equal(doc.bodyError, "invalid-json");
        assert.equal(Buffer.from(doc.body as string, "base64").toString(), text);

        const bad = mapOne({ ...deviceMessage(2), body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
        assert.equal(bad.bodyError, "invalid-utf-8");
        assert.deepEqual(Buffer.from(bad.body as string, "base64"), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));

        const empty = mapOne({ ...deviceMessage(2), body: Buffer.alloc(0) });
        assert.equal(empty.bodyError, "invalid-json");
        assert.equal(empty.body, "");

        const gzip = mapOne({ ...deviceMessage(2), system: { ...deviceMessage(2).system, "content-encoding": "gzip" } });
        assert.equal(gzip.bodyError, "unsupported-content-encoding");
        assert.equal(gzip.bodyFormat, "base64");
    });

    it("keeps binary bodies (Buffer, Uint8Array, ArrayBuffer, a view) as base64 without error when not JSON", () => {
        const bytes = [0, 1, 2, 250, 251, 252, 253, 254, 255];
        const system = { "iothub-connection-device-id": "cam-1", "message-id": "b1", "content-type": "application/octet-stream" };
        const expected = Buffer.from(bytes).toString("base64");
        const backing = new Uint8Array([9, 9, ...bytes, 9]);
        const forms: unknown[] = [Buffer.from(bytes), new Uint8Array(bytes), new Uint8Array(bytes).buffer, new DataView(backing.buffer, 2, bytes.length)];
        const ids = new Set<string>();
        for (const body of forms) {
            const doc = mapOne({ body, system });
            assert.equal(doc.body, expected);
            assert.equal(doc.bodyFormat, "base64");
            assert.equal(doc.bodyError, undefined);
            ids.add(doc.id);
        }
        assert.equal(ids.size, 1, "the same bytes give the same id whatever container they arrive in");
        // No content type at all: binary too (as IoT Hub's own Cosmos DB endpoint does).
        const untyped = mapOne({ body: Buffer.from('{"a":1}'), system: { "iothub-connection-device-id": "d" } });
        assert.equal(untyped.bodyFormat, "base64");
        assert.equal(untyped.bodyError, undefined);
    });

    it("takes strings and values the worker already parsed", () => {
        const system = { "iothub-connection-device-id": "d1", "message-id": "s1", "content-type": "application/json" };
        assert.deepEqual(mapOne({ body: '{"a":[1,2]}', system }).body, { a: [1, 2] });
        const notJson = mapOne({ body: "hello", system });
        assert.equal(notJson.bodyError, "invalid-json");
        assert.equal(Buffer.from(notJson.body as string, "base64").toString(), "hello");
        assert.equal(mapOne({ body: "hello", system: { ...system, "content-type": "text/plain" } }).body, Buffer.from("hello").toString("base64"));
        const parsed = mapOne({ body: { temperature: 3 }, system });
        assert.deepEqual(parsed.body, { temperature: 3 });
        assert.equal(parsed.bodyFormat, "json");
        assert.equal(mapOne({ body: 42, system }).body, 42);
        assert.equal(mapOne({ body: null, system }).body, null);
    });

    it("flags a message without device id and stores it under a partition no device can have", () => {
        const doc = mapOne({ body: Buffer.from("{}"), system: { "message-id": "x", "content-type": "application/json", "iothub-enqueuedtime": "2026-01-05T00:00:00Z" } });
        assert.equal(doc.deviceId, null);
        assert.equal(doc.deviceIdMissing, true);
        assert.equal(doc.partitionKey, `${NO_DEVICE_PARTITION}-2026-01`);
    });

    it("sets ttl only when TELEMETRY_TTL_SECONDS is set, and validates it", () => {
        assert.equal(mapOne(deviceMessage(3), 86_400).ttl, 86_400);
        assert.equal("ttl" in mapOne(deviceMessage(3)), false);
        assert.equal(parseTtlSeconds(undefined), undefined);
        assert.equal(parseTtlSeconds(" "), undefined);
        assert.equal(parseTtlSeconds("-1"), -1);
        assert.equal(parseTtlSeconds("2592000"), 2_592_000);
        for (const bad of ["0", "-2", "1.5", "abc", "2147483648", "1e3"]) {
            assert.throws(() => parseTtlSeconds(bad), new RegExp(INGEST_SETTINGS.ttlSeconds));
        }
    });

    it("decodes UTF-16 and UTF-32 JSON bodies, with or without BOM, and a charset given in the content type", () => {
        const text = '{"t":"25°C","city":"Zürich"}';
        const le = Buffer.from(text, "utf16le");
        const be = Buffer.from(le).swap16();
        const utf32 = (order: "le" | "be") => {
            const cps = [...text].map((c) => c.codePointAt(0)!);
            const buf = Buffer.alloc(cps.length * 4);
            cps.forEach((cp, i) => (order === "le" ? buf.writeUInt32LE(cp, i * 4) : buf.writeUInt32BE(cp, i * 4)));
            return buf;
        };
        const cases: [Buffer, string | undefined, string][] = [
            [le, "utf-16", "application/json"],
            [be, "utf-16", "application/json"],
            [Buffer.concat([Buffer.from([0xff, 0xfe]), le]), "utf-16", "application/json"],
            [Buffer.concat([Buffer.from([0xfe, 0xff]), be]), "utf-16", "application/json"],
            [le, undefined, "application/json; charset=utf-16le"],
            [utf32("le"), "utf-32", "application/json"],
            [utf32("be"), "utf-32", "application/json"],
            [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), "utf-8", "application/json"],
            [Buffer.from(text), undefined, "application/vnd.example.telemetry+json"],
        ];
        for (const [bytes, encoding, contentType] of cases) {
            const decoded = decodeBody(bytes, contentType, encoding);
            assert.deepEqual(decoded.body, { t: "25°C", city: "Zürich" }, `${contentType} ${encoding}`);
            assert.equal(decoded.bodyError, undefined);
        }
        assert.equal(decodeBody(Buffer.from([0, 0xd8, 0x7b, 0]), "application/json", "utf-16le").bodyError, "invalid-utf-16");
        assert.equal(decodeBody(Buffer.from([1, 2, 3]), "application/json", "utf-32").bodyError, "invalid-utf-32");
        assert.equal(isJsonContentType("Application/JSON;charset=UTF-8"), true);
        assert.equal(isJsonContentType("application/jsonx"), false);
    });

    it("reads Event Hubs' enqueued time as UTC even without an offset, and partitions by the UTC month", (t) => {
        // A zone-less string would be read as local time by Date.parse: run this in a zone that is not UTC.
        const tz = process.env.TZ;
        process.env.TZ = "America/New_York";
        t.after(() => {
            if (tz === undefined) delete process.env.TZ;
            else process.env.TZ = tz;
        });
        assert.equal(new Date(2026, 0, 1).getTimezoneOffset(), 300, "the time zone switch took effect");
        assert.equal(toUtcIso("2026-03-13T01:25:02.25"), "2026-03-13T01:25:02.250Z");
        assert.equal(toUtcIso("2026-03-13T01:25:02.25+02:00"), "2026-03-12T23:25:02.250Z");
        assert.equal(toUtcIso(new Date(Date.UTC(2026, 0, 1))), "2026-01-01T00:00:00.000Z");
        assert.equal(toUtcIso("not a date"), undefined);
        assert.equal(toUtcIso(12), undefined);
        const system = { "iothub-connection-device-id": "d", "message-id": "m" };
        assert.equal(mapOne({ body: Buffer.from("1"), system, enqueuedTimeUtc: "2026-12-31T23:59:59.9" }).partitionKey, "d-2026-12");
        const late = mapOne({ body: Buffer.from("1"), system: { ...system, "iothub-enqueuedtime": "2026-12-31T22:30:00-02:00" } });
        assert.equal(late.partitionKey, "d-2027-01");
        assert.equal(late.enqueuedTime, "2027-01-01T00:30:00.000Z");
        const timeless = toTelemetryDocument({ body: Buffer.from("1"), systemProperties: system, properties: {}, enqueuedTimeUtc: undefined, sequenceNumber: 1, offset: "1", partitionId: "0" });
        assert.equal(timeless.partitionKey, "d-0000-00");
        assert.equal(timeless.enqueuedTimeMissing, true);
    });

    it("splits the trigger input into events, and takes a single (cardinality one) input as a batch of one", () => {
        const { messages, triggerMetadata } = triggerBatch([deviceMessage(1), deviceMessage(2)], "7");
        const events = eventsFromTrigger(messages, triggerMetadata);
        assert.equal(events.length, 2);
        assert.equal(events[1].partitionId, "7");
        assert.equal(events[1].systemProperties["iothub-connection-device-id"], "sensor-002");
        assert.equal(events[1].sequenceNumber, 1001);
        const single = eventsFromTrigger(Buffer.from("{}"), {
            systemProperties: { "iothub-connection-device-id": "solo" },
            enqueuedTimeUtc: "2026-02-02T00:00:00",
            sequenceNumber: 9,
        });
        assert.equal(single.length, 1);
        assert.equal(toTelemetryDocument(single[0]).partitionKey, "solo-2026-02");
        assert.deepEqual(eventsFromTrigger([], undefined), []);
    });

    it("maps any body and any metadata without throwing, deterministically", () => {
        const body = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string(), fc.jsonValue(), fc.constant(undefined));
        const text = fc.option(fc.string({ maxLength: 20 }), { nil: undefined });
        fc.assert(
            fc.property(body, text, text, text, fc.option(fc.constantFrom("application/json", "text/plain", "application/json;charset=utf-16"), { nil: undefined }), (b, device, messageId, encoding, contentType) => {
                const event = {
                    body: b,
                    system: { "iothub-connection-device-id": device, "message-id": messageId, "content-encoding": encoding, "content-type": contentType },
                };
                const doc = mapOne(event);
                assert.equal(mapOne(event).id, doc.id);
                assert.match(doc.id, /^[0-9a-f]{64}$/);
                assert.ok(doc.partitionKey.endsWith("-2026-03"));
                assert.ok(doc.bodyFormat === "json" || typeof doc.body === "string");
                JSON.stringify(doc);
            }),
            { numRuns: 300 },
        );
    });

    it("maps a batch of 1000 messages in well under a second", () => {
        const { messages, triggerMetadata } = triggerBatch(Array.from({ length: 1000 }, (_, i) => deviceMessage(i)));
        const start = process.hrtime.bigint();
        const docs = toTelemetryDocuments(eventsFromTrigger(messages, triggerMetadata), { ttlSeconds: 3600 });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        assert.equal(docs.length, 1000);
        assert.equal(new Set(docs.map((d) => d.id)).size, 1000);
        assert.ok(ms < 1000, `mapping 1000 messages took ${ms.toFixed(0)} ms`);
    });

    it("reads its settings and reports every problem at once", () => {
        const ok = readSettings({
            COSMOS_ENDPOINT: "https://acct.documents.azure.com:443/",
            COSMOS_DATABASE: "telemetry",
            COSMOS_CONTAINER: "messages",
            AZURE_CLIENT_ID: "00000000-0000-0000-0000-0000000000aa",
            TELEMETRY_TTL_SECONDS: "604800",
        });
        assert.deepEqual(ok, {
            cosmosEndpoint: "https://acct.documents.azure.com:443/",
            cosmosDatabase: "telemetry",
            cosmosContainer: "messages",
            clientId: "00000000-0000-0000-0000-0000000000aa",
            ttlSeconds: 604_800,
        });
        assert.throws(
            () => readSettings({ COSMOS_ENDPOINT: "http://acct", TELEMETRY_TTL_SECONDS: "0" }),
            (e: Error) => ["COSMOS_ENDPOINT must be an https", "COSMOS_DATABASE is not set", "COSMOS_CONTAINER is not set", "TELEMETRY_TTL_SECONDS must be"].every((s) => e.message.includes(s)),
        );
    });
});
