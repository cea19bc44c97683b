/**
 * The platform's configuration: every key the project declares in `Pulumi.yaml`, validated once
 * into a typed `PlatformConfig`. All problems are collected and reported together, each naming
 * the key and how to fix it, before any resource is registered.
 *
 * Defaults live in `Pulumi.yaml` (the CLI applies them); `test/config.spec.ts` keeps that file
 * and `CONFIG_KEYS` in step.
 */
import { X509Certificate, createHash } from "node:crypto";
import { z } from "zod";
import { cidrContains, parseCidr, subtractCidrs, type Cidr } from "@secure-iot/azure-facts";
import { checkEnrollments, type EnrollmentsConfig } from "./enrollments";

import type { ConfigKind } from "./decode";

export type { ConfigKind };

/** Every key the program reads, with the kind Pulumi.yaml declares for it. */
export const CONFIG_KEYS = {
    environment: "string",
    location: "string",
    namePrefix: "string",
    nameSuffix: "string",
    createResourceGroup: "boolean",
    tags: "array",
    iotHubSku: "string",
    iotHubUnits: "integer",
    iotHubPartitionCount: "integer",
    iotHubMessageRetentionDays: "integer",
    iotHubMinTlsVersion: "string",
    iotHubPublicNetworkAccess: "string",
    iotHubAllowedIpRanges: "array",
    iotHubBlockedIpRanges: "array",
    iotHubDisableLocalAuth: "boolean",
    iotHubRestrictOutboundNetworkAccess: "boolean",
    iotHubAllowedFqdns: "array",
    iotHubConsumerGroups: "array",
    deviceAttestation: "array",
    dpsEnabled: "boolean",
    dpsAllocationPolicy: "string",
    dpsPublicNetworkAccess: "string",
    dpsAllowedIpRanges: "array",
    enrollmentGroups: "structured",
    individualEnrollments: "structured",
    caCertificateSource: "string",
    caGeneratedNames: "array",
    caValidityDays: "integer",
    caCertificatePems: "array",
    caMinimumValidityDays: "integer",
    cosmosCapacityMode: "string",
    cosmosTotalThroughputLimit: "integer",
    cosmosContainerMaxThroughput: "integer",
    cosmosZoneRedundant: "boolean",
    cosmosSecondaryLocations: "array",
    cosmosPublicNetworkAccess: "string",
    cosmosAllowedIpRanges: "array",
    cosmosDatabaseName: "string",
    cosmosContainerName: "string",
    telemetryTtlDays: "integer",
    entraOwners: "array",
    mobileRedirectUris: "array",
    operatorGroupIds: "array",
    privateNetworkEnabled: "boolean",
    privateNetworkAddressSpace: "string",
    privateEndpointSubnet: "string",
    privateEndpointServices: "array",
    telemetryRouteEnabled: "boolean",
    telemetryEventHubPartitions: "integer",
    telemetryEventHubRetentionDays: "integer",
    ingestFunctionSubnet: "string",
    ingestFunctionInstanceMemoryMB: "integer",
    ingestFunctionMaximumInstances: "integer",
    apiFunctionSubnet: "string",
    apiFunctionInstanceMemoryMB: "integer",
    apiFunctionMaximumInstances: "integer",
    apiAzureCliAccess: "boolean",
    apiAppOnlyClientIds: "array",
    diagnosticsEnabled: "boolean",
    logRetentionDays: "integer",
    alertsEnabled: "boolean",
    alertEmailReceivers: "array",
    defenderForIot: "boolean",
    defenderForCosmos: "boolean",
    protectStatefulResources: "boolean",
    lockStatefulResources: "boolean",
} as const satisfies Record<string, ConfigKind>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/**
 * Keys the project no longer reads, with what replaced them: a stack that still sets one gets
 * this message (naming the key and the fix) instead of "not a setting of this project".
 */
export const RETIRED_KEYS: Record<string, string> = {
    apiIotHubRoles:
        "is no longer used: the API's identity holds a custom IoT Hub role with exactly the data actions its routes call " +
        "(twins read and write, direct methods; components/hubDataRole.ts), scoped to the hub, instead of built-in roles. " +
        "Remove the setting (`pulumi config rm apiIotHubRoles`); to change what the API may do, change the API and API_HUB_DATA_ACTIONS together",
};

export type Attestation = "x509" | "tpm" | "symmetricKey";
export type PublicNetworkAccess = "Enabled" | "Disabled";
export type HubSku = "F1" | "S1" | "S2" | "S3";
export type ApiIotHubRole = "IoTHubDataReader" | "IoTHubTwinContributor" | "IoTHubRegistryContributor" | "IoTHubDataContributor";

export interface CaCertificate {
    /** ARM name of the certificate on DPS and the hub: stable, derived from the certificate itself. */
    name: string;
    pem: string;
    /** true when the stack holds the PEM as a secret: it then stays a secret in state. */
    secret: boolean;
    subject: string;
    notAfter: Date;
    sha256: string;
}

/**
 * `minimumValidityDays`: a supplied CA with less validity left is rejected unless its successor is
 * listed next to it (a rotation); a generated CA is renewed by @pulumi/tls when it enters that window.
 */
export type CaConfig =
    | { source: "generated"; names: string[]; validityDays: number; minimumValidityDays: number }
    | { source: "pem"; certificates: CaCertificate[]; minimumValidityDays: number };

/** The services that can get a private endpoint, by the name used in configuration. */
export type PrivateEndpointService = "iotHub" | "dps" | "cosmos" | "eventHubs";
export const PRIVATE_ENDPOINT_SERVICES: readonly PrivateEndpointService[] = ["iotHub", "dps", "cosmos", "eventHubs"];

/** Instance memory sizes a Flex Consumption app can run on (MB). */
export const FLEX_INSTANCE_MEMORY_MB = [512, 2048, 4096] as const;

export interface PlatformConfig {
    project: string;
    stack: string;
    environment: string;
    location: string;
    naming: { prefix: string; suffix: string };
    /** false: use the existing group of the derived name (created by the bootstrap project). */
    createResourceGroup: boolean;
    tags: Record<string, string>;
    iotHub: {
        sku: HubSku;
        units: number;
        partitionCount: number;
        messageRetentionDays: number;
        minTlsVersion: "1.2";
        publicNetworkAccess: PublicNetworkAccess;
        allowedIpRanges: string[];
        blockedIpRanges: string[];
        /** Always true: nothing in the platform uses a hub-scoped key (DPS links by identity). */
        disableLocalAuth: true;
        restrictOutboundNetworkAccess: boolean;
        extraAllowedFqdns: string[];
        consumerGroups: string[];
        attestation: Attestation[];
    };
    dps: {
        enabled: boolean;
        allocationPolicy: "Hashed" | "GeoLatency" | "Static";
        publicNetworkAccess: PublicNetworkAccess;
        allowedIpRanges: string[];
    };
    /** DPS enrollment groups and individual enrollments, checked against the CAs, attestation and hubs (config/enrollments.ts). */
    enrollments: EnrollmentsConfig;
    ca: CaConfig;
    cosmos: {
        capacityMode: "serverless" | "provisioned";
        totalThroughputLimit: number;
        containerMaxThroughput: number;
        zoneRedundant: boolean;
        secondaryLocations: string[];
        publicNetworkAccess: PublicNetworkAccess;
        allowedIpRanges: string[];
        databaseName: string;
        containerName: string;
        ttlDays: number;
    };
    entra: {
        owners: string[];
        mobileRedirectUris: string[];
        /**
         * Pre-authorize the Azure CLI (04b07795-8ddb-461a-bbee-02f9e1bf7b46) for the API's scopes and
         * accept it as a delegated client (API_ADDITIONAL_CLIENT_IDS, App Service authentication),
         * so an operator can call the API with `az account get-access-token`. Dev on, prod off.
         */
        azureCliAccess: boolean;
        /** Client ids of daemon apps granted the API's app roles, admitted by App Service authentication. */
        appOnlyClientIds: string[];
        /**
         * Entra groups (object ids) of the operators: IoT Hub Registry Contributor on the hub (devices)
         * and Device Provisioning Service Data Contributor on DPS (enrollments), nothing wider.
         */
        operatorGroupIds: string[];
    };
    /** Service-side private access: a virtual network with private endpoints for the chosen services. */
    privateNetwork: {
        enabled: boolean;
        addressSpace: string;
        endpointSubnet: string;
        /** Deployed services that get a private endpoint (DPS only when dps.enabled). Empty when disabled. */
        services: PrivateEndpointService[];
    };
    /**
     * The telemetry path hub -> Event Hubs -> ingest function -> Cosmos DB (docs/TELEMETRY.md).
     * The function's subnet is part of the platform's virtual network in every stack.
     */
    telemetry: {
        /** false on a stack's first `pulumi up`: the hub's system-assigned identity must exist and hold its role first. */
        routeEnabled: boolean;
        eventHubPartitions: number;
        eventHubRetentionDays: number;
        functionSubnet: string;
        functionInstanceMemoryMB: number;
        functionMaximumInstances: number;
    };
    /** The API's function app (docs/API.md): its own subnet and scaling. */
    api: {
        functionSubnet: string;
        functionInstanceMemoryMB: number;
        functionMaximumInstances: number;
    };
    observability: {
        /** Log Analytics workspace plus diagnostic settings (all logs, all metrics) on hub, DPS and Cosmos DB. */
        diagnosticsEnabled: boolean;
        logRetentionDays: number;
        /** Metric alert rules and the action group that mails alertEmails. */
        alertsEnabled: boolean;
        alertEmails: string[];
    };
    threatProtection: {
        defenderForIot: boolean;
        defenderForCosmos: boolean;
    };
    /** Guards against losing state by accident: Pulumi protect, and Azure CanNotDelete locks. */
    protection: {
        protectStatefulResources: boolean;
        lockStatefulResources: boolean;
    };
}

/** A raw value as the edge read it, before validation. */
export interface RawValue {
    value: unknown;
    secret: boolean;
}

export interface RawConfig {
    project: string;
    stack: string;
    values: Partial<Record<ConfigKey, RawValue>>;
    /** Project keys the stack sets that the program does not know (typos). */
    unknownKeys?: string[];
}

export class ConfigError extends Error {
    constructor(public readonly problems: string[], project: string, stack: string) {
        super(
            `Configuration of stack "${stack}" has ${problems.length} problem${problems.length === 1 ? "" : "s"} ` +
                `(nothing was deployed):\n` +
                problems.map((p) => `  - ${project}:${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

// ---------------------------------------------------------------------------------------------
// Field schemas: each message says what is wrong and how to fix it.

const AZURE_REGIONS = new Set([
    "australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "canadaeast", "centralindia",
    "centralus", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral", "italynorth",
    "japaneast", "japanwest", "koreacentral", "northcentralus", "northeurope", "norwayeast", "polandcentral",
    "qatarcentral", "southafricanorth", "southcentralus", "southeastasia", "spaincentral", "swedencentral",
    "switzerlandnorth", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westus", "westus2", "westus3",
]);
const region = z.string().refine((v) => AZURE_REGIONS.has(v), {
    error: () => `is not an Azure region name this platform supports; use a lower-case region name such as westeurope or northeurope`,
});
const cidrList = z.array(z.string()).superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
        const r = parseCidr(item);
        // parseCidr's problem starts with the entry itself, which the report shows once.
        if (!r.ok) ctx.addIssue({ code: "custom", message: r.problem, path: [i] });
        else if (seen.has(r.cidr.text)) ctx.addIssue({ code: "custom", message: "is listed twice", path: [i] });
        else seen.add(r.cidr.text);
    });
});
const access = z.enum(["Enabled", "Disabled"], { error: "must be Enabled or Disabled" });
/** RFC 1918 ranges: the virtual network must not take addresses someone owns on the internet. */
const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((t) => {
    const r = parseCidr(t);
    if (!r.ok) throw new Error(`unreachable: ${t}`);
    return r.cidr;
});
const privateCidr = z.string().superRefine((v, ctx) => {
    const r = parseCidr(v);
    if (!r.ok) ctx.addIssue({ code: "custom", message: r.problem });
    else if (!RFC1918.some((p) => cidrContains(p, r.cidr))) {
        ctx.addIssue({ code: "custom", message: `is not a private (RFC 1918) range; use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 that does not overlap the networks you peer or connect by VPN` });
    }
});
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAG = /^([A-Za-z][A-Za-z0-9_.-]{0,127})=([^<>%&\\?/]{0,256})$/;
const CONSUMER_GROUP = /^[A-Za-z0-9._-]{1,50}$/;
const COSMOS_RESOURCE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const shape = {
    environment: z.string().regex(/^[a-z][a-z0-9]{1,7}$/, "must be 2-8 lower-case letters or digits starting with a letter, e.g. dev or prod"),
    location: region,
    namePrefix: z.string().regex(/^[a-z][a-z0-9]{1,23}$/, "must be 2-24 lower-case letters or digits starting with a letter (it names the workload in every resource name)"),
    createResourceGroup: z.boolean(),
    nameSuffix: z.string().regex(/^([a-z0-9]{4,8})?$/, "must be empty (derived from project, stack and location) or 4-8 lower-case letters or digits"),
    tags: z.array(z.string().regex(TAG, "must be key=value (key starts with a letter; value without < > % & \\ ? /), e.g. costCenter=1234")),
    iotHubSku: z.enum(["F1", "S1", "S2", "S3", "B1", "B2", "B3"], { error: "must be one of F1, S1, S2, S3" }),
    iotHubUnits: z.number().int("must be a whole number"),
    iotHubPartitionCount: z.number().int("must be a whole number").min(2, "must be at least 2").max(32, "must be at most 32"),
    iotHubMessageRetentionDays: z.number().int("must be a whole number").min(1, "must be 1-7 days").max(7, "must be 1-7 days"),
    iotHubMinTlsVersion: z.literal("1.2", { error: 'must be "1.2": IoT Hub accepts only TLS 1.2 as a minimum, and it is fixed at creation (changing it later replaces the hub and loses the device registry)' }),
    iotHubPublicNetworkAccess: access,
    iotHubAllowedIpRanges: cidrList,
    iotHubBlockedIpRanges: cidrList,
    iotHubDisableLocalAuth: z.literal(true, {
        error: () =>
            `is not accepted: the hub keeps local auth off in every stack, because nothing in the platform uses a hub key any more (DPS links the hub by managed identity; the API, operators and DPS use Entra ID roles). ` +
            "Remove the setting from Pulumi.<stack>.yaml (`pulumi config rm iotHubDisableLocalAuth`); callers that used a SAS key need an Entra ID role instead (docs/PRODUCTION.md)",
    }),
    iotHubRestrictOutboundNetworkAccess: z.boolean(),
    iotHubAllowedFqdns: z.array(z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case fully qualified domain name, without scheme or port")),
    iotHubConsumerGroups: z.array(
        z.string().regex(CONSUMER_GROUP, "must be 1-50 letters, digits, '.', '-' or '_' (a consumer group name)").refine((v) => v.toLowerCase() !== "$default", "exists already (every hub has $Default)"),
    ),
    deviceAttestation: z
        .array(z.enum(["x509", "tpm", "symmetricKey"], { error: "must be x509, tpm or symmetricKey" }))
        .min(1, "must list at least one attestation method (x509, tpm, symmetricKey)"),
    dpsEnabled: z.boolean(),
    dpsAllocationPolicy: z.enum(["Hashed", "GeoLatency", "Static"], { error: "must be Hashed, GeoLatency or Static" }),
    dpsPublicNetworkAccess: access,
    dpsAllowedIpRanges: cidrList,
    // Lists of objects, checked element by element in config/enrollments.ts.
    enrollmentGroups: z.unknown(),
    individualEnrollments: z.unknown(),
    caCertificateSource: z.enum(["generated", "pem"], { error: 'must be "generated" (a CA made by @pulumi/tls, for dev) or "pem" (your PKI\'s CA certificates in caCertificatePems)' }),
    caGeneratedNames: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, "must be 1-31 lower-case letters, digits or '-' (a generated CA name)")).max(2, "must hold at most two CAs at once (the current one and the next, during a rotation)"),
    caValidityDays: z.number().int("must be a whole number").min(30, "must be at least 30 days").max(3650, "must be at most 3650 days"),
    caCertificatePems: z.array(z.string()).max(2, "must hold at most two CAs at once (the current one and the next, during a rotation)"),
    caMinimumValidityDays: z.number().int("must be a whole number").min(1, "must be at least 1 day").max(3650, "must be at most 3650 days"),
    cosmosCapacityMode: z.enum(["serverless", "provisioned"], { error: "must be serverless or provisioned" }),
    cosmosTotalThroughputLimit: z.number().int("must be a whole number").min(400, "must be at least 400 RU/s").max(1_000_000, "must be at most 1000000 RU/s"),
    cosmosContainerMaxThroughput: z.number().int("must be a whole number").min(1000, "must be at least 1000 RU/s (the lowest autoscale maximum)").refine((v) => v % 1000 === 0, "must be a multiple of 1000 RU/s (autoscale maximums go in steps of 1000)"),
    cosmosZoneRedundant: z.boolean(),
    cosmosSecondaryLocations: z.array(region),
    cosmosPublicNetworkAccess: access,
    cosmosAllowedIpRanges: cidrList,
    cosmosDatabaseName: z.string().regex(COSMOS_RESOURCE, "must be 1-63 letters, digits, '-' or '_'"),
    cosmosContainerName: z.string().regex(COSMOS_RESOURCE, "must be 1-63 letters, digits, '-' or '_'"),
    telemetryTtlDays: z.number().int("must be a whole number").min(1, "must be at least 1 day").max(3650, "must be at most 3650 days"),
    entraOwners: z.array(z.string().regex(GUID, "must be an Entra object id (a GUID): find it with `az ad user show --id <upn> --query id`")),
    mobileRedirectUris: z.array(z.string()),
    operatorGroupIds: z.array(z.string().regex(GUID, "must be an Entra group object id (a GUID): find it with `az ad group show --group <name> --query id -o tsv`")),
    privateNetworkEnabled: z.boolean(),
    privateNetworkAddressSpace: privateCidr,
    privateEndpointSubnet: privateCidr,
    privateEndpointServices: z.array(z.enum(["iotHub", "dps", "cosmos", "eventHubs"], { error: "must be iotHub, dps, cosmos or eventHubs" })),
    telemetryRouteEnabled: z.boolean(),
    // Event Hubs Standard: 1-32 partitions, 1-7 days of retention (Event Hubs quotas and limits).
    telemetryEventHubPartitions: z.number().int("must be a whole number").min(1, "must be at least 1").max(32, "must be at most 32 (the Event Hubs Standard tier's limit per event hub)"),
    telemetryEventHubRetentionDays: z.number().int("must be a whole number").min(1, "must be 1-7 days (the Event Hubs Standard tier's range)").max(7, "must be 1-7 days (the Event Hubs Standard tier's range)"),
    ingestFunctionSubnet: privateCidr,
    ingestFunctionInstanceMemoryMB: z.number().int("must be a whole number").refine((v) => (FLEX_INSTANCE_MEMORY_MB as readonly number[]).includes(v), {
        error: () => `is not a Flex Consumption instance size (MB); use ${FLEX_INSTANCE_MEMORY_MB.join(", ")}`,
    }),
    ingestFunctionMaximumInstances: z.number().int("must be a whole number").min(40, "must be at least 40 (the lowest maximum a Flex Consumption app takes)").max(1000, "must be at most 1000 (the Flex Consumption limit)"),
    apiFunctionSubnet: privateCidr,
    apiFunctionInstanceMemoryMB: z.number().int("must be a whole number").refine((v) => (FLEX_INSTANCE_MEMORY_MB as readonly number[]).includes(v), {
        error: () => `is not a Flex Consumption instance size (MB); use ${FLEX_INSTANCE_MEMORY_MB.join(", ")}`,
    }),
    apiFunctionMaximumInstances: z.number().int("must be a whole number").min(40, "must be at least 40 (the lowest maximum a Flex Consumption app takes)").max(1000, "must be at most 1000 (the Flex Consumption limit)"),
    apiAzureCliAccess: z.boolean(),
    apiAppOnlyClientIds: z.array(z.string().regex(GUID, "must be the client (application) id of a daemon app granted the API's app roles, a GUID")),
    diagnosticsEnabled: z.boolean(),
    logRetentionDays: z.number().int("must be a whole number").min(30, "must be at least 30 days (the workspace's included retention)").max(730, "must be at most 730 days (archive older logs instead)"),
    alertsEnabled: z.boolean(),
    alertEmailReceivers: z.array(z.string().regex(EMAIL, "must be an e-mail address such as platform-oncall@contoso.com")).max(10, "must list at most 10 addresses; point the rest at a distribution list"),
    defenderForIot: z.boolean(),
    defenderForCosmos: z.boolean(),
    protectStatefulResources: z.boolean(),
    lockStatefulResources: z.boolean(),
} satisfies Record<ConfigKey, z.ZodType>;

type Parsed = { [K in ConfigKey]: z.infer<(typeof shape)[K]> };

/**
 * A valid value of every key, shown after a value of the wrong type ("e.g. ..."). Where Pulumi.yaml
 * declares a non-empty default the example is that default (test/config.spec.ts checks both, and
 * that every example passes its key's schema); the others are typical values.
 */
export const CONFIG_EXAMPLES: { [K in ConfigKey]: z.input<(typeof shape)[K]> } = {
    environment: "dev",
    location: "westeurope",
    namePrefix: "fleet",
    nameSuffix: "team42",
    createResourceGroup: true,
    tags: ["costCenter=1234"],
    iotHubSku: "S1",
    iotHubUnits: 1,
    iotHubPartitionCount: 4,
    iotHubMessageRetentionDays: 1,
    iotHubMinTlsVersion: "1.2",
    iotHubPublicNetworkAccess: "Enabled",
    iotHubAllowedIpRanges: ["203.0.113.0/24"],
    iotHubBlockedIpRanges: ["203.0.113.128/25"],
    iotHubDisableLocalAuth: true,
    iotHubRestrictOutboundNetworkAccess: true,
    iotHubAllowedFqdns: ["iothub-ns-iot-fleet-de-4242424-0a1b2c3d4e.servicebus.windows.net"],
    iotHubConsumerGroups: ["telemetry-api"],
    deviceAttestation: ["x509"],
    dpsEnabled: true,
    dpsAllocationPolicy: "Hashed",
    dpsPublicNetworkAccess: "Enabled",
    dpsAllowedIpRanges: ["203.0.113.0/24"],
    enrollmentGroups: [],
    individualEnrollments: [],
    caCertificateSource: "pem",
    caGeneratedNames: ["root-1"],
    caValidityDays: 365,
    caCertificatePems: ["-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"],
    caMinimumValidityDays: 30,
    cosmosCapacityMode: "serverless",
    cosmosTotalThroughputLimit: 4000,
    cosmosContainerMaxThroughput: 1000,
    cosmosZoneRedundant: false,
    cosmosSecondaryLocations: ["northeurope"],
    cosmosPublicNetworkAccess: "Disabled",
    cosmosAllowedIpRanges: ["203.0.113.0/24"],
    cosmosDatabaseName: "iot",
    cosmosContainerName: "telemetry",
    telemetryTtlDays: 30,
    entraOwners: ["11111111-2222-4333-8444-555555555555"],
    mobileRedirectUris: ["msauth.com.contoso.fleet://auth"],
    operatorGroupIds: ["11111111-2222-4333-8444-555555555555"],
    privateNetworkEnabled: false,
    privateNetworkAddressSpace: "10.20.0.0/16",
    privateEndpointSubnet: "10.20.1.0/24",
    privateEndpointServices: ["iotHub", "dps", "cosmos"],
    telemetryRouteEnabled: false,
    telemetryEventHubPartitions: 4,
    telemetryEventHubRetentionDays: 1,
    ingestFunctionSubnet: "10.20.2.0/24",
    ingestFunctionInstanceMemoryMB: 2048,
    ingestFunctionMaximumInstances: 40,
    apiFunctionSubnet: "10.20.3.0/24",
    apiFunctionInstanceMemoryMB: 2048,
    apiFunctionMaximumInstances: 40,
    apiAzureCliAccess: false,
    apiAppOnlyClientIds: ["11111111-2222-4333-8444-555555555555"],
    diagnosticsEnabled: true,
    logRetentionDays: 30,
    alertsEnabled: false,
    alertEmailReceivers: ["platform-oncall@contoso.com"],
    defenderForIot: false,
    defenderForCosmos: false,
    protectStatefulResources: false,
    lockStatefulResources: false,
};

/** The schema's own check of a single key, for tests of the examples. */
export function checkSetting(key: ConfigKey, value: unknown): boolean {
    return shape[key].safeParse(value).success;
}

/** How much of a received value a message shows. */
const SHOWN_MAX = 80;
const SECRET_SHOWN = "(a secret, not shown)";
const KIND_EXPECTED: Record<ConfigKind, string> = {
    string: "a string",
    integer: "a whole number",
    boolean: "true or false",
    array: "a JSON list",
    structured: "a JSON list",
};

/** A received value as a message shows it: JSON, truncated, and never a secret. */
function shown(value: unknown, secret: boolean): string {
    if (secret) return SECRET_SHOWN;
    const text = JSON.stringify(value) ?? String(value);
    return text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX - 3)}...` : text;
}

/**
 * One problem of a single key: the value received (the bad element, for a list), what is wrong,
 * and for a value of the wrong type an example of a valid one. A secret value is never shown.
 */
function describeIssue(key: ConfigKey, rv: RawValue, issue: z.core.$ZodIssue): string {
    let received: unknown = rv.value;
    for (const p of issue.path) received = (received as Record<PropertyKey, unknown> | undefined)?.[p];
    const value = shown(received, rv.secret);
    // Some messages (parseCidr's) start with the entry itself: show it once.
    const own = typeof received === "string" ? JSON.stringify(received) : undefined;
    let body = own !== undefined && issue.message.startsWith(own) ? issue.message.slice(own.length).trimStart() : issue.message;
    if (rv.secret && typeof received === "string" && received !== "") body = body.split(received).join(SECRET_SHOWN);
    const example = CONFIG_EXAMPLES[key];
    if (issue.path.length === 0) {
        if (issue.code === "invalid_type") return `expected ${KIND_EXPECTED[CONFIG_KEYS[key]]}, got ${value}; e.g. ${JSON.stringify(example)}`;
        return `${value} ${body}`;
    }
    const at = `[${issue.path.map(String).join(".")}]`;
    if (issue.code === "invalid_type") {
        const element = Array.isArray(example) && example.length > 0 ? `; e.g. ${JSON.stringify(example[0])}` : "";
        return `${at} ${value} is not ${issue.expected === "string" ? "a string" : `of type ${issue.expected}`}${element}`;
    }
    return `${at} ${value} ${body}`;
}

/** Name limits of the services (the suffix and prefix must leave every name inside them). */
export const NAME_LIMITS = {
    iotHub: { min: 3, max: 50 },
    dps: { min: 3, max: 64 },
    cosmos: { min: 3, max: 44 },
    resourceGroup: { min: 1, max: 90 },
    logAnalytics: { min: 4, max: 63 },
    eventHubsNamespace: { min: 6, max: 50 },
    functionStorage: { min: 3, max: 24 },
    functionApp: { min: 2, max: 60 },
    apiFunctionStorage: { min: 3, max: 24 },
    apiFunctionApp: { min: 2, max: 60 },
} as const;

/** Stable, config-derived suffix that makes global names unique (names must be known at preview). */
export function deriveSuffix(project: string, stack: string, prefix: string, environment: string, location: string): string {
    return createHash("sha256").update([project, stack, prefix, environment, location].join("/")).digest("hex").slice(0, 6);
}

/** The service names a configuration produces; the naming component uses the same function. */
export function serviceNames(prefix: string, environment: string, suffix: string) {
    const base = `${prefix}-${environment}`;
    return {
        resourceGroup: `rg-${base}-${suffix}`,
        iotHub: `iot-${base}-${suffix}`,
        dps: `dps-${base}-${suffix}`,
        cosmos: `cosmos-${base}-${suffix}`,
        dpsIdentity: `id-${base}-dps-link`,
        apiIdentity: `id-${base}-api`,
        ingestIdentity: `id-${base}-ingest`,
        eventHubsNamespace: `evhns-${base}-${suffix}`,
        // Storage account names are 3-24 lower-case letters and digits, globally unique.
        functionStorage: `st${prefix}${environment}${suffix}`,
        functionPlan: `asp-${base}-ingest`,
        functionApp: `func-${base}-ingest-${suffix}`,
        apiFunctionStorage: `st${prefix}${environment}api${suffix}`,
        apiFunctionPlan: `asp-${base}-api`,
        apiFunctionApp: `func-${base}-api-${suffix}`,
        apiApplicationInsights: `appi-${base}-api-${suffix}`,
        apiNatGateway: `ng-${base}-api`,
        apiEgressIp: `pip-${base}-api-egress`,
        applicationInsights: `appi-${base}-${suffix}`,
        virtualNetwork: `vnet-${base}`,
        endpointSecurityGroup: `nsg-${base}-private-endpoints`,
        logAnalytics: `log-${base}-${suffix}`,
        actionGroup: `ag-${base}-oncall`,
        iotSecuritySolution: `defender-iot-${base}`,
    };
}

// ---------------------------------------------------------------------------------------------
// Cross-field rules: the combinations that cannot be deployed safely.

/** IoT Hub accepts at most 100 IP filter rules (learn.microsoft.com/azure/iot-hub/iot-hub-ip-filtering). */
export const IOT_HUB_MAX_IP_RULES = 100;
/**
 * The smallest subnet accepted for the ingest function's virtual network integration. Flex
 * Consumption integrates through a subnet delegated to Microsoft.App/environments and takes
 * addresses from it as it scales out (Azure reserves five in every subnet); a /27 leaves room for
 * a small fleet, a /24 for the default maximum of instances.
 */
const FUNCTION_SUBNET_MAX_PREFIX = 27;

/** Thrown by the guarded view of the configuration when a check reads a setting that has its own problem. */
class MissingInput extends Error {
    constructor(public readonly key: string) {
        super(`${key} is not valid`);
    }
}

/** The parsed settings, where reading one that did not parse throws MissingInput (so the check that reads it is skipped). */
function guarded(parsed: Partial<Parsed>): Parsed {
    return new Proxy(parsed, {
        get(target, key, receiver) {
            if (typeof key === "string" && key in CONFIG_KEYS && !(key in target)) throw new MissingInput(key);
            return Reflect.get(target, key, receiver);
        },
    }) as Parsed;
}

const SKU_UNITS: Record<string, [number, number]> = { F1: [1, 1], S1: [1, 200], S2: [1, 200], S3: [1, 10] };
const BROKER_SCHEME = /^msauth(\.[A-Za-z0-9.-]+)?:\/\/[^\s*]+$/;

/** Returns the supplied CA certificates, or undefined when the CA settings could not be checked. */
function checkCombinations(c: Parsed, project: string, stack: string, add: (key: ConfigKey, msg: string) => void): CaCertificate[] | undefined {
    // Each check runs when the settings it reads are valid: one that reads a setting with its own
    // problem (MissingInput from the guarded view of the configuration) is skipped, the others run,
    // so every problem the inputs allow is reported at once.
    const check = (f: () => void): void => {
        try {
            f();
        } catch (e) {
            if (!(e instanceof MissingInput)) throw e;
        }
    };
    const certificates: CaCertificate[] = [];
    let certificatesChecked = false;
    let endpointServices: Set<PrivateEndpointService> | undefined;
    check(() => {
        if (c.iotHubSku.startsWith("B")) {
            add("iotHubSku", `"${c.iotHubSku}" is a Basic tier: it has no device twins and no cloud-to-device messaging, which the API uses; choose S1, S2 or S3 (or F1 for a trial)`);
        } else {
            const [lo, hi] = SKU_UNITS[c.iotHubSku];
            if (c.iotHubUnits < lo || c.iotHubUnits > hi) {
                add("iotHubUnits", `${c.iotHubUnits} units is out of range for ${c.iotHubSku} (allowed ${lo}-${hi})`);
            }
        }
    });
    check(() => {
        if (c.iotHubSku === "F1" && c.iotHubPartitionCount !== 2) {
            add("iotHubPartitionCount", `the F1 tier has exactly 2 partitions; set iotHubPartitionCount to 2`);
        }
    });
    check(() => {
        if (c.iotHubPublicNetworkAccess === "Enabled" && c.iotHubAllowedIpRanges.length === 0) {
            add("iotHubAllowedIpRanges", "is empty while iotHubPublicNetworkAccess is Enabled: list the ranges your devices and operators connect from (the hub denies all others), or set iotHubPublicNetworkAccess to Disabled and reach the hub through private endpoints");
        }
    });
    check(() => {
        const allowed = c.iotHubAllowedIpRanges.map(parseCidr).flatMap((r) => (r.ok ? [r.cidr] : []));
        for (const b of c.iotHubBlockedIpRanges) {
            const r = parseCidr(b);
            if (r.ok && allowed.length > 0 && !allowed.some((a: Cidr) => cidrContains(a, r.cidr))) {
                add("iotHubBlockedIpRanges", `"${b}" lies outside every allowed range, so it is already denied; remove it, or add the wider range it carves out of to iotHubAllowedIpRanges`);
            }
        }
        // The hub's allow list is expressed as Allow rules only (networkRuleSets has no Reject), so a
        // blocked range is carved out by splitting the allowed ranges around it.
        const blockedCidrs = c.iotHubBlockedIpRanges.map(parseCidr).flatMap((r) => (r.ok ? [r.cidr] : []));
        for (const a of allowed) {
            const cover = blockedCidrs.find((b) => cidrContains(b, a));
            if (cover) add("iotHubBlockedIpRanges", `"${cover.text}" blocks all of the allowed range ${a.text}; remove ${a.text} from iotHubAllowedIpRanges instead of blocking it`);
        }
        const hubRules = subtractCidrs(allowed, blockedCidrs).length;
        if (hubRules > IOT_HUB_MAX_IP_RULES) {
            add(
                "iotHubBlockedIpRanges",
                `carving the blocked ranges out of iotHubAllowedIpRanges takes ${hubRules} allow rules, over IoT Hub's limit of ${IOT_HUB_MAX_IP_RULES}; block wider (shorter-prefix) ranges or narrow the allowed ranges`,
            );
        }
    });
    check(() => {
        if (c.dpsEnabled && c.dpsPublicNetworkAccess === "Enabled" && c.dpsAllowedIpRanges.length === 0) {
            add("dpsAllowedIpRanges", "is empty while dpsPublicNetworkAccess is Enabled: DPS IP filtering has no default action, so list the ranges devices provision from (all others are rejected), or set dpsPublicNetworkAccess to Disabled");
        }
    });
    check(() => {
        if (new Set(c.deviceAttestation).size !== c.deviceAttestation.length) {
            add("deviceAttestation", "lists a method twice");
        }
    });
    // Certificates.
    check(() => {
        const x509 = c.deviceAttestation.includes("x509");
        if (c.caCertificateSource === "generated") {
            if (c.caCertificatePems.length > 0) add("caCertificatePems", 'is set while caCertificateSource is "generated"; set caCertificateSource to "pem" to use them, or remove them');
            if (x509 && c.caGeneratedNames.length === 0) {
                add("caGeneratedNames", "is empty while devices attest with X.509: name at least one CA to generate, e.g. [\"root-1\"]");
            }
            if (new Set(c.caGeneratedNames).size !== c.caGeneratedNames.length) add("caGeneratedNames", "lists a name twice");
            if (c.caValidityDays <= c.caMinimumValidityDays) {
                add("caMinimumValidityDays", `(${c.caMinimumValidityDays}) must be below caValidityDays (${c.caValidityDays}): a generated CA is renewed once it has fewer than caMinimumValidityDays left, so it would be renewed on every update; lower caMinimumValidityDays or raise caValidityDays`);
            }
        } else {
            if (c.caGeneratedNames.length > 0) add("caGeneratedNames", 'is set while caCertificateSource is "pem"; remove it (the CAs come from caCertificatePems)');
            if (x509 && c.caCertificatePems.length === 0) {
                add("caCertificatePems", "is empty while devices attest with X.509 and caCertificateSource is \"pem\": add the PEM of the CA that signs device certificates (e.g. `pulumi config set --path 'caCertificatePems[0]' \"$(cat root.pem)\"`)");
            }
            const parsedAt: number[] = [];
            c.caCertificatePems.forEach((pem, i) => {
                let cert: X509Certificate;
                try {
                    cert = new X509Certificate(pem);
                } catch {
                    add("caCertificatePems", `[${i}] is not a PEM-encoded X.509 certificate (expected -----BEGIN CERTIFICATE-----)`);
                    return;
                }
                if (!cert.ca) add("caCertificatePems", `[${i}] (${cert.subject.replace(/\n/g, ", ")}) is not a CA certificate (basicConstraints CA:TRUE); upload the CA that signs device certificates, not a device certificate`);
                const notAfter = new Date(cert.validTo);
                if (notAfter.getTime() <= Date.now()) add("caCertificatePems", `[${i}] (${cert.subject.replace(/\n/g, ", ")}) expired on ${notAfter.toISOString().slice(0, 10)}; replace it with a current CA`);
                const sha256 = cert.fingerprint256.replace(/:/g, "").toLowerCase();
                if (certificates.some((x) => x.sha256 === sha256)) add("caCertificatePems", `[${i}] is the same certificate as an earlier entry`);
                const cn = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? "ca";
                const slug = cn.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "ca";
                certificates.push({ name: `${slug}-${sha256.slice(0, 8)}`, pem, secret: false, subject: cert.subject.replace(/\n/g, ", "), notAfter, sha256 });
                parsedAt.push(i);
            });
            // A CA inside the minimum validity window is accepted only next to its successor (a rotation
            // in progress); on its own it would leave the fleet without a trusted CA when it expires.
            const minDays = c.caMinimumValidityDays;
            const fresh = certificates.filter((x) => daysUntil(x.notAfter) >= minDays);
            certificates.forEach((x, k) => {
                const left = daysUntil(x.notAfter);
                if (left < 0 || left >= minDays || fresh.length > 0) return;
                add(
                    "caCertificatePems",
                    `[${parsedAt[k]}] (${x.subject}) expires on ${x.notAfter.toISOString().slice(0, 10)}, ${left} days from now, inside caMinimumValidityDays (${minDays}) and no successor is listed: ` +
                        "add the next CA as a second entry and move devices to it (docs/CERTIFICATE-ROTATION.md), or lower caMinimumValidityDays if you accept the risk",
                );
            });
        }
        certificatesChecked = true;
    });
    // Cosmos DB.
    check(() => {
        if (c.cosmosCapacityMode === "serverless" && c.cosmosSecondaryLocations.length > 0) {
            add("cosmosSecondaryLocations", "serverless accounts run in a single region; remove the secondary locations or set cosmosCapacityMode to provisioned");
        }
    });
    check(() => {
        if (c.cosmosSecondaryLocations.includes(c.location)) add("cosmosSecondaryLocations", `repeats the primary location ${c.location}`);
    });
    check(() => {
        if (c.cosmosCapacityMode === "provisioned" && c.cosmosContainerMaxThroughput > c.cosmosTotalThroughputLimit) {
            add("cosmosContainerMaxThroughput", `${c.cosmosContainerMaxThroughput} RU/s exceeds cosmosTotalThroughputLimit (${c.cosmosTotalThroughputLimit}); lower it or raise the account cap`);
        }
    });
    check(() => {
        if (c.cosmosPublicNetworkAccess === "Enabled" && c.cosmosAllowedIpRanges.length === 0) {
            add("cosmosAllowedIpRanges", "is empty while cosmosPublicNetworkAccess is Enabled: list the operator ranges allowed through the Cosmos DB firewall, or set cosmosPublicNetworkAccess to Disabled");
        }
    });
    // Private network: which services are reachable only from the virtual network.
    check(() => {
        endpointServices = new Set(c.privateEndpointServices);
        if (endpointServices.size !== c.privateEndpointServices.length) add("privateEndpointServices", "lists a service twice");
        if (c.privateNetworkEnabled) {
            if (endpointServices.size === 0) {
                add("privateEndpointServices", "is empty while privateNetworkEnabled is true: list the services that get a private endpoint (iotHub, dps, cosmos, eventHubs), or set privateNetworkEnabled to false");
            }
            const space = parseCidr(c.privateNetworkAddressSpace);
            const subnet = parseCidr(c.privateEndpointSubnet);
            if (space.ok && subnet.ok) {
                if (!cidrContains(space.cidr, subnet.cidr)) {
                    add("privateEndpointSubnet", `"${c.privateEndpointSubnet}" lies outside privateNetworkAddressSpace (${space.cidr.text}); choose a range inside it`);
                } else if (subnet.cidr.prefix > 28) {
                    add("privateEndpointSubnet", `"${c.privateEndpointSubnet}" is too small: Azure reserves five addresses in every subnet and each private endpoint takes one per service host name (Cosmos DB one per region); use a /28 or larger`);
                }
            }
        }
    });
    // The ingest function's subnet: in the network's address space in every stack (dev gets the
    // network for it alone), clear of the endpoint subnet, and large enough for Flex Consumption.
    check(() => {
        {
            const space = parseCidr(c.privateNetworkAddressSpace);
            const fn = parseCidr(c.ingestFunctionSubnet);
            const endpoints = parseCidr(c.privateEndpointSubnet);
            if (space.ok && fn.ok) {
                if (!cidrContains(space.cidr, fn.cidr)) {
                    add("ingestFunctionSubnet", `"${c.ingestFunctionSubnet}" lies outside privateNetworkAddressSpace (${space.cidr.text}); the ingest function's subnet is part of the platform network in every stack: choose a range inside it`);
                } else if (fn.cidr.prefix > FUNCTION_SUBNET_MAX_PREFIX) {
                    add("ingestFunctionSubnet", `"${c.ingestFunctionSubnet}" is too small for the ingest function's virtual network integration: use a /${FUNCTION_SUBNET_MAX_PREFIX} or larger`);
                }
                if (c.privateNetworkEnabled && endpoints.ok && (cidrContains(fn.cidr, endpoints.cidr) || cidrContains(endpoints.cidr, fn.cidr))) {
                    add("ingestFunctionSubnet", `"${c.ingestFunctionSubnet}" overlaps privateEndpointSubnet (${endpoints.cidr.text}); the function's subnet is delegated to Microsoft.App/environments and cannot hold private endpoints: choose a separate range, e.g. the next /24`);
                }
            }
        }
    });
    // The API function's subnet: the same rules, and apart from the ingest function's (each app
    // integrates through its own delegated subnet; the API's gets the egress address in dev).
    check(() => {
        {
            const space = parseCidr(c.privateNetworkAddressSpace);
            const api = parseCidr(c.apiFunctionSubnet);
            const ingest = parseCidr(c.ingestFunctionSubnet);
            const endpoints = parseCidr(c.privateEndpointSubnet);
            const overlaps = (a: Cidr, b: Cidr) => cidrContains(a, b) || cidrContains(b, a);
            if (space.ok && api.ok) {
                if (!cidrContains(space.cidr, api.cidr)) {
                    add("apiFunctionSubnet", `"${c.apiFunctionSubnet}" lies outside privateNetworkAddressSpace (${space.cidr.text}); the API function's subnet is part of the platform network in every stack: choose a range inside it`);
                } else if (api.cidr.prefix > FUNCTION_SUBNET_MAX_PREFIX) {
                    add("apiFunctionSubnet", `"${c.apiFunctionSubnet}" is too small for the API function's virtual network integration: use a /${FUNCTION_SUBNET_MAX_PREFIX} or larger`);
                }
                if (ingest.ok && overlaps(api.cidr, ingest.cidr)) {
                    add("apiFunctionSubnet", `"${c.apiFunctionSubnet}" overlaps ingestFunctionSubnet (${ingest.cidr.text}); each function app integrates through its own delegated subnet: choose a separate range, e.g. the next /24`);
                }
                if (c.privateNetworkEnabled && endpoints.ok && overlaps(api.cidr, endpoints.cidr)) {
                    add("apiFunctionSubnet", `"${c.apiFunctionSubnet}" overlaps privateEndpointSubnet (${endpoints.cidr.text}); the function's subnet is delegated to Microsoft.App/environments and cannot hold private endpoints: choose a separate range`);
                }
            }
        }
    });
    check(() => {
        if (new Set(c.apiAppOnlyClientIds.map((g) => g.toLowerCase())).size !== c.apiAppOnlyClientIds.length) add("apiAppOnlyClientIds", "lists a client twice");
    });
    const reachesPrivately = (s: PrivateEndpointService) => {
        if (endpointServices === undefined) throw new MissingInput("privateEndpointServices");
        return c.privateNetworkEnabled && endpointServices.has(s);
    };
    const unreachable = (service: string, endpoint: PrivateEndpointService, key: ConfigKey) =>
        add(key, `is Disabled but ${service} gets no private endpoint, so nothing could reach it: set privateNetworkEnabled to true with ${endpoint} in privateEndpointServices, or set ${key} to Enabled with an IP allow list`);
    check(() => {
        if (c.iotHubPublicNetworkAccess === "Disabled" && !reachesPrivately("iotHub")) unreachable("the IoT hub", "iotHub", "iotHubPublicNetworkAccess");
    });
    check(() => {
        if (c.dpsEnabled && c.dpsPublicNetworkAccess === "Disabled" && !reachesPrivately("dps")) unreachable("the provisioning service", "dps", "dpsPublicNetworkAccess");
    });
    check(() => {
        if (c.cosmosPublicNetworkAccess === "Disabled" && !reachesPrivately("cosmos")) unreachable("the Cosmos DB account", "cosmos", "cosmosPublicNetworkAccess");
    });
    // Observability.
    check(() => {
        if (c.alertsEnabled && c.alertEmailReceivers.length === 0) {
            add("alertEmailReceivers", "is empty while alertsEnabled is true: list who is told when an alert fires (e.g. platform-oncall@contoso.com), or set alertsEnabled to false");
        }
    });
    check(() => {
        if (new Set(c.alertEmailReceivers.map((e) => e.toLowerCase())).size !== c.alertEmailReceivers.length) add("alertEmailReceivers", "lists an address twice");
    });
    // Entra ID.
    check(() => {
        if (c.entraOwners.length === 0) {
            add("entraOwners", "is empty: list at least one Entra object id (two are better) that owns the API and mobile app registrations, so someone can manage them besides the deploying identity");
        }
    });
    check(() => {
        if (new Set(c.entraOwners.map((o) => o.toLowerCase())).size !== c.entraOwners.length) add("entraOwners", "lists an owner twice");
    });
    check(() => {
        if (new Set(c.operatorGroupIds.map((o) => o.toLowerCase())).size !== c.operatorGroupIds.length) add("operatorGroupIds", "lists a group twice");
    });
    check(() => {
        for (const uri of c.mobileRedirectUris) {
            const problem = redirectUriProblem(uri, c.environment === "prod");
            if (problem) add("mobileRedirectUris", `"${uri}" ${problem}`);
        }
    });
    // Names must fit the services' limits.
    check(() => {
        const suffix = c.nameSuffix || deriveSuffix(project, stack, c.namePrefix, c.environment, c.location);
        const names = serviceNames(c.namePrefix, c.environment, suffix);
        for (const [svc, lim] of Object.entries(NAME_LIMITS) as [keyof typeof NAME_LIMITS, { min: number; max: number }][]) {
            const n = names[svc];
            if (n.length < lim.min || n.length > lim.max) {
                add("namePrefix", `the ${svc} name "${n}" is ${n.length} characters; the limit is ${lim.min}-${lim.max}: shorten namePrefix or environment`);
            }
        }
    });
    return certificatesChecked ? certificates : undefined;
}

/** Whole days from now until `when` (negative once it has passed). */
export function daysUntil(when: Date, now = new Date()): number {
    return Math.floor((when.getTime() - now.getTime()) / 86_400_000);
}

function redirectUriProblem(uri: string, prod: boolean): string | undefined {
    if (uri.includes("*")) return "contains a wildcard; register each redirect URI exactly";
    if (BROKER_SCHEME.test(uri)) return undefined;
    let u: URL;
    try {
        u = new URL(uri);
    } catch {
        return "is not a URI; use msauth.<bundle id>://auth (iOS), msauth://<package>/<signature hash> (Android) or an https URL";
    }
    if (u.protocol === "https:") return undefined;
    if (u.protocol === "http:" && (u.hostname === "localhost" || u.hostname === "127.0.0.1")) {
        return prod ? "is a localhost URI, allowed in dev only" : undefined;
    }
    return "must be https, a localhost URI (dev only) or an MSAL broker scheme (msauth.<bundle id>://auth, msauth://<package>/<hash>)";
}

// ---------------------------------------------------------------------------------------------

/** Validates raw configuration into a typed object, or throws one ConfigError listing every problem. */
export function parseConfig(raw: RawConfig): PlatformConfig {
    const problems: string[] = [];
    const add = (key: ConfigKey, msg: string) => problems.push(`${key}: ${msg}`);
    const parsed: Partial<Parsed> = {};
    for (const key of raw.unknownKeys ?? []) {
        if (RETIRED_KEYS[key]) {
            problems.push(`${key}: ${RETIRED_KEYS[key]}`);
            continue;
        }
        const near = closestKey(key);
        problems.push(`${key}: is not a setting of this project${near ? `; did you mean ${near}?` : ""} (the settings are declared in Pulumi.yaml)`);
    }
    for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
        const rv = raw.values[key];
        if (rv === undefined || rv.value === undefined) {
            add(key, `is not set; set it with \`pulumi config set ${key} <value>\` or give it a default in Pulumi.yaml`);
            continue;
        }
        const r = shape[key].safeParse(rv.value);
        if (r.success) (parsed as Record<string, unknown>)[key] = r.data;
        else for (const issue of r.error.issues) add(key, describeIssue(key, rv, issue));
    }
    let certificates: CaCertificate[] = [];
    let enrollments: EnrollmentsConfig = { groups: [], individuals: [] };
    // Cross-setting checks run on what did parse: each is skipped only when a setting it reads has
    // a problem of its own (reported above), so the count is the real number of problems.
    const view = guarded(parsed);
    const checkedCertificates = checkCombinations(view, raw.project, raw.stack, add);
    // Enrollment groups name CAs: checked only against a CA list that could itself be checked.
    if (checkedCertificates !== undefined) {
        certificates = checkedCertificates;
        try {
            enrollments = checkParsedEnrollments(view, certificates, raw.project, raw.stack, add);
        } catch (e) {
            if (!(e instanceof MissingInput)) throw e;
        }
    }
    if (problems.length > 0) throw new ConfigError(problems, raw.project, raw.stack);

    const c = parsed as Parsed;
    const pemSecret = raw.values.caCertificatePems?.secret === true;
    const tags: Record<string, string> = {};
    for (const t of c.tags) {
        const i = t.indexOf("=");
        tags[t.slice(0, i)] = t.slice(i + 1);
    }
    return {
        project: raw.project,
        stack: raw.stack,
        environment: c.environment,
        location: c.location,
        createResourceGroup: c.createResourceGroup,
        naming: { prefix: c.namePrefix, suffix: c.nameSuffix || deriveSuffix(raw.project, raw.stack, c.namePrefix, c.environment, c.location) },
        tags,
        iotHub: {
            sku: c.iotHubSku as HubSku,
            units: c.iotHubUnits,
            partitionCount: c.iotHubPartitionCount,
            messageRetentionDays: c.iotHubMessageRetentionDays,
            minTlsVersion: "1.2",
            publicNetworkAccess: c.iotHubPublicNetworkAccess,
            allowedIpRanges: c.iotHubAllowedIpRanges.map(canonicalCidr),
            blockedIpRanges: c.iotHubBlockedIpRanges.map(canonicalCidr),
            disableLocalAuth: true,
            restrictOutboundNetworkAccess: c.iotHubRestrictOutboundNetworkAccess,
            extraAllowedFqdns: c.iotHubAllowedFqdns,
            consumerGroups: c.iotHubConsumerGroups,
            attestation: c.deviceAttestation,
        },
        dps: {
            enabled: c.dpsEnabled,
            allocationPolicy: c.dpsAllocationPolicy,
            publicNetworkAccess: c.dpsPublicNetworkAccess,
            allowedIpRanges: c.dpsAllowedIpRanges.map(canonicalCidr),
        },
        enrollments,
        ca:
            c.caCertificateSource === "generated"
                ? { source: "generated", names: c.caGeneratedNames, validityDays: c.caValidityDays, minimumValidityDays: c.caMinimumValidityDays }
                : { source: "pem", certificates: certificates.map((x) => ({ ...x, secret: pemSecret })), minimumValidityDays: c.caMinimumValidityDays },
        cosmos: {
            capacityMode: c.cosmosCapacityMode,
            totalThroughputLimit: c.cosmosTotalThroughputLimit,
            containerMaxThroughput: c.cosmosContainerMaxThroughput,
            zoneRedundant: c.cosmosZoneRedundant,
            secondaryLocations: c.cosmosSecondaryLocations,
            publicNetworkAccess: c.cosmosPublicNetworkAccess,
            allowedIpRanges: c.cosmosAllowedIpRanges.map(canonicalCidr),
            databaseName: c.cosmosDatabaseName,
            containerName: c.cosmosContainerName,
            ttlDays: c.telemetryTtlDays,
        },
        entra: {
            owners: c.entraOwners.map((o) => o.toLowerCase()),
            mobileRedirectUris: c.mobileRedirectUris,
            azureCliAccess: c.apiAzureCliAccess,
            appOnlyClientIds: [...new Set(c.apiAppOnlyClientIds.map((g) => g.toLowerCase()))],
            operatorGroupIds: c.operatorGroupIds.map((g) => g.toLowerCase()),
        },
        privateNetwork: {
            enabled: c.privateNetworkEnabled,
            addressSpace: canonicalCidr(c.privateNetworkAddressSpace),
            endpointSubnet: canonicalCidr(c.privateEndpointSubnet),
            // In configuration order; DPS only when the stack deploys it.
            services: c.privateNetworkEnabled ? PRIVATE_ENDPOINT_SERVICES.filter((s) => c.privateEndpointServices.includes(s) && (s !== "dps" || c.dpsEnabled)) : [],
        },
        telemetry: {
            routeEnabled: c.telemetryRouteEnabled,
            eventHubPartitions: c.telemetryEventHubPartitions,
            eventHubRetentionDays: c.telemetryEventHubRetentionDays,
            functionSubnet: canonicalCidr(c.ingestFunctionSubnet),
            functionInstanceMemoryMB: c.ingestFunctionInstanceMemoryMB,
            functionMaximumInstances: c.ingestFunctionMaximumInstances,
        },
        api: {
            functionSubnet: canonicalCidr(c.apiFunctionSubnet),
            functionInstanceMemoryMB: c.apiFunctionInstanceMemoryMB,
            functionMaximumInstances: c.apiFunctionMaximumInstances,
        },
        observability: {
            diagnosticsEnabled: c.diagnosticsEnabled,
            logRetentionDays: c.logRetentionDays,
            alertsEnabled: c.alertsEnabled,
            alertEmails: c.alertsEnabled ? c.alertEmailReceivers : [],
        },
        threatProtection: { defenderForIot: c.defenderForIot, defenderForCosmos: c.defenderForCosmos },
        protection: { protectStatefulResources: c.protectStatefulResources, lockStatefulResources: c.lockStatefulResources },
    };
}

/** The enrollment checks with what they need from the rest of the stack (CA names, attestation, the linked hub). */
function checkParsedEnrollments(c: Parsed, certificates: CaCertificate[], project: string, stack: string, add: (key: ConfigKey, msg: string) => void): EnrollmentsConfig {
    const hub = serviceNames(c.namePrefix, c.environment, c.nameSuffix || deriveSuffix(project, stack, c.namePrefix, c.environment, c.location)).iotHub;
    return checkEnrollments(
        { groups: c.enrollmentGroups, individuals: c.individualEnrollments },
        {
            dpsEnabled: c.dpsEnabled,
            attestation: c.deviceAttestation,
            caNames: c.caCertificateSource === "generated" ? c.caGeneratedNames : certificates.map((x) => x.name),
            caSource: c.caCertificateSource,
            linkedHubs: [`${hub}.azure-devices.net`],
        },
        add,
    );
}

function canonicalCidr(s: string): string {
    const r = parseCidr(s);
    if (!r.ok) throw new Error(`unreachable: ${s} was validated`);
    return r.cidr.text;
}

function closestKey(key: string): string | undefined {
    const distance = (a: string, b: string): number => {
        const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
        for (let j = 1; j <= b.length; j++) d[0][j] = j;
        for (let i = 1; i <= a.length; i++)
            for (let j = 1; j <= b.length; j++)
                d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
        return d[a.length][b.length];
    };
    let best: string | undefined;
    let bestD = Infinity;
    for (const k of Object.keys(CONFIG_KEYS)) {
        const dd = distance(key, k);
        if (dd < bestD) [best, bestD] = [k, dd];
    }
    return bestD <= Math.max(3, Math.floor(key.length / 3)) ? best : undefined;
}
