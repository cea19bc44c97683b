import * as pulumi from "@pulumi/pulumi";
import * as cosmosdb from "@pulumi/azure-native/cosmosdb";
import * as random from "@pulumi/random";
import { statefulOptions, type StatefulProtection } from "./lossProtection";

/** Built-in Cosmos DB data-plane roles (not ARM roles). */
export const COSMOS_DATA_READER = "00000000-0000-0000-0000-000000000001";
export const COSMOS_DATA_CONTRIBUTOR = "00000000-0000-0000-0000-000000000002";

import { TELEMETRY_PARTITION_KEY } from "../app/ingest/src/settings";

/**
 * The container's partition key (name) and how documents build it (template): one definition,
 * shared with the ingest function that writes the documents.
 */
export { TELEMETRY_PARTITION_KEY };

export interface DataPrincipal {
    /** Logical name used in resource names, e.g. "ingest". */
    name: string;
    principalId: pulumi.Input<string>;
}

export interface TelemetryStoreArgs {
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    location: string;
    accountName: string;
    databaseName: string;
    containerName: string;
    tags: Record<string, string>;
    // Capacity has no safe default of its own: the platform passes the validated settings
    // (cosmosCapacityMode, cosmosTotalThroughputLimit, cosmosContainerMaxThroughput, cosmosZoneRedundant).
    /** serverless (no throughput to pay for idle) or provisioned autoscale under an account cap. */
    capacityMode: "serverless" | "provisioned";
    /** Account cap in RU/s; used when provisioned. */
    totalThroughputLimit: number;
    /** Container autoscale maximum in RU/s; used when provisioned. */
    containerMaxThroughput: number;
    zoneRedundant: boolean;
    /** Default none (a single region), as Pulumi.yaml declares. */
    secondaryLocations?: string[];
    /** Default Disabled: reachable through private endpoints only (also Pulumi.yaml's cosmosPublicNetworkAccess default). */
    publicNetworkAccess?: "Enabled" | "Disabled";
    /** Default none, as Pulumi.yaml declares. */
    allowedIpRanges?: string[];
    /**
     * Subnets admitted through the firewall when public access is Enabled (virtual network service
     * endpoints): the ingest function's subnet, so the function writes without the account being
     * opened to all Azure datacenters or to the internet. Ignored when public access is Disabled
     * (the function then reaches the account through its private endpoint).
     */
    allowedSubnetIds?: pulumi.Input<string>[];
    ttlDays: number;
    /** Get Data Contributor on the container only (the ingest function's identity). */
    writers: DataPrincipal[];
    /** Get Data Reader on the container only (the API). */
    readers: DataPrincipal[];
    /** Pulumi protect and former identities of the account, database and container (they hold the telemetry). */
    stateful?: StatefulProtection;
}

/**
 * The telemetry store: a Cosmos DB for NoSQL account reached only with Entra ID (no keys, no
 * key-based metadata writes), TLS 1.2, firewall or private-only network, continuous backup, and
 * a container partitioned by the key the ingest function writes. Writers and readers get data-plane
 * roles on the container, nothing wider.
 */
export class TelemetryStore extends pulumi.ComponentResource {
    public readonly account: cosmosdb.DatabaseAccount;
    public readonly database: cosmosdb.SqlResourceSqlDatabase;
    public readonly container: cosmosdb.SqlResourceSqlContainer;
    /** Data-plane role assignments (writers first, then readers). */
    public readonly roleAssignments: cosmosdb.SqlResourceSqlRoleAssignment[];
    /** Document endpoint, known at preview: `https://<account>.documents.azure.com:443/`. */
    public readonly endpoint: string;
    public readonly fqdn: string;

    constructor(name: string, args: TelemetryStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:data:TelemetryStore", name, {}, opts);
        const mode = args.capacityMode;
        const publicAccess = args.publicNetworkAccess ?? "Disabled";
        this.fqdn = `${args.accountName}.documents.azure.com`;
        this.endpoint = `https://${this.fqdn}:443/`;

        const locations: cosmosdb.DatabaseAccountArgs["locations"] = [
            { locationName: args.location, failoverPriority: 0, isZoneRedundant: args.zoneRedundant },
            ...(args.secondaryLocations ?? []).map((l, i) => ({ locationName: l, failoverPriority: i + 1, isZoneRedundant: false })),
        ];
        this.account = new cosmosdb.DatabaseAccount(
            "account",
            {
                accountName: args.accountName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                kind: "GlobalDocumentDB",
                databaseAccountOfferType: "Standard",
                locations,
                enableAutomaticFailover: (args.secondaryLocations ?? []).length > 0,
                consistencyPolicy: { defaultConsistencyLevel: "Session" },
                // Identity only: no account keys, no resource tokens, no key-based control of databases.
                disableLocalAuth: true,
                disableKeyBasedMetadataWriteAccess: true,
                minimalTlsVersion: "Tls12",
                publicNetworkAccess: publicAccess,
                isVirtualNetworkFilterEnabled: publicAccess === "Enabled",
                ipRules: publicAccess === "Enabled" ? (args.allowedIpRanges ?? []).map((r) => ({ ipAddressOrRange: r.endsWith("/32") ? r.slice(0, -3) : r })) : [],
                virtualNetworkRules:
                    publicAccess === "Enabled" ? (args.allowedSubnetIds ?? []).map((id) => ({ id, ignoreMissingVNetServiceEndpoint: false })) : [],
                networkAclBypass: "None",
                networkAclBypassResourceIds: [],
                backupPolicy: { type: "Continuous", continuousModeProperties: { tier: "Continuous7Days" } },
                enableFreeTier: false,
                capabilities: mode === "serverless" ? [{ name: "EnableServerless" }] : [],
                ...(mode === "provisioned" ? { capacity: { totalThroughputLimit: args.totalThroughputLimit } } : {}),
                tags: args.tags,
            },
            { parent: this, ...statefulOptions("cosmosAccount", args.stateful) },
        );

        this.database = new cosmosdb.SqlResourceSqlDatabase(
            "database",
            {
                accountName: this.account.name,
                resourceGroupName: args.resourceGroupName,
                databaseName: args.databaseName,
                resource: { id: args.databaseName },
                tags: args.tags,
            },
            { parent: this, ...statefulOptions("cosmosDatabase", args.stateful) },
        );

        this.container = new cosmosdb.SqlResourceSqlContainer(
            "container",
            {
                accountName: this.account.name,
                resourceGroupName: args.resourceGroupName,
                databaseName: this.database.name,
                containerName: args.containerName,
                resource: {
                    id: args.containerName,
                    partitionKey: { paths: [`/${TELEMETRY_PARTITION_KEY.name}`], kind: "Hash", version: 2 },
                    defaultTtl: args.ttlDays * 24 * 3600,
                },
                options: mode === "provisioned" ? { autoscaleSettings: { maxThroughput: args.containerMaxThroughput } } : {},
                tags: args.tags,
            },
            { parent: this, ...statefulOptions("cosmosContainer", args.stateful) },
        );

        // Built from known parts, so role and scope are reviewable at preview (the account id is not).
        const accountId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.DocumentDB/databaseAccounts/${args.accountName}`;
        const containerScope = pulumi.interpolate`${accountId}/dbs/${args.databaseName}/colls/${args.containerName}`;
        const assign = (p: DataPrincipal, role: string, kind: string) => {
            const id = new random.RandomUuid(`${kind}-${p.name}-id`, {}, { parent: this });
            return new cosmosdb.SqlResourceSqlRoleAssignment(
                `${kind}-${p.name}`,
                {
                    accountName: this.account.name,
                    resourceGroupName: args.resourceGroupName,
                    roleAssignmentId: id.result,
                    roleDefinitionId: pulumi.interpolate`${accountId}/sqlRoleDefinitions/${role}`,
                    principalId: p.principalId,
                    scope: containerScope,
                },
                { parent: this, dependsOn: [this.container] },
            );
        };
        this.roleAssignments = [
            ...args.writers.map((w) => assign(w, COSMOS_DATA_CONTRIBUTOR, "writer")),
            ...args.readers.map((r) => assign(r, COSMOS_DATA_READER, "reader")),
        ];

        this.registerOutputs({ endpoint: this.endpoint, accountId: this.account.id });
    }
}
