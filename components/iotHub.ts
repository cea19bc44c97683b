/**
 * The IoT Hub and its whole security posture, in one place:
 * - TLS 1.2 minimum (fixed at creation);
 * - shared access policies: an explicit, least-privilege list that replaces Azure's defaults
 *   (no iothubowner): only the DPS link policy with exactly RegistryWrite, ServiceConnect when
 *   DPS links by key, otherwise none at all and local auth off;
 * - device SAS off when devices attest with X.509 only; module SAS always off;
 * - network: public access per stack, IP allow list with default deny (plus a block list carved
 *   out of it), restricted egress to an explicit FQDN list;
 * - a user-assigned identity that routes telemetry to Cosmos DB without keys, plus a fallback
 *   route to the built-in endpoint;
 * - device CA certificates and the Entra ID data-plane roles of the services that call the hub.
 *
 * Every policy-relevant input is known at preview: names and ids are built from configuration,
 * so CrossGuard evaluates the hub's rules as mandatory on a pull request, not advisory.
 */
import * as pulumi from "@pulumi/pulumi";
import * as iothub from "@pulumi/azure-native/iothub";
import * as authorization from "@pulumi/azure-native/authorization";
import type { Attestation, ApiIotHubRole, HubSku } from "../config/schema";
import type { DeviceCa } from "./deviceCa";
import { statefulOptions, type StatefulProtection } from "./stateful";
import { knownAfter } from "./known";
import { TELEMETRY_PARTITION_KEY } from "./telemetryStore";

/** The only SAS policy the hub keeps, and the rights DPS needs to register devices on it. */
export const DPS_LINK_POLICY = { keyName: "dps-link", rights: "RegistryWrite, ServiceConnect" } as const;

/** Built-in Azure roles for the IoT Hub data plane (Entra ID instead of SAS keys). */
export const IOT_HUB_ROLES: Record<ApiIotHubRole, string> = {
    IoTHubDataReader: "b447c946-2db7-41ec-983d-d8bf3b1c77e3",
    IoTHubTwinContributor: "494bdba2-168f-4f31-a0a1-191d2f7c028c",
    IoTHubRegistryContributor: "4ea46cd5-c1b2-4a8e-910b-273211f9ce47",
    IoTHubDataContributor: "4fc6c259-987e-4a07-842e-c321cc9d413f",
};

export interface HubDataPlaneGrant {
    /** Logical name used in resource names, e.g. "api". */
    name: string;
    principalId: pulumi.Input<string>;
    roles: ApiIotHubRole[];
}

export interface CosmosRouteTarget {
    /** `https://<account>.documents.azure.com:443/`, plain text so the hub stays known at preview. */
    endpoint: string;
    fqdn: string;
    databaseName: string;
    containerName: string;
    resourceGroupName: pulumi.Input<string>;
}

export interface IotHubArgs {
    hubName: string;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    subscriptionId: pulumi.Input<string>;
    tags: Record<string, string>;
    sku?: HubSku;
    units?: number;
    partitionCount?: number;
    messageRetentionDays?: number;
    /** Attestation methods the fleet uses; X.509 alone turns device SAS off. Default x509 only. */
    attestation?: Attestation[];
    /** Whether DPS links to this hub by key (keeps local auth on with only the dps-link policy). */
    dpsLinkedByKey: boolean;
    /** Turn hub-scoped SAS off. Must be false when dpsLinkedByKey (validated in configuration). */
    disableLocalAuth?: boolean;
    publicNetworkAccess?: "Enabled" | "Disabled";
    allowedIpRanges?: string[];
    blockedIpRanges?: string[];
    restrictOutboundNetworkAccess?: boolean;
    extraAllowedFqdns?: string[];
    consumerGroups?: string[];
    /** The routing identity's ARM id (built from known parts) and the resources it must wait for. */
    routingIdentityResourceId: pulumi.Input<string>;
    route: CosmosRouteTarget;
    /**
     * What must exist before the hub: its routing identity and that identity's data-plane role on
     * the target (Azure validates the identity-based endpoint when the hub is created).
     */
    routingPrerequisites?: pulumi.Resource[];
    caCertificates?: DeviceCa[];
    dataPlaneGrants?: HubDataPlaneGrant[];
    /** Pulumi protect and former identities of the hub (it holds the device registry). */
    stateful?: StatefulProtection;
}

const COSMOS_ENDPOINT = "telemetry-cosmos";

export class IotHub extends pulumi.ComponentResource {
    public readonly hub: iothub.IotHubResource;
    /** `<name>.azure-devices.net`, known at preview. */
    public readonly hostName: string;
    public readonly consumerGroups: iothub.IotHubResourceEventHubConsumerGroup[];
    public readonly certificates: iothub.Certificate[];
    public readonly roleAssignments: authorization.RoleAssignment[];
    /**
     * FQDN of the built-in Event Hubs-compatible endpoint (the fallback route and the consumer
     * groups use it). Azure picks it at creation. With restricted egress the built-in endpoint is
     * not exempt: its FQDN must be added to the allowed list after the first deployment.
     */
    public readonly builtInEndpointFqdn: pulumi.Output<string>;
    /**
     * Connection string of the dps-link policy (secret), read after the hub exists; undefined
     * when DPS does not link by key.
     */
    public readonly dpsLinkConnectionString?: pulumi.Output<string>;

    constructor(name: string, args: IotHubArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:iot:IotHub", name, {}, opts);
        const attestation = args.attestation ?? ["x509"];
        const x509Only = attestation.every((a) => a === "x509");
        const disableLocalAuth = args.disableLocalAuth ?? !args.dpsLinkedByKey;
        if (disableLocalAuth && args.dpsLinkedByKey) {
            throw new Error("IotHub: disableLocalAuth cannot be true while DPS links to the hub by key; the link would stop working");
        }
        const publicAccess = args.publicNetworkAccess ?? "Disabled";
        const allowed = args.allowedIpRanges ?? [];
        const blocked = args.blockedIpRanges ?? [];
        this.hostName = `${args.hubName}.azure-devices.net`;

        // Legacy filter list, kept consistent with networkRuleSets: blocked ranges are rejected first.
        const ipFilterRules = [
            ...blocked.map((ipMask, i) => ({ filterName: `block-${i + 1}`, action: "Reject" as const, ipMask })),
            ...allowed.map((ipMask, i) => ({ filterName: `allow-${i + 1}`, action: "Accept" as const, ipMask })),
        ];

        this.hub = new iothub.IotHubResource(
            "hub",
            {
                resourceName: args.hubName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                tags: args.tags,
                sku: { name: args.sku ?? "S1", capacity: args.units ?? 1 },
                identity: { type: "UserAssigned", userAssignedIdentities: [args.routingIdentityResourceId] },
                properties: {
                    minTlsVersion: "1.2",
                    // Replaces Azure's default set (iothubowner, service, device, registryRead, registryReadWrite).
                    authorizationPolicies: args.dpsLinkedByKey ? [{ ...DPS_LINK_POLICY }] : [],
                    disableLocalAuth,
                    disableDeviceSAS: x509Only,
                    disableModuleSAS: true,
                    publicNetworkAccess: publicAccess,
                    networkRuleSets: {
                        defaultAction: "Deny",
                        applyToBuiltInEventHubEndpoint: true,
                        ipRules: allowed.map((ipMask, i) => ({ filterName: `allow-${i + 1}`, action: "Allow", ipMask })),
                    },
                    ipFilterRules,
                    restrictOutboundNetworkAccess: args.restrictOutboundNetworkAccess ?? true,
                    allowedFqdnList: [...new Set([args.route.fqdn, ...(args.extraAllowedFqdns ?? [])])],
                    eventHubEndpoints: {
                        events: { partitionCount: args.partitionCount ?? 4, retentionTimeInDays: args.messageRetentionDays ?? 1 },
                    },
                    routing: {
                        endpoints: {
                            cosmosDBSqlContainers: [
                                {
                                    name: COSMOS_ENDPOINT,
                                    endpointUri: args.route.endpoint,
                                    databaseName: args.route.databaseName,
                                    containerName: args.route.containerName,
                                    resourceGroup: args.route.resourceGroupName,
                                    subscriptionId: args.subscriptionId,
                                    authenticationType: "identityBased",
                                    identity: { userAssignedIdentity: args.routingIdentityResourceId },
                                    partitionKeyName: TELEMETRY_PARTITION_KEY.name,
                                    partitionKeyTemplate: TELEMETRY_PARTITION_KEY.template,
                                },
                            ],
                        },
                        routes: [
                            { name: "telemetry-to-cosmos", source: "DeviceMessages", condition: "true", endpointNames: [COSMOS_ENDPOINT], isEnabled: true },
                        ],
                        // Messages no route matches still reach the built-in endpoint.
                        fallbackRoute: { name: "$fallback", source: "DeviceMessages", condition: "true", endpointNames: ["events"], isEnabled: true },
                    },
                    // Device-to-cloud only: no file upload storage endpoint (it would need a storage account and keys).
                    enableFileUploadNotifications: false,
                    features: "None",
                },
            },
            // minTlsVersion and the partition count are fixed at creation: changing them replaces the
            // hub and loses the device registry, so Pulumi says so in the plan (and refuses while protected).
            { parent: this, dependsOn: args.routingPrerequisites ?? [], ...statefulOptions("iotHub", args.stateful) },
        );

        this.consumerGroups = (args.consumerGroups ?? []).map(
            (group) =>
                new iothub.IotHubResourceEventHubConsumerGroup(
                    `cg-${group}`,
                    {
                        resourceGroupName: args.resourceGroupName,
                        resourceName: this.hub.name,
                        eventHubEndpointName: "events",
                        name: group,
                        properties: { name: group },
                    },
                    { parent: this },
                ),
        );

        // Device CA certificates, verified at upload (the PKI holds the key; see README on rotation).
        this.certificates = (args.caCertificates ?? []).map(
            (ca) =>
                new iothub.Certificate(
                    `ca-${ca.name}`,
                    {
                        resourceGroupName: args.resourceGroupName,
                        resourceName: this.hub.name,
                        certificateName: ca.name,
                        properties: { certificate: ca.pem, isVerified: true },
                    },
                    { parent: this },
                ),
        );

        // Service access through Entra ID roles scoped to this hub, never through SAS keys. The scope
        // is built from known parts so it is reviewable at preview; dependsOn orders it after the hub.
        const hubId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.Devices/IotHubs/${args.hubName}`;
        this.roleAssignments = (args.dataPlaneGrants ?? []).flatMap((grant) =>
            grant.roles.map(
                (role) =>
                    new authorization.RoleAssignment(
                        `${grant.name}-${role}`,
                        {
                            principalId: grant.principalId,
                            principalType: "ServicePrincipal",
                            roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${IOT_HUB_ROLES[role]}`,
                            scope: hubId,
                            description: `${grant.name}: ${role} on ${args.hubName}`,
                        },
                        { parent: this, dependsOn: [this.hub] },
                    ),
            ),
        );

        if (args.dpsLinkedByKey) {
            // Read through the hub's outputs so the invoke waits for the hub (and never runs against
            // a hub that does not exist yet during the preview of a new stack).
            const keys = iothub.listIotHubResourceKeysForKeyNameOutput(
                { resourceGroupName: args.resourceGroupName, resourceName: this.hub.name, keyName: DPS_LINK_POLICY.keyName },
                { parent: this },
            );
            // The invoke's result carries no dependency on the hub; the host name does (knownAfter), so
            // DPS records that it links this hub (creation and deletion order, and the policy pack's link).
            this.dpsLinkConnectionString = pulumi.secret(
                pulumi.interpolate`HostName=${knownAfter(this.hub, this.hostName)};SharedAccessKeyName=${DPS_LINK_POLICY.keyName};SharedAccessKey=${keys.primaryKey}`,
            );
        }

        this.builtInEndpointFqdn = this.hub.properties.apply((p) =>
            (p.eventHubEndpoints?.["events"]?.endpoint ?? "").replace(/^sb:\/\//, "").replace(/\/$/, ""),
        );
        this.registerOutputs({ hostName: this.hostName, hubId: this.hub.id, builtInEndpointFqdn: this.builtInEndpointFqdn });
    }
}
