/**
 * Hosting of the telemetry ingest function (code in app/ingest, contract in
 * app/ingest/src/settings.ts): a Flex Consumption app (components/flexFunctionApp.ts: plan, app,
 * identity, network, storage, Application Insights, no basic credentials, one-deploy package) that
 * reads the telemetry event hub and writes each event to the Cosmos DB container, with no key
 * anywhere.
 *
 * What is its own: the Event Hubs trigger's identity-based connection
 * (`<connection>__fullyQualifiedNamespace`/`__credential`/`__clientId`), the Cosmos DB settings, and
 * its front door: the app has no HTTP function, so its main site refuses every request (tag
 * `httpFunctions: "false"`). Its subnet is the platform network's ingest subnet; its identity is
 * the stack's ingest identity.
 */
import type * as pulumi from "@pulumi/pulumi";
import { INGEST_SETTINGS } from "../app/ingest/src/settings";
import { FlexFunctionApp, type FlexFunctionAppArgs } from "./flexFunctionApp";

// Moved to the shared component; re-exported for the modules and tests that import them from here.
export { DEPLOYMENT_CONTAINER, FUNCTION_ROLES, FUNCTION_RUNTIME } from "./flexFunctionApp";

export interface IngestFunctionArgs extends FlexFunctionAppArgs {
    eventHub: { fqdn: string; name: string; consumerGroup: string };
    cosmos: { endpoint: string; database: string; container: string; ttlSeconds: number };
}

export class IngestFunction extends FlexFunctionApp {
    constructor(name: string, args: IngestFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        const connection = INGEST_SETTINGS.eventHubConnection;
        const clientId = args.identity.clientId;
        super("secure-iot:compute:IngestFunction", name, args, {
            purpose: "ingest",
            mainSite: "closed",
            settings: {
                // The trigger's identity-based connection; the host storage holds its checkpoints and leases.
                [`${connection}__fullyQualifiedNamespace`]: args.eventHub.fqdn,
                [`${connection}__credential`]: "managedidentity",
                [`${connection}__clientId`]: clientId,
                [INGEST_SETTINGS.eventHubName]: args.eventHub.name,
                [INGEST_SETTINGS.consumerGroup]: args.eventHub.consumerGroup,
                [INGEST_SETTINGS.cosmosEndpoint]: args.cosmos.endpoint,
                [INGEST_SETTINGS.cosmosDatabase]: args.cosmos.database,
                [INGEST_SETTINGS.cosmosContainer]: args.cosmos.container,
                [INGEST_SETTINGS.clientId]: clientId,
                [INGEST_SETTINGS.ttlSeconds]: String(args.cosmos.ttlSeconds),
            },
        }, opts);
    }
}
