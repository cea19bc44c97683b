/**
 * The contract between the ingest function (this folder) and the Pulumi program that deploys it
 * (components/ingestFunction.ts): the function's name, the app settings it reads, and where the
 * built deployment package lands. Dependency-free, so the program can import it.
 */

/** Name of the Event Hubs-triggered function inside the function app. */
export const INGEST_FUNCTION_NAME = "telemetry-ingest";

/**
 * App settings the function reads. `eventHubConnection` is a connection *prefix*: the Functions
 * host reads `<prefix>__fullyQualifiedNamespace`, `<prefix>__credential` ("managedidentity") and
 * `<prefix>__clientId` (the user-assigned identity) for identity-based connections.
 */
export const INGEST_SETTINGS = {
    eventHubConnection: "TelemetryEventHub",
    eventHubName: "TELEMETRY_EVENTHUB_NAME",
    consumerGroup: "TELEMETRY_EVENTHUB_CONSUMER_GROUP",
    cosmosEndpoint: "COSMOS_ENDPOINT",
    cosmosDatabase: "COSMOS_DATABASE",
    cosmosContainer: "COSMOS_CONTAINER",
    /** Client id of the function's user-assigned identity (DefaultAzureCredential reads it too). */
    clientId: "AZURE_CLIENT_ID",
    /** Per-document TTL in seconds (the container's default TTL applies when absent). */
    ttlSeconds: "TELEMETRY_TTL_SECONDS",
} as const;

/** The deployable package (host.json, package.json, bundled code), relative to the repository root. */
export const INGEST_PACKAGE_DIR = "app/ingest/dist";

/**
 * The container's partition key: the property the documents carry (`name`, the container's path is
 * `/<name>`) and how its value is built (`template`, in IoT Hub's Cosmos DB endpoint syntax, so the
 * hub's own route and this function write the same partitions). The Pulumi program declares the
 * container and the hub's endpoint with it (components/telemetryStore.ts restates it today; it
 * should re-export this one so there is a single source).
 */
export const TELEMETRY_PARTITION_KEY = { name: "partitionKey", template: "{deviceid}-{YYYY}-{MM}" } as const;
