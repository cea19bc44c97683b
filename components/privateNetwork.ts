/**
 * The platform's virtual network, in two jobs:
 *
 * - `PlatformNetwork`: the network itself. Every stack has one, for the ingest function's virtual
 *   network integration (a subnet delegated to `Microsoft.App/environments`, the delegation Flex
 *   Consumption requires: MicrosoftDocs/azure-docs articles/azure-functions/flex-consumption-plan.md,
 *   "Considerations"), with service endpoints so the function reaches Event Hubs, Storage and Cosmos
 *   DB through their firewalls without those being opened to the internet. Stacks with private
 *   endpoints also get the endpoint subnet, behind its network security group.
 * - `PrivateEndpoints`: one private endpoint per chosen service in the endpoint subnet, each
 *   registered in the `privatelink.*` DNS zones Azure documents for its sub-resource, and those
 *   zones linked to the network. Clients inside the network (the ingest function, peered networks,
 *   a VPN that uses its DNS) resolve the services' usual host names to private addresses; nothing
 *   about the host names or connection strings changes.
 *
 * Field devices are not affected: they keep reaching the hub and DPS over their public endpoints,
 * filtered by the IP allow lists, unless the stack turns public access off.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import { knownAfter } from "./known";

/** Private Link sub-resources (group ids) of the services this platform runs. */
export type PrivateLinkGroupId = "iotHub" | "iotDps" | "Sql" | "namespace";

/**
 * The private DNS zones of each sub-resource (Azure Private Endpoint DNS zone values). The hub's
 * endpoint also serves its built-in Event Hubs-compatible endpoint, whose names live under
 * servicebus.windows.net, the zone of an Event Hubs namespace (group `namespace`) too: the zone is
 * created and linked once and both endpoints register their records in it.
 */
export const PRIVATE_DNS_ZONES: Record<PrivateLinkGroupId, readonly string[]> = {
    iotHub: ["privatelink.azure-devices.net", "privatelink.servicebus.windows.net"],
    iotDps: ["privatelink.azure-devices-provisioning.net"],
    Sql: ["privatelink.documents.azure.com"],
    namespace: ["privatelink.servicebus.windows.net"],
};

/**
 * Inbound ports the endpoints serve: HTTPS (and MQTT/AMQP over WebSockets) 443, AMQP over TLS 5671
 * (IoT Hub, Event Hubs) and MQTT over TLS 8883. Everything else is denied.
 *
 * Not listed, on purpose:
 * - 5672, AMQP without TLS: the hub, DPS and Event Hubs all require TLS 1.2, so nothing may speak
 *   plain AMQP to them.
 * - 10250-10255, Cosmos DB direct mode: the only Cosmos DB client in the network is the ingest
 *   function, and the JavaScript SDK it uses connects in gateway mode (HTTPS, 443) only. A direct-mode
 *   client would not be served by a few ports anyway: Microsoft documents that direct mode through a
 *   private endpoint needs the full port range 0-65535 open to the endpoint subnet
 *   (MicrosoftDocs/azure-databases-docs articles/cosmos-db/how-to-configure-private-endpoints.md).
 */
export const ENDPOINT_PORTS = ["443", "5671", "8883"] as const;

/**
 * Service endpoints on the ingest function's subnet: they make the function's traffic to these
 * services arrive as traffic from the subnet, which the services' firewalls then admit by a
 * virtual network rule (Event Hubs namespace network rule set, storage account network rule set,
 * Cosmos DB `virtualNetworkRules`).
 */
export const FUNCTION_SUBNET_SERVICE_ENDPOINTS = ["Microsoft.EventHub", "Microsoft.Storage", "Microsoft.AzureCosmosDB"] as const;

/** The delegation Flex Consumption virtual network integration requires. */
export const FUNCTION_SUBNET_DELEGATION = "Microsoft.App/environments";

export const ENDPOINT_SUBNET_NAME = "private-endpoints";
export const FUNCTION_SUBNET_NAME = "ingest-function";
export const API_SUBNET_NAME = "api-function";

/**
 * Service endpoints on the API function's subnet: its host storage (Microsoft.Storage) and, where
 * the account is public behind its firewall, Cosmos DB. It reads no event hub.
 */
export const API_SUBNET_SERVICE_ENDPOINTS = ["Microsoft.Storage", "Microsoft.AzureCosmosDB"] as const;

export interface PlatformNetworkArgs {
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    networkName: string;
    /** RFC 1918 CIDR of the network and its subnets (validated in configuration). */
    addressSpace: string;
    functionSubnet: string;
    /** The private-endpoint subnet and its NSG; omitted when the stack has no private endpoints. */
    endpoints?: { subnet: string; securityGroupName: string };
    /**
     * The API function's subnet. With `egress`, a NAT gateway and a static public IP give the
     * subnet's internet traffic one fixed address (MicrosoftDocs/azure-docs
     * articles/app-service/networking/nat-gateway-integration.md), for the IoT hub's IP allow list
     * where the API reaches the hub over the internet.
     */
    apiSubnet?: { prefix: string; egress?: { natGatewayName: string; publicIpName: string } };
}

/**
 * The network and the endpoint NSG were children of the PrivateNetwork component before every stack
 * had a network: the alias moves them to PlatformNetwork instead of replacing them (and, with the
 * network, every private endpoint in it).
 */
const FORMER_PARENT = [{ parent: pulumi.createUrn("private-network", "secure-iot:network:PrivateNetwork") }];

export class PlatformNetwork extends pulumi.ComponentResource {
    public readonly virtualNetwork: network.VirtualNetwork;
    public readonly securityGroup?: network.NetworkSecurityGroup;
    /** ARM ids built from known parts (the network's id is unknown at preview), carrying the dependency on the network. */
    public readonly functionSubnetId: pulumi.Output<string>;
    public readonly endpointSubnetId?: pulumi.Output<string>;
    public readonly apiSubnetId?: pulumi.Output<string>;
    /** The API subnet's fixed egress address and its NAT gateway, where the stack has them. */
    public readonly apiEgressIp?: network.PublicIPAddress;
    public readonly apiNatGateway?: network.NatGateway;

    constructor(name: string, args: PlatformNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:network:PlatformNetwork", name, {}, opts);
        const { resourceGroupName, location, tags } = args;

        if (args.endpoints) {
            this.securityGroup = new network.NetworkSecurityGroup(
                "endpoint-nsg",
                {
                    networkSecurityGroupName: args.endpoints.securityGroupName,
                    resourceGroupName,
                    location,
                    tags,
                    securityRules: [
                        {
                            name: "allow-vnet-to-endpoints",
                            description: "Clients in the network (and peered networks) reach the private endpoints on the services' TLS ports",
                            priority: 100,
                            direction: "Inbound",
                            access: "Allow",
                            protocol: "Tcp",
                            sourceAddressPrefix: "VirtualNetwork",
                            sourcePortRange: "*",
                            destinationAddressPrefix: args.endpoints.subnet,
                            destinationPortRanges: [...ENDPOINT_PORTS],
                        },
                        {
                            name: "deny-all-inbound",
                            description: "Nothing else reaches the endpoint subnet (overrides the default allow within the network)",
                            priority: 4096,
                            direction: "Inbound",
                            access: "Deny",
                            protocol: "*",
                            sourceAddressPrefix: "*",
                            sourcePortRange: "*",
                            destinationAddressPrefix: "*",
                            destinationPortRange: "*",
                        },
                    ],
                },
                { parent: this, aliases: FORMER_PARENT },
            );
        }

        let natGatewayId: pulumi.Output<string> | undefined;
        if (args.apiSubnet?.egress) {
            const { natGatewayName, publicIpName } = args.apiSubnet.egress;
            const rgId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${resourceGroupName}`;
            this.apiEgressIp = new network.PublicIPAddress(
                "api-egress-ip",
                {
                    publicIpAddressName: publicIpName,
                    resourceGroupName,
                    location,
                    tags,
                    sku: { name: "Standard", tier: "Regional" },
                    publicIPAllocationMethod: "Static",
                    publicIPAddressVersion: "IPv4",
                },
                { parent: this },
            );
            this.apiNatGateway = new network.NatGateway(
                "api-nat",
                {
                    natGatewayName,
                    resourceGroupName,
                    location,
                    tags,
                    sku: { name: "Standard" },
                    idleTimeoutInMinutes: 4,
                    publicIpAddresses: [{ id: knownAfter(this.apiEgressIp, pulumi.interpolate`${rgId}/providers/Microsoft.Network/publicIPAddresses/${publicIpName}`) }],
                },
                { parent: this },
            );
            natGatewayId = knownAfter(this.apiNatGateway, pulumi.interpolate`${rgId}/providers/Microsoft.Network/natGateways/${natGatewayName}`);
        }

        // Subnets are declared inline: separate Subnet resources and a network update would fight
        // over the subnet list.
        const subnets: network.VirtualNetworkArgs["subnets"] = [
            ...(args.endpoints && this.securityGroup
                ? [
                      {
                          name: ENDPOINT_SUBNET_NAME,
                          addressPrefix: args.endpoints.subnet,
                          // NSG rules apply to private endpoints only with network policies enabled.
                          privateEndpointNetworkPolicies: "Enabled",
                          privateLinkServiceNetworkPolicies: "Enabled",
                          // Endpoints only: nothing in this subnet needs a route to the internet.
                          defaultOutboundAccess: false,
                          networkSecurityGroup: { id: this.securityGroup.id },
                      },
                  ]
                : []),
            {
                name: FUNCTION_SUBNET_NAME,
                addressPrefix: args.functionSubnet,
                delegations: [{ name: "flex-consumption", serviceName: FUNCTION_SUBNET_DELEGATION }],
                serviceEndpoints: FUNCTION_SUBNET_SERVICE_ENDPOINTS.map((service) => ({ service })),
            },
            ...(args.apiSubnet
                ? [
                      {
                          name: API_SUBNET_NAME,
                          addressPrefix: args.apiSubnet.prefix,
                          delegations: [{ name: "flex-consumption", serviceName: FUNCTION_SUBNET_DELEGATION }],
                          serviceEndpoints: API_SUBNET_SERVICE_ENDPOINTS.map((service) => ({ service })),
                          ...(natGatewayId ? { natGateway: { id: natGatewayId } } : {}),
                      },
                  ]
                : []),
        ];
        this.virtualNetwork = new network.VirtualNetwork(
            "vnet",
            {
                virtualNetworkName: args.networkName,
                resourceGroupName,
                location,
                tags,
                addressSpace: { addressPrefixes: [args.addressSpace] },
                subnets,
            },
            { parent: this, aliases: FORMER_PARENT },
        );
        const networkId = knownAfter(
            this.virtualNetwork,
            pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/virtualNetworks/${args.networkName}`,
        );
        this.functionSubnetId = pulumi.interpolate`${networkId}/subnets/${FUNCTION_SUBNET_NAME}`;
        if (args.apiSubnet) this.apiSubnetId = pulumi.interpolate`${networkId}/subnets/${API_SUBNET_NAME}`;
        if (args.endpoints) this.endpointSubnetId = pulumi.interpolate`${networkId}/subnets/${ENDPOINT_SUBNET_NAME}`;

        this.registerOutputs({ virtualNetworkId: this.virtualNetwork.id, functionSubnetId: this.functionSubnetId, endpointSubnetId: this.endpointSubnetId });
    }
}

export interface PrivateEndpointTarget {
    /** Logical name in the program, e.g. "iot-hub". */
    name: string;
    /** The service's ARM name, used to name its endpoint. */
    serviceName: string;
    groupId: PrivateLinkGroupId;
    /** The service's `id` output: the endpoint waits for the service, and is linked to it in the plan. */
    serviceId: pulumi.Input<string>;
}

export interface PrivateEndpointsArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    networkName: string;
    /** The network the zones are linked to, and the subnet that holds the endpoints. */
    virtualNetwork: network.VirtualNetwork;
    endpointSubnetId: pulumi.Input<string>;
    targets: PrivateEndpointTarget[];
}

export class PrivateEndpoints extends pulumi.ComponentResource {
    public readonly zones: Record<string, privatedns.PrivateZone>;
    public readonly zoneLinks: Record<string, privatedns.VirtualNetworkLink>;
    public readonly endpoints: Record<string, network.PrivateEndpoint>;
    public readonly zoneGroups: Record<string, network.PrivateDnsZoneGroup>;

    constructor(name: string, args: PrivateEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:network:PrivateNetwork", name, {}, opts);
        const { resourceGroupName, location, tags } = args;

        // One zone per name, shared by the endpoints that need it, each linked to the network once.
        this.zones = {};
        this.zoneLinks = {};
        const zoneNames = [...new Set(args.targets.flatMap((t) => PRIVATE_DNS_ZONES[t.groupId]))];
        for (const zoneName of zoneNames) {
            const zone = new privatedns.PrivateZone(
                `zone-${zoneName}`,
                { privateZoneName: zoneName, resourceGroupName, location: "global", tags },
                { parent: this },
            );
            this.zones[zoneName] = zone;
            this.zoneLinks[zoneName] = new privatedns.VirtualNetworkLink(
                `link-${zoneName}`,
                {
                    privateZoneName: zone.name,
                    virtualNetworkLinkName: args.networkName,
                    resourceGroupName,
                    location: "global",
                    tags,
                    virtualNetwork: { id: args.virtualNetwork.id },
                    // The endpoints register their records through their zone groups; VMs do not.
                    registrationEnabled: false,
                },
                { parent: this },
            );
        }

        this.endpoints = {};
        this.zoneGroups = {};
        for (const target of args.targets) {
            const endpointName = `pe-${target.serviceName}`;
            const endpoint = new network.PrivateEndpoint(
                `pe-${target.name}`,
                {
                    privateEndpointName: endpointName,
                    customNetworkInterfaceName: `${endpointName}-nic`,
                    resourceGroupName,
                    location,
                    tags,
                    subnet: { id: args.endpointSubnetId },
                    privateLinkServiceConnections: [
                        { name: `${endpointName}-${target.groupId}`, privateLinkServiceId: target.serviceId, groupIds: [target.groupId] },
                    ],
                },
                { parent: this },
            );
            this.endpoints[target.name] = endpoint;
            this.zoneGroups[target.name] = new network.PrivateDnsZoneGroup(
                `pe-${target.name}-dns`,
                {
                    privateEndpointName: endpoint.name,
                    privateDnsZoneGroupName: "default",
                    resourceGroupName,
                    privateDnsZoneConfigs: PRIVATE_DNS_ZONES[target.groupId].map((zoneName) => ({
                        name: zoneName.replace(/\./g, "-"),
                        privateDnsZoneId: this.zones[zoneName].id,
                    })),
                },
                // Records resolve only once the zones are linked to the network.
                { parent: this, dependsOn: PRIVATE_DNS_ZONES[target.groupId].map((z) => this.zoneLinks[z]) },
            );
        }

        this.registerOutputs({ privateEndpoints: Object.keys(this.endpoints), zones: zoneNames });
    }
}
