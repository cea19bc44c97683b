/**
 * Benchmark (not a test): throughput of the ingest mapping (trigger input -> Cosmos DB documents,
 * ids hashed, bodies decoded), in messages per second, on batches shaped as the host delivers them
 * (Buffers, camel-cased trigger metadata). The Cosmos DB writes are not part of it: they are network
 * bound and measured by nothing here.
 *
 *   npm run bench:ingest [-- --batch 100 --seconds 3]
 */
import { parseArgs } from "node:util";
import { eventsFromTrigger } from "../src/events";
import { toTelemetryDocuments } from "../src/mapping";
import { deviceMessage, triggerBatch, type FixtureEvent } from "../test/fixtures";

function mixedEvent(i: number): FixtureEvent {
    const base = deviceMessage(i);
    // 1 in 20 binary, 1 in 50 malformed JSON, the rest JSON telemetry as devices send it.
    if (i % 20 === 0) return { ...base, body: Buffer.alloc(256, i % 256), system: { ...base.system, "content-type": "application/octet-stream" } };
    if (i % 50 === 1) return { ...base, body: Buffer.from('{"temperature": 21.5,') };
    return base;
}

function main() {
    const { values } = parseArgs({ options: { batch: { type: "string", default: "100" }, seconds: { type: "string", default: "3" } } });
    const batchSize = Math.max(1, Number(values.batch));
    const seconds = Math.max(0.5, Number(values.seconds));
    const batches = Array.from({ length: 50 }, (_, b) => triggerBatch(Array.from({ length: batchSize }, (_, i) => mixedEvent(b * batchSize + i))));
    const bodyBytes = batches[0].messages.reduce<number>((n, m) => n + (m as Buffer).length, 0) / batchSize;

    // Warm-up (JIT), then timed rounds.
    for (let i = 0; i < 20; i++) toTelemetryDocuments(eventsFromTrigger(batches[i % 50].messages, batches[i % 50].triggerMetadata), { ttlSeconds: 2_592_000 });
    let messages = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round(seconds * 1e9));
    let i = 0;
    while (process.hrtime.bigint() < deadline) {
        const { messages: input, triggerMetadata } = batches[i++ % 50];
        messages += toTelemetryDocuments(eventsFromTrigger(input, triggerMetadata), { ttlSeconds: 2_592_000 }).length;
    }
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    const rate = messages / elapsed;
    console.log(
        `ingest mapping: ${Math.round(rate).toLocaleString("en-US")} messages/s (${messages.toLocaleString("en-US")} messages in ${elapsed.toFixed(2)} s, batches of ${batchSize}, ~${Math.round(bodyBytes)} B bodies, node ${process.version}, 1 core)`,
    );
}

if (require.main === module) main();
