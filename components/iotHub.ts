/**
 * The IoT Hub and its whole security posture, in one place:
 * - TLS 1.2 minimum (fixed at creation);
 * - no shared keys: local auth off and an explicit, empty list of shared access policies (it
 *   replaces Azure's defaults, iothubowner among them); DPS, the API and operators reach the hub
 *   through Entra ID data roles scoped to it;
 * - device SAS off when devices attest with X.509 only; module SAS always off;
 * - network: public access per stack, IP allow list with default deny (a block list is carved
 *   out of it by splitting the allowed ranges: `networkRuleSets` has Allow rules only, and the
 *   retired `ipFilterRules` is not sent), restricted egress to an explicit FQDN list;
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
import { TELEMETRY_PARTITION_KEY } from "./telemetryStore";
import { parseCidr, subtractCidrs, type Cidr } from "../config/cidr";

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
    /** A workload's managed identity (default) or an Entra group of people. */
    principalType?: "ServicePrincipal" | "Group";
    roles: ApiIotHubRole[];
}

/**
 * The hub's IP allow rules: the allowed ranges with the blocked ones carved out. IoT Hub's
 * `networkRuleSets` holds Allow rules and a default action only, and the classic `ipFilterRules`
 * (whose Reject entries could block inside an allowed range) is retired and not compatible with
 * it (learn.microsoft.com/azure/iot-hub/iot-hub-ip-filter-classic), so a block becomes a split:
 * 203.0.113.0/24 minus 203.0.113.128/28 is allowed as /25, /26, /27 and the other /28.
 */
export function hubIpAllowRules(allowed: readonly string[], blocked: readonly string[]): { filterName: string; action: "Allow"; ipMask: string }[] {
    const parse = (text: string): Cidr => {
        const r = parseCidr(text);
        if (!r.ok) throw new Error(`IotHub: ${r.problem}`);
        return r.cidr;
    };
    return subtractCidrs(allowed.map(parse), blocked.map(parse)).map((c, i) => ({ filterName: `allow-${i + 1}`, action: "Allow", ipMask: c.text }));
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
    /** The role assignments of each grant, by the grant's name (e.g. DPS must wait for its own). */
    public readonly grants: Record<string, authorization.RoleAssignment[]>;
    /**
     * FQDN of the built-in Event Hubs-compatible endpoint (the fallback route and the consumer
     * groups use it). Azure picks it at creation. With restricted egress the built-in endpoint is
     * not exempt: its FQDN must be added to the allowed list after the first deployment.
     */
    public readonly builtInEndpointFqdn: pulumi.Output<string>;
    /** `/subscriptions/.../IotHubs/<name>`, built from known parts (reviewable at preview). */
    public readonly hubId: pulumi.Output<string>;

    constructor(name: string, args: IotHubArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:iot:IotHub", name, {}, opts);
        const attestation = args.attestation ?? ["x509"];
        const x509Only = attestation.every((a) => a === "x509");
        const publicAccess = args.publicNetworkAccess ?? "Disabled";
        const ipRules = hubIpAllowRules(args.allowedIpRanges ?? [], args.blockedIpRanges ?? []);
        this.hostName = `${args.hubName}.azure-devices.net`;

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
                    // Replaces Azure's default set (iothubowner, service, device, registryRead, registryReadWrite);
                    // with local auth off no hub-scoped SAS token is accepted anyway.
                    authorizationPolicies: [],
                    disableLocalAuth: true,
                    disableDeviceSAS: x509Only,
                    disableModuleSAS: true,
                    publicNetworkAccess: publicAccess,
                    networkRuleSets: {
                        defaultAction: "Deny",
                        applyToBuiltInEventHubEndpoint: true,
                        ipRules,
                    },
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
        this.hubId = hubId;
        this.grants = {};
        for (const grant of args.dataPlaneGrants ?? []) {
            this.grants[grant.name] = grant.roles.map(
                (role) =>
                    new authorization.RoleAssignment(
                        `${grant.name}-${role}`,
                        {
                            principalId: grant.principalId,
                            principalType: grant.principalType ?? "ServicePrincipal",
                            roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${IOT_HUB_ROLES[role]}`,
                            scope: hubId,
                            description: `${grant.name}: ${role} on ${args.hubName}`,
                        },
                        { parent: this, dependsOn: [this.hub] },
                    ),
            );
        }
        this.roleAssignments = Object.values(this.grants).flat();

        this.builtInEndpointFqdn = this.hub.properties.apply((p) =>
            (p.eventHubEndpoints?.["events"]?.endpoint ?? "").replace(/^sb:\/\//, "").replace(/\/$/, ""),
        );
        this.registerOutputs({ hostName: this.hostName, hubId: this.hub.id, builtInEndpointFqdn: this.builtInEndpointFqdn });
    }
}
