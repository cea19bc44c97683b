/**
 * Entry point of the deployed package (package.json `main`): registers the telemetry ingest
 * function with the Azure Functions host (Node.js v4 programming model).
 */
import { app } from "@azure/functions";
import type { Container } from "@azure/cosmos";
import { ManagedIdentityCredential } from "@azure/identity";
import { readSettings, type IngestRuntimeSettings } from "./config";
import { createContainerClient } from "./cosmos";
import { createIngestHandler, INGEST_RETRY, ingestTrigger } from "./function";
import { INGEST_FUNCTION_NAME } from "./settings";

let settings: IngestRuntimeSettings | undefined;
let container: Container | undefined;

function currentSettings(): IngestRuntimeSettings {
    settings ??= readSettings();
    return settings;
}

/**
 * One CosmosClient per process (it keeps the connections, the account's regions and the
 * container's partition key definition). The credential is the function's user-assigned managed
 * identity (AZURE_CLIENT_ID): ManagedIdentityCredential, not DefaultAzureCredential, so no other
 * credential source is ever probed.
 */
function currentContainer(): Container {
    if (!container) {
        const s = currentSettings();
        const credential = new ManagedIdentityCredential(s.clientId ? { clientId: s.clientId } : {});
        container = createContainerClient({ endpoint: s.cosmosEndpoint, database: s.cosmosDatabase, container: s.cosmosContainer }, credential);
    }
    return container;
}

app.generic(INGEST_FUNCTION_NAME, {
    trigger: ingestTrigger(),
    retry: INGEST_RETRY,
    handler: createIngestHandler({ container: currentContainer, ttlSeconds: () => currentSettings().ttlSeconds }),
});
