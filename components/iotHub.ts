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
 * - message routing: device telemetry to the Event Hubs namespace (components/telemetryBus.ts) with
 *   the hub's system-assigned identity, an explicit route to the built-in `events` endpoint beside it
 *   (the consumer groups read every message), and `$fallback` for what no route takes;
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
import { statefulOptions, type StatefulProtection } from "./lossProtection";
import { parseCidr, subtractCidrs, type Cidr } from "@secure-iot/azure-facts";
import { EVENT_HUBS_ROLES } from "./telemetryBus";

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

/**
 * The Event Hubs endpoint telemetry is routed to. Plain text, so the hub stays known at preview.
 *
 * Identity: the hub's system-assigned identity. It is the only kind the Event Hubs firewall's
 * trusted-services exception admits: "Only system-assigned managed identity gives IoT Hub access to
 * private resources. If you want to use user-assigned managed identity, then the public access on
 * those private resources needs to be enabled" (MicrosoftDocs/azure-docs
 * articles/iot-hub/iot-hub-managed-identity.md, 2023-05-11), and the Event Hubs trusted-services list
 * names the same three steps for IoT Hub: system-assigned identity, Data Sender role,
 * identity-based endpoint (articles/event-hubs/includes/event-hubs-trusted-services.md).
 */
export interface EventHubsRouteTarget {
    /** `sb://<namespace>.servicebus.windows.net`. */
    endpointUri: string;
    /** `<namespace>.servicebus.windows.net`, added to the egress allow list. */
    fqdn: string;
    eventHubName: string;
    resourceGroupName: pulumi.Input<string>;
    /** ARM id of the event hub: the scope of the hub's Data Sender role. */
    eventHubId: pulumi.Input<string>;
    /**
     * Whether the hub routes to it. The identity-based endpoint is validated when the hub saves it,
     * and the role it needs can only be granted once the hub (and so its system-assigned principal)
     * exists: false on a stack's first `pulumi up`, true from the second on (docs/TELEMETRY.md).
     */
    enabled: boolean;
}

export interface IotHubArgs {
    hubName: string;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    subscriptionId: pulumi.Input<string>;
    tags: Record<string, string>;
    // Sizing has no safe default of its own: the platform passes the validated setting
    // (iotHubSku, iotHubUnits, iotHubPartitionCount, iotHubMessageRetentionDays).
    sku: HubSku;
    units: number;
    /** Fixed at creation. */
    partitionCount: number;
    messageRetentionDays: number;
    /** Attestation methods the fleet uses; X.509 alone turns device SAS off. Default x509 only, as Pulumi.yaml declares. */
    attestation?: Attestation[];
    /**
     * Default Disabled (private endpoints only), the secure choice for a hub used on its own. Note
     * this differs from Pulumi.yaml's iotHubPublicNetworkAccess default (Enabled, with an IP allow
     * list); the platform always passes the validated setting.
     */
    publicNetworkAccess?: "Enabled" | "Disabled";
    /** Default none, as Pulumi.yaml declares: with public access Enabled and no range, nothing gets in. */
    allowedIpRanges?: string[];
    /** Default none, as Pulumi.yaml declares. */
    blockedIpRanges?: string[];
    /** Default true (egress to the routing endpoints only), as Pulumi.yaml declares. */
    restrictOutboundNetworkAccess?: boolean;
    /** Default none, as Pulumi.yaml declares. */
    extraAllowedFqdns?: string[];
    /** Consumer groups besides $Default; the platform passes iotHubConsumerGroups. */
    consumerGroups: string[];
    route: EventHubsRouteTarget;
    /** What must exist before the hub: the Event Hubs namespace, its network rules and the event hub. */
    routingPrerequisites?: pulumi.Resource[];
    caCertificates?: DeviceCa[];
    dataPlaneGrants?: HubDataPlaneGrant[];
    /** Pulumi protect and former identities of the hub (it holds the device registry). */
    stateful?: StatefulProtection;
}

/** Names of the routing endpoint and routes (the alert on routing deliveries is split by endpoint name). */
export const EVENT_HUBS_ENDPOINT = "telemetry-eventhubs";
export const BUILT_IN_ENDPOINT = "events";
export const ROUTES = { telemetry: "telemetry-to-eventhubs", builtIn: "telemetry-to-builtin", fallback: "$fallback" } as const;

export class IotHub extends pulumi.ComponentResource {
    public readonly hub: iothub.IotHubResource;
    /** `<name>.azure-devices.net`, known at preview. */
    public readonly hostName: string;
    public readonly consumerGroups: iothub.IotHubResourceEventHubConsumerGroup[];
    public readonly certificates: iothub.Certificate[];
    public readonly roleAssignments: authorization.RoleAssignment[];
    /** The role assignments of each grant, by the grant's name (e.g. DPS must wait for its own). */
    public readonly grants: Record<string, authorization.RoleAssignment[]>;
    /** The hub's system-assigned identity as Azure Event Hubs Data Sender on the telemetry event hub. */
    public readonly routingRole: authorization.RoleAssignment;
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
        const publicAccess = args.publicNetworkAccess ?? "Disabled"; // secure default on its own; not Pulumi.yaml's (see the arg)
        const ipRules = hubIpAllowRules(args.allowedIpRanges ?? [], args.blockedIpRanges ?? []);
        this.hostName = `${args.hubName}.azure-devices.net`;

        this.hub = new iothub.IotHubResource(
            "hub",
            {
                resourceName: args.hubName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                tags: args.tags,
                sku: { name: args.sku, capacity: args.units },
                // System-assigned: the identity the Event Hubs trusted-services exception admits (see EventHubsRouteTarget).
                identity: { type: "SystemAssigned" },
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
                        events: { partitionCount: args.partitionCount, retentionTimeInDays: args.messageRetentionDays },
                    },
                    routing: {
                        endpoints: {
                            eventHubs: args.route.enabled
                                ? [
                                      {
                                          name: EVENT_HUBS_ENDPOINT,
                                          endpointUri: args.route.endpointUri,
                                          entityPath: args.route.eventHubName,
                                          resourceGroup: args.route.resourceGroupName,
                                          subscriptionId: args.subscriptionId,
                                          // No identity given: the system-assigned one.
                                          authenticationType: "identityBased",
                                      },
                                  ]
                                : [],
                        },
                        // Every device message goes to Event Hubs (for the ingest function) and to the
                        // built-in endpoint (for the consumer groups): a route to a custom endpoint
                        // takes messages away from the built-in one unless a route keeps sending them
                        // there (MicrosoftDocs/azure-docs articles/iot-hub/iot-hub-devguide-messages-d2c.md).
                        routes: [
                            ...(args.route.enabled
                                ? [{ name: ROUTES.telemetry, source: "DeviceMessages", condition: "true", endpointNames: [EVENT_HUBS_ENDPOINT], isEnabled: true }]
                                : []),
                            { name: ROUTES.builtIn, source: "DeviceMessages", condition: "true", endpointNames: [BUILT_IN_ENDPOINT], isEnabled: true },
                        ],
                        // Messages no route takes still reach the built-in endpoint.
                        fallbackRoute: { name: ROUTES.fallback, source: "DeviceMessages", condition: "true", endpointNames: [BUILT_IN_ENDPOINT], isEnabled: true },
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

        // The role the Event Hubs endpoint authenticates with. It is created with the hub (the
        // principal exists only then), and the endpoint is saved on the next update.
        this.routingRole = new authorization.RoleAssignment(
            "routing-eventhubs-sender",
            {
                principalId: this.hub.identity.apply((i) => i?.principalId ?? ""),
                principalType: "ServicePrincipal",
                roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${EVENT_HUBS_ROLES.dataSender}`,
                scope: args.route.eventHubId,
                description: `${args.hubName} (system-assigned): Azure Event Hubs Data Sender on ${args.route.eventHubName}`,
            },
            { parent: this },
        );

        this.consumerGroups = args.consumerGroups.map(
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
