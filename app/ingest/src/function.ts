/**
 * The Event Hubs-triggered function: its trigger definition and its handler.
 */
import { trigger, type GenericFunctionOptions, type InvocationContext, type RetryOptions } from "@azure/functions";
import type { Container } from "@azure/cosmos";
import { upsertDocuments } from "./cosmos";
import { eventsFromTrigger } from "./events";
import { toTelemetryDocuments } from "./mapping";
import { INGEST_SETTINGS } from "./settings";

/**
 * Retry policy of the trigger. Event Hubs is one of the triggers with runtime retry policies, and
 * its checkpoint is not written until the policy is done with a batch (MicrosoftDocs/azure-docs,
 * articles/azure-functions/functions-bindings-error-pages.md, "Retry policies"); once a policy gives
 * up, the checkpoint moves on and the batch is gone. So retries never stop (-1): a batch waits, with
 * back-off up to 5 minutes, until Cosmos DB takes it, and the partition's progress waits with it
 * (the lag alert shows it). Only writes that can never succeed (400/413 per document) are dropped,
 * after being logged (cosmos.ts).
 */
export const INGEST_RETRY: RetryOptions = {
    strategy: "exponentialBackoff",
    maxRetryCount: -1,
    minimumInterval: { seconds: 5 },
    maximumInterval: { minutes: 5 },
};

/**
 * The trigger binding. `dataType: "binary"` makes the host hand every body over as bytes (a Buffer
 * each): without it, a batch (cardinality "many") is bound as JSON objects, and one body that is not
 * JSON fails the whole batch before any code runs ("Binding parameters to complex objects (such as
 * 'Object') uses Json.NET serialization", Azure/azure-functions-eventhubs-extension#118,
 * Azure/azure-functions-nodejs-library#187 and #340), and a UTF-16 or binary body would be mangled
 * by the string conversion. With bytes, this code decides (body.ts). The v4 library has no typed
 * `dataType` option yet (Azure/azure-functions-nodejs-library#72); it passes every property of the
 * trigger object on to the binding (src/converters/toCoreFunctionMetadata.ts), so it is set here.
 * `%NAME%` makes the host read the event hub and consumer group names from app settings; the
 * connection is a setting prefix for an identity-based connection (settings.ts).
 */
export function ingestTrigger(): GenericFunctionOptions["trigger"] {
    return {
        ...trigger.eventHub({
            connection: INGEST_SETTINGS.eventHubConnection,
            eventHubName: `%${INGEST_SETTINGS.eventHubName}%`,
            consumerGroup: `%${INGEST_SETTINGS.consumerGroup}%`,
            cardinality: "many",
        }),
        dataType: "binary",
    };
}

export interface IngestDependencies {
    /** The container, created once per process (resolved lazily on the first invocation). */
    container: () => Container;
    ttlSeconds: () => number | undefined;
    concurrency?: number;
}

export function createIngestHandler(deps: IngestDependencies): (messages: unknown, context: InvocationContext) => Promise<void> {
    return async (messages, context) => {
        const docs = toTelemetryDocuments(eventsFromTrigger(messages, context.triggerMetadata), { ttlSeconds: deps.ttlSeconds() });
        if (docs.length === 0) return;
        const result = await upsertDocuments(deps.container(), docs, context, deps.concurrency);
        const flagged = docs.filter((d) => d.bodyError !== undefined || d.deviceIdMissing).length;
        context.log(
            `telemetry batch stored: ${result.written} of ${docs.length} documents${result.skipped.length ? `, ${result.skipped.length} rejected by Cosmos DB` : ""}${flagged ? `, ${flagged} flagged` : ""}`,
        );
    };
}
