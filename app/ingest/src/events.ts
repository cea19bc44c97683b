/**
 * What one invocation of the Event Hubs trigger (cardinality "many") hands the function, split into
 * one record per event.
 *
 * Where the values come from:
 * - The Event Hubs extension puts, per batch, `PartitionContext` and the arrays `PartitionKeyArray`,
 *   `OffsetArray`, `SequenceNumberArray`, `EnqueuedTimeUtcArray`, `PropertiesArray` (application
 *   properties) and `SystemPropertiesArray` into the binding data, index-aligned with the events;
 *   each system-properties entry is the event's `EventData.SystemProperties` plus `SequenceNumber`,
 *   `Offset`, `PartitionKey` and `EnqueuedTimeUtc` (Azure/azure-sdk-for-net,
 *   sdk/eventhub/Microsoft.Azure.WebJobs.Extensions.EventHubs/src/Triggers/EventHubTriggerBindingStrategy.cs,
 *   `AddBindingData` and `GetSystemPropertiesForBinding`).
 * - The Node.js library turns that binding data into `context.triggerMetadata`, lower-casing the
 *   first letter of every key, recursively, values included (Azure/azure-functions-nodejs-library,
 *   src/converters/fromRpcTriggerMetadata.ts and toCamelCase.ts). So the arrays arrive as
 *   `systemPropertiesArray`, `propertiesArray`, `enqueuedTimeUtcArray`, `sequenceNumberArray`,
 *   `offsetArray`, `partitionContext.partitionId`; hyphenated IoT Hub names (`iothub-...`,
 *   `message-id`, `content-type`) already start lower-case and arrive unchanged, while an
 *   application property `Temperature` arrives as `temperature`.
 * - IoT Hub names its system properties on an Event Hubs endpoint `message-id`, `correlation-id`,
 *   `user-id`, `iothub-connection-device-id`, `iothub-connection-module-id`,
 *   `iothub-connection-auth-generation-id`, `iothub-connection-auth-method`, `content-type`,
 *   `content-encoding`, `iothub-enqueuedtime`, `dt-dataschema`, `dt-subject` (MicrosoftDocs/azure-docs,
 *   articles/iot-hub/iot-hub-devguide-messages-construct.md, "System Property Names"; Event Grid
 *   uses `iothub-content-type`/`iothub-content-encoding`, read here as fallbacks).
 * - `EnqueuedTimeUtc` is `EventData.EnqueuedTime.DateTime`, a .NET DateTime without an offset, so
 *   it can arrive as "2026-03-13T01:25:02.25" with no "Z": it is UTC, never local time.
 */

/** One event of the batch, before mapping. */
export interface TriggerEvent {
    /** The body as the worker delivered it (a Buffer with dataType "binary"). */
    body: unknown;
    /** System properties by name (IoT Hub's and Event Hubs' own), as delivered. */
    systemProperties: Record<string, unknown>;
    /** Application properties, as delivered (first letter of each name lower-cased by the worker). */
    properties: Record<string, unknown>;
    /** Event Hubs' enqueued time of the event, as delivered. */
    enqueuedTimeUtc: unknown;
    sequenceNumber: unknown;
    offset: unknown;
    /** The Event Hubs partition the batch came from (every event of a batch shares it). */
    partitionId: string | undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** A metadata entry by name, whatever the casing the host and the worker left it in. */
export function metadataValue(metadata: Record<string, unknown>, name: string): unknown {
    if (name in metadata) return metadata[name];
    const lower = name.toLowerCase();
    for (const key of Object.keys(metadata)) {
        if (key.toLowerCase() === lower) return metadata[key];
    }
    return undefined;
}

/**
 * Splits the trigger input and `context.triggerMetadata` into events. A single (non-array) input,
 * which cardinality "one" would deliver, is taken as a batch of one with the non-array metadata.
 */
export function eventsFromTrigger(messages: unknown, triggerMetadata: Record<string, unknown> | undefined): TriggerEvent[] {
    const metadata = triggerMetadata ?? {};
    const partitionContext = asRecord(metadataValue(metadata, "partitionContext"));
    const partitionIdValue = metadataValue(partitionContext, "partitionId");
    const partitionId = partitionIdValue == null ? undefined : String(partitionIdValue);

    if (!Array.isArray(messages)) {
        return [
            {
                body: messages,
                systemProperties: asRecord(metadataValue(metadata, "systemProperties")),
                properties: asRecord(metadataValue(metadata, "properties")),
                enqueuedTimeUtc: metadataValue(metadata, "enqueuedTimeUtc"),
                sequenceNumber: metadataValue(metadata, "sequenceNumber"),
                offset: metadataValue(metadata, "offset"),
                partitionId,
            },
        ];
    }

    const systemProperties = asArray(metadataValue(metadata, "systemPropertiesArray"));
    const properties = asArray(metadataValue(metadata, "propertiesArray"));
    const enqueued = asArray(metadataValue(metadata, "enqueuedTimeUtcArray"));
    const sequenceNumbers = asArray(metadataValue(metadata, "sequenceNumberArray"));
    const offsets = asArray(metadataValue(metadata, "offsetArray"));
    return messages.map((body, i) => ({
        body,
        systemProperties: asRecord(systemProperties[i]),
        properties: asRecord(properties[i]),
        enqueuedTimeUtc: enqueued[i],
        sequenceNumber: sequenceNumbers[i],
        offset: offsets[i],
        partitionId,
    }));
}
