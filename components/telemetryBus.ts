/**
 * The telemetry bus: an Event Hubs namespace between the IoT Hub and the ingest function.
 *
 * Why Event Hubs: the hub's egress goes to an endpoint's public address (a private endpoint on the
 * hub is for ingress only), and the trusted-Microsoft-services exception that lets the hub through a
 * firewall exists for Storage, Event Hubs and Service Bus, not for Cosmos DB
 * (MicrosoftDocs/azure-docs articles/iot-hub/virtual-network-support.md, "Egress connectivity from
 * IoT Hub to other Azure resources"). Event Hubs lists IoT Hub among its trusted services with three
 * steps: the hub's system-assigned identity, that identity in the Azure Event Hubs Data Sender role,
 * and an identity-based custom endpoint (articles/event-hubs/includes/event-hubs-trusted-services.md).
 *
 * Posture:
 * - Standard tier: the first tier with firewall rules, virtual network rules and private endpoints
 *   (not in Basic, articles/event-hubs/event-hubs-ip-filtering.md "Important points"); Premium's
 *   dedicated processing units are not needed at a fleet's telemetry rate.
 * - Entra ID only (`disableLocalAuth`: no SAS keys, no connection strings), TLS 1.2 minimum.
 * - Network rule set: public network access Enabled with default action Deny, the trusted-services
 *   exception on, and one virtual network rule for the ingest function's subnet. The rule is not
 *   optional: "If there are no IP and virtual network rules, all the traffic flows into the namespace
 *   even if you set the defaultAction to deny" (event-hubs-ip-filtering.md). `Disabled` would close
 *   the namespace to everything but private endpoints; the IoT Hub documents the trusted-service path
 *   as "Allow access from selected networks" plus the exception, so that is what we configure.
 * - Data-plane roles scoped to the telemetry event hub, not the namespace: the ingest function's
 *   identity receives (here); the hub's system-assigned identity sends (components/iotHub.ts, since
 *   that principal exists only once the hub does).
 */
import * as pulumi from "@pulumi/pulumi";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as authorization from "@pulumi/azure-native/authorization";
import { knownAfter } from "./known";

/** Built-in Azure roles for the Event Hubs data plane (articles/role-based-access-control/built-in-roles.md). */
export const EVENT_HUBS_ROLES = {
    dataSender: "2b629674-e913-4c01-ae53-ef4638d8f975",
    dataReceiver: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
} as const;

/** The event hub telemetry is routed to, and the consumer group only the ingest function reads. */
export const TELEMETRY_EVENT_HUB = "telemetry";
export const INGEST_CONSUMER_GROUP = "ingest";

export interface TelemetryBusArgs {
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    namespaceName: string;
    partitionCount: number;
    retentionDays: number;
    /** Zone redundancy of the namespace; the platform passes cosmosZoneRedundant (one choice for the telemetry path). */
    zoneRedundant: boolean;
    /** Subnets admitted by a virtual network rule (the ingest function's; at least one, see above). */
    allowedSubnetIds: pulumi.Input<string>[];
    /** The ingest function's identity: Data Receiver on the event hub. */
    receiverPrincipalId: pulumi.Input<string>;
}

export class TelemetryBus extends pulumi.ComponentResource {
    public readonly namespace: eventhub.Namespace;
    public readonly networkRuleSet: eventhub.NamespaceNetworkRuleSet;
    public readonly eventHub: eventhub.EventHub;
    public readonly consumerGroup: eventhub.ConsumerGroup;
    public readonly receiverRole: authorization.RoleAssignment;
    /** `<namespace>.servicebus.windows.net`, known at preview (the hub's allowed FQDN, the function's setting). */
    public readonly fqdn: string;
    /** `sb://<namespace>.servicebus.windows.net`: the hub's routing endpoint URI. */
    public readonly endpointUri: string;
    public readonly eventHubName = TELEMETRY_EVENT_HUB;
    public readonly consumerGroupName = INGEST_CONSUMER_GROUP;
    /** ARM id of the event hub, built from known parts and carrying the dependency on it. */
    public readonly eventHubId: pulumi.Output<string>;

    constructor(name: string, args: TelemetryBusArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:messaging:TelemetryBus", name, {}, opts);
        if (args.allowedSubnetIds.length === 0) {
            throw new Error("TelemetryBus: at least one allowed subnet is needed; without any rule Event Hubs ignores defaultAction Deny and admits every network");
        }
        const { resourceGroupName, location, tags } = args;
        this.fqdn = `${args.namespaceName}.servicebus.windows.net`;
        this.endpointUri = `sb://${this.fqdn}`;

        this.namespace = new eventhub.Namespace(
            "namespace",
            {
                namespaceName: args.namespaceName,
                resourceGroupName,
                location,
                tags,
                sku: { name: "Standard", tier: "Standard", capacity: 1 },
                disableLocalAuth: true,
                minimumTlsVersion: "1.2",
                // The network rule set below narrows it; Disabled would also shut out the hub.
                publicNetworkAccess: "Enabled",
                kafkaEnabled: false,
                isAutoInflateEnabled: false,
                zoneRedundant: args.zoneRedundant,
            },
            { parent: this },
        );

        this.networkRuleSet = new eventhub.NamespaceNetworkRuleSet(
            "network-rules",
            {
                namespaceName: this.namespace.name,
                resourceGroupName,
                publicNetworkAccess: "Enabled",
                defaultAction: "Deny",
                trustedServiceAccessEnabled: true,
                ipRules: [],
                virtualNetworkRules: args.allowedSubnetIds.map((id) => ({ subnet: { id }, ignoreMissingVnetServiceEndpoint: false })),
            },
            { parent: this },
        );

        this.eventHub = new eventhub.EventHub(
            "telemetry",
            {
                eventHubName: TELEMETRY_EVENT_HUB,
                namespaceName: this.namespace.name,
                resourceGroupName,
                partitionCount: args.partitionCount,
                messageRetentionInDays: args.retentionDays,
            },
            { parent: this },
        );

        this.consumerGroup = new eventhub.ConsumerGroup(
            "ingest",
            {
                consumerGroupName: INGEST_CONSUMER_GROUP,
                eventHubName: this.eventHub.name,
                namespaceName: this.namespace.name,
                resourceGroupName,
                userMetadata: "Read by the telemetry-ingest function only",
            },
            { parent: this },
        );

        this.eventHubId = knownAfter(
            this.eventHub,
            pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.EventHub/namespaces/${args.namespaceName}/eventhubs/${TELEMETRY_EVENT_HUB}`,
        );
        this.receiverRole = new authorization.RoleAssignment(
            "ingest-receiver",
            {
                principalId: args.receiverPrincipalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${EVENT_HUBS_ROLES.dataReceiver}`,
                scope: this.eventHubId,
                description: `ingest: Azure Event Hubs Data Receiver on ${args.namespaceName}/${TELEMETRY_EVENT_HUB}`,
            },
            { parent: this },
        );

        this.registerOutputs({ fqdn: this.fqdn, eventHub: TELEMETRY_EVENT_HUB, consumerGroup: INGEST_CONSUMER_GROUP });
    }
}
