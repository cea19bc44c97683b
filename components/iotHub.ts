/**
 * The IoT Hub and its whole security posture, in one place:
 * - TLS 1.2 minimum (fixed at creation);
 * - shared access policies: an explicit, least-privilege list that replaces Azure's defaults
 *   (no iothubowner): only the DPS link policy with exactly RegistryWrite, ServiceConnect when
 *   DPS links by key, otherwise none at all and local auth off;
 * - device SAS off when devices attest with X.509 only; module SAS always off;
 * - network: public access per stack, IP allow list with default deny (plus a block list carved
 *   out of it), restricted egress to an explicit FQDN list;
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
import { statefulOptions, type StatefulProtection } from "./stateful";
import { knownAfter } from "./known";
import { EVENT_HUBS_ROLES } from "./telemetryBus";

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
    /** The hub's system-assigned identity as Azure Event Hubs Data Sender on the telemetry event hub. */
    public readonly routingRole: authorization.RoleAssignment;
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
                // System-assigned: the identity the Event Hubs trusted-services exception admits (see EventHubsRouteTarget).
                identity: { type: "SystemAssigned" },
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
