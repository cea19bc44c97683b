/**
 * The contract with the Pulumi program, in a process of its own (it loads the program's
 * components, and with them the Pulumi SDK): the partition key the container is declared with and
 * IoT Hub's Cosmos DB route writes is the one the function's documents carry.
 */
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { TELEMETRY_PARTITION_KEY as PROGRAM_PARTITION_KEY } from "../../../components/telemetryStore";
import { toTelemetryDocument } from "../src/mapping";
import { TELEMETRY_PARTITION_KEY } from "../src/settings";

describe("ingest contract with the program", () => {
    it("uses the container's partition key (name and template) of components/telemetryStore.ts", () => {
        assert.deepEqual(TELEMETRY_PARTITION_KEY, PROGRAM_PARTITION_KEY);
        const doc = toTelemetryDocument({
            body: Buffer.from("{}"),
            systemProperties: { "iothub-connection-device-id": "dev-1", "iothub-enqueuedtime": "2026-07-04T12:00:00Z" },
            properties: {},
            enqueuedTimeUtc: "2026-07-04T12:00:01",
            sequenceNumber: 1,
            offset: "0",
            partitionId: "0",
        }) as unknown as Record<string, unknown>;
        assert.equal(doc[PROGRAM_PARTITION_KEY.name], "dev-1-2026-07");
    });
});
