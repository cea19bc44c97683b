/**
 * Service-side private access: a virtual network whose private-endpoint subnet holds one private
 * endpoint per chosen service, each registered in the `privatelink.*` DNS zones Azure documents for
 * its sub-resource, and those zones linked to the network. Clients inside the network (or peered
 * with it, or on a VPN that uses its DNS) resolve the services' usual host names to private
 * addresses; nothing about the host names or connection strings changes.
 *
 * Field devices are not affected: they keep reaching the hub and DPS over their public endpoints,
 * filtered by the IP allow lists, unless the stack turns public access off.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";

/** Private Link sub-resources (group ids) of the services this platform runs. */
export type PrivateLinkGroupId = "iotHub" | "iotDps" | "Sql";

/**
 * The private DNS zones of each sub-resource (Azure Private Endpoint DNS zone values). The hub's
 * endpoint also serves its built-in Event Hubs-compatible endpoint, whose names live under
 * servicebus.windows.net.
 */
export const PRIVATE_DNS_ZONES: Record<PrivateLinkGroupId, readonly string[]> = {
    iotHub: ["privatelink.azure-devices.net", "privatelink.servicebus.windows.net"],
    iotDps: ["privatelink.azure-devices-provisioning.net"],
    Sql: ["privatelink.documents.azure.com"],
};

/**
 * Inbound ports the endpoints serve: HTTPS (and MQTT/AMQP over WebSockets) 443, AMQP 5671/5672,
 * MQTT 8883, and 10250-10255 for Cosmos DB clients in direct mode. Everything else is denied.
 */
export const ENDPOINT_PORTS = ["443", "5671", "5672", "8883", "10250-10255"] as const;

export interface PrivateEndpointTarget {
    /** Logical name in the program, e.g. "iot-hub". */
    name: string;
    /** The service's ARM name, used to name its endpoint. */
    serviceName: string;
    groupId: PrivateLinkGroupId;
    /** The service's `id` output: the endpoint waits for the service, and is linked to it in the plan. */
    serviceId: pulumi.Input<string>;
}

export interface PrivateNetworkArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    networkName: string;
    securityGroupName: string;
    /** RFC 1918 CIDR of the network, and the subnet inside it that holds the endpoints (validated in configuration). */
    addressSpace: string;
    endpointSubnet: string;
    targets: PrivateEndpointTarget[];
}

export const ENDPOINT_SUBNET_NAME = "private-endpoints";

export class PrivateNetwork extends pulumi.ComponentResource {
    public readonly securityGroup: network.NetworkSecurityGroup;
    public readonly virtualNetwork: network.VirtualNetwork;
    public readonly endpointSubnetId: pulumi.Output<string>;
    public readonly zones: Record<string, privatedns.PrivateZone>;
    public readonly zoneLinks: Record<string, privatedns.VirtualNetworkLink>;
    public readonly endpoints: Record<string, network.PrivateEndpoint>;
    public readonly zoneGroups: Record<string, network.PrivateDnsZoneGroup>;

    constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:network:PrivateNetwork", name, {}, opts);
        const { resourceGroupName, location, tags } = args;

        this.securityGroup = new network.NetworkSecurityGroup(
            "endpoint-nsg",
            {
                networkSecurityGroupName: args.securityGroupName,
                resourceGroupName,
                location,
                tags,
                securityRules: [
                    {
                        name: "allow-vnet-to-endpoints",
                        description: "Clients in the network (and peered networks) reach the private endpoints on the services' ports",
                        priority: 100,
                        direction: "Inbound",
                        access: "Allow",
                        protocol: "Tcp",
                        sourceAddressPrefix: "VirtualNetwork",
                        sourcePortRange: "*",
                        destinationAddressPrefix: args.endpointSubnet,
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
            { parent: this },
        );

        // The subnet is declared inline: a separate Subnet resource and a network update would fight
        // over the subnet list.
        this.virtualNetwork = new network.VirtualNetwork(
            "vnet",
            {
                virtualNetworkName: args.networkName,
                resourceGroupName,
                location,
                tags,
                addressSpace: { addressPrefixes: [args.addressSpace] },
                subnets: [
                    {
                        name: ENDPOINT_SUBNET_NAME,
                        addressPrefix: args.endpointSubnet,
                        // NSG rules apply to private endpoints only with network policies enabled.
                        privateEndpointNetworkPolicies: "Enabled",
                        privateLinkServiceNetworkPolicies: "Enabled",
                        // Endpoints only: nothing in this subnet needs a route to the internet.
                        defaultOutboundAccess: false,
                        networkSecurityGroup: { id: this.securityGroup.id },
                    },
                ],
            },
            { parent: this },
        );
        this.endpointSubnetId = pulumi.interpolate`${this.virtualNetwork.id}/subnets/${ENDPOINT_SUBNET_NAME}`;

        // One zone per name, shared by the endpoints that need it, each linked to the network.
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
                    virtualNetwork: { id: this.virtualNetwork.id },
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
                    subnet: { id: this.endpointSubnetId },
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

        this.registerOutputs({
            virtualNetworkId: this.virtualNetwork.id,
            endpointSubnetId: this.endpointSubnetId,
            privateEndpoints: Object.keys(this.endpoints),
        });
    }
}
