/**
 * Trigger input shaped as the Functions host and the Node.js worker deliver it, for tests and the
 * benchmark: the binding data of the Event Hubs extension (EventHubTriggerBindingStrategy.AddBindingData:
 * PartitionContext + the *Array entries, PascalCase, SystemProperties extended with SequenceNumber,
 * Offset, PartitionKey and EnqueuedTimeUtc), then the worker's conversion into
 * `context.triggerMetadata` (first letter of every key lower-cased, recursively:
 * azure-functions-nodejs-library src/converters/toCamelCase.ts). Bodies are Buffers, as with
 * dataType "binary".
 */

export interface FixtureEvent {
    body: Buffer | Uint8Array | ArrayBuffer | string | unknown;
    /** IoT Hub system properties by their Event Hubs names (message-id, iothub-connection-device-id, ...). */
    system?: Record<string, unknown>;
    /** Application properties, as the device set them. */
    properties?: Record<string, unknown>;
    /** Event Hubs' enqueued time as .NET serializes a DateTime without offset, e.g. "2026-03-13T01:25:02.25". */
    enqueuedTimeUtc?: string;
    sequenceNumber?: number;
    offset?: string;
}

export function workerCamelCase(value: unknown): unknown {
    if (typeof value !== "object" || value === null || Buffer.isBuffer(value)) return value;
    if (Array.isArray(value)) return value.map(workerCamelCase);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), workerCamelCase(v)]));
}

export function triggerBatch(events: FixtureEvent[], partitionId = "3"): { messages: unknown[]; triggerMetadata: Record<string, unknown> } {
    const bindingData = {
        PartitionContext: { FullyQualifiedNamespace: "ns-telemetry.servicebus.windows.net", EventHubName: "telemetry", ConsumerGroup: "ingest", PartitionId: partitionId },
        PartitionKeyArray: events.map(() => null),
        OffsetArray: events.map((e, i) => e.offset ?? String(4096 + i * 512)),
        SequenceNumberArray: events.map((e, i) => e.sequenceNumber ?? 1000 + i),
        EnqueuedTimeUtcArray: events.map((e) => e.enqueuedTimeUtc ?? "2026-03-13T01:25:02.25"),
        PropertiesArray: events.map((e) => e.properties ?? {}),
        SystemPropertiesArray: events.map((e, i) => ({
            "x-opt-sequence-number": e.sequenceNumber ?? 1000 + i,
            "x-opt-offset": e.offset ?? String(4096 + i * 512),
            "x-opt-enqueued-time": `${e.enqueuedTimeUtc ?? "2026-03-13T01:25:02.25"}+00:00`,
            ...(e.system ?? {}),
            SequenceNumber: e.sequenceNumber ?? 1000 + i,
            Offset: e.offset ?? String(4096 + i * 512),
            PartitionKey: null,
            EnqueuedTimeUtc: e.enqueuedTimeUtc ?? "2026-03-13T01:25:02.25",
        })),
    };
    return { messages: events.map((e) => e.body), triggerMetadata: workerCamelCase(bindingData) as Record<string, unknown> };
}

/** A typical device message: JSON telemetry with IoT Hub's system properties. */
export function deviceMessage(i: number, overrides: Partial<FixtureEvent> = {}): FixtureEvent {
    const device = `sensor-${String(i % 50).padStart(3, "0")}`;
    return {
        body: Buffer.from(JSON.stringify({ temperature: 20 + (i % 10) / 10, humidity: 40 + (i % 7), seq: i })),
        system: {
            "message-id": `msg-${i}`,
            "iothub-connection-device-id": device,
            "iothub-connection-auth-method": '{"scope":"device","type":"x509Certificate","issuer":"external","acceptingIpFilterRule":null}',
            "iothub-connection-auth-generation-id": "638000000000000000",
            "iothub-enqueuedtime": "2026-03-13T01:25:02.123Z",
            "iothub-message-source": "Telemetry",
            "content-type": "application/json",
            "content-encoding": "utf-8",
        },
        properties: { alert: i % 13 === 0 ? "true" : "false" },
        ...overrides,
    };
}
