/**
 * Private connectivity (stack rules): IOT-03 (hub, groupId iotHub), DPS-02 (DPS, groupId iotDps),
 * COS-07 (Cosmos DB, groupId Sql) require a network PrivateEndpoint whose private-link connection
 * targets the service; OTH-02 requires a PrivateDnsZoneGroup with the matching privatelink zone on
 * every private endpoint. Endpoints are linked to services through propertyDependencies (the
 * service id is unknown at preview), or through a known ARM id (lib/privateEndpoints.ts).
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/define";
import { StackGraph, armNames, armIdNames } from "../lib/graph";
import { PRIVATE_DNS_ZONES, endpointGroupIds, hasPrivateEndpoint, propertyHolder } from "../lib/privateEndpoints";
import type { TokenKind } from "../lib/tokens";
import { knownElements, needDeep, needValue, peek } from "../lib/unknowns";
import { arr, eqi, isObj, lastSegment, lower, str } from "../lib/values";

export { PRIVATE_DNS_ZONES, endpointGroupIds };

function publicAccessOf(target: PolicyResource, kind: TokenKind): { known: boolean; disabled: boolean; container: unknown; key: string } {
    const holder = propertyHolder(target, kind);
    if (holder === undefined) return { known: false, disabled: false, container: target.props, key: "properties" };
    const v = peek(holder, "publicNetworkAccess");
    return { known: v.known, disabled: v.known && eqi(v.value, "Disabled"), container: holder, key: "publicNetworkAccess" };
}

type Requirement = "always" | "whenPublicAccessDisabled";

/** A stack rule requiring a private endpoint with `groupId` for every resource of `kind` (IOT-03, DPS-02, COS-07, EVH-05). */
export function privateEndpointRule(id: string, name: string, kind: TokenKind, what: string, groupId: string, defaultRequirement: Requirement, anchors: string) {
    return stackRule<{ requirement: Requirement }>({
        id,
        name,
        description: `Each ${what} must be reachable through a private endpoint (network PrivateEndpoint with a private-link connection to it, groupId "${groupId}") when its public network access is disabled, or always when the stack's policy config says so (production). The endpoint is linked to the ${what} through propertyDependencies.`,
        remediationSteps: `Add a network.PrivateEndpoint in the workload subnet with privateLinkServiceConnections: [{ name, privateLinkServiceId: <${what}>.id, groupIds: ["${groupId}"] }] and a PrivateDnsZoneGroup for ${PRIVATE_DNS_ZONES[groupId.toLowerCase()] ?? "its privatelink zone"} (OTH-02).`,
        severity: "medium",
        anchors,
        config: {
            requirement: {
                type: "string",
                enum: ["always", "whenPublicAccessDisabled"],
                default: defaultRequirement,
                description: "When a private endpoint is required.",
            },
        },
        validate({ resources, config, report }) {
            const graph = new StackGraph(resources);
            const pending: Array<() => unknown> = [];
            for (const target of graph.of(kind)) {
                let required = config.requirement === "always";
                if (!required) {
                    const access = publicAccessOf(target, kind);
                    if (!access.known) {
                        pending.push(() => needValue(access.container, access.key));
                        continue;
                    }
                    required = access.disabled;
                }
                if (!required) continue;
                if (hasPrivateEndpoint(graph, target, kind, groupId)) continue;
                report(`${what} '${String(target.name)}' has no private endpoint with groupId "${groupId}"${config.requirement === "always" ? "" : " although its public network access is disabled (it is unreachable)"}.`, target.urn);
            }
            for (const p of pending) p();
        },
    });
}

export const iot03HubPrivateEndpoint = privateEndpointRule("IOT-03", "iot-03-hub-private-endpoint", "iotHub", "IoT hub", "iotHub", "whenPublicAccessDisabled", "AP IoTHub_EnablePrivateEndpoint");
export const dps02DpsPrivateEndpoint = privateEndpointRule("DPS-02", "dps-02-dps-private-endpoint", "dps", "Device Provisioning Service", "iotDps", "whenPublicAccessDisabled", "AP IoTDps_EnablePrivateEndpoint");
export const cos07CosmosPrivateEndpoint = privateEndpointRule("COS-07", "cos-07-cosmos-private-endpoint", "cosmosAccount", "Cosmos DB account", "Sql", "always", "AP Cosmos_PrivateEndpoint");

/** Zone names a DNS zone group links (from PrivateZone resources it depends on, or known zone ids). */
function zoneNames(graph: StackGraph, group: PolicyResource): { names: string[]; unknown: boolean } {
    const names: string[] = [];
    // Zone ids unknown at preview are explained by the PrivateZone resources they depend on, when
    // those zones' names are known (a zone's name is its privateZoneName input or name output).
    const linkedZones = graph.depsOfKind(group, "privateDnsZoneConfigs", "privateZone").filter((z) => armNames(z, "privateZone").length > 0);
    for (const z of linkedZones) names.push(...armNames(z, "privateZone"));
    let unknownIds = 0;
    const configs = peek(group.props, "privateDnsZoneConfigs");
    if (!configs.known) return { names, unknown: linkedZones.length === 0 };
    const list = arr<unknown>(configs.value);
    const known = knownElements(list);
    unknownIds += list.length - known.length;
    for (const { value } of known) {
        if (!isObj(value)) continue;
        const id = peek(value, "privateDnsZoneId");
        if (!id.known) {
            unknownIds++;
            continue;
        }
        const zone = lastSegment(id.value);
        if (zone !== undefined) names.push(zone);
    }
    return { names: [...new Set(names)], unknown: unknownIds > linkedZones.length };
}

export const oth02PrivateDns = stackRule({
    id: "OTH-02",
    name: "oth-02-private-endpoint-dns-zone-group",
    description:
        "Every private endpoint must have a PrivateDnsZoneGroup linking the privatelink DNS zone of its group id (iotHub: privatelink.azure-devices.net, iotDps: privatelink.azure-devices-provisioning.net, Sql: privatelink.documents.azure.com, namespace (Event Hubs, Service Bus): privatelink.servicebus.windows.net, sites: privatelink.azurewebsites.net, blob/queue/table/file: privatelink.<service>.core.windows.net), or clients keep resolving the public address. The zone group is linked to its endpoint through propertyDependencies of privateEndpointName.",
    remediationSteps:
        "Create a privatedns.PrivateZone for the group id's zone, link it to the virtual network, and add network.PrivateDnsZoneGroup { privateEndpointName: <endpoint>.name, privateDnsZoneConfigs: [{ name, privateDnsZoneId: <zone>.id }] }. For IoT Hub also add privatelink.servicebus.windows.net for the built-in Event Hub endpoint.",
    severity: "medium",
    anchors: "AP DINE private-DNS built-ins",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const groups = graph.of("privateDnsZoneGroup");
        const pending: Array<() => unknown> = [];
        for (const pe of graph.of("privateEndpoint")) {
            const mine = groups.filter((g) => graph.refersTo(g, "privateEndpointName", pe, "privateEndpoint") || nameMatches(g, pe));
            if (mine.length === 0) {
                report(`private endpoint '${String(pe.name)}' has no PrivateDnsZoneGroup.`, pe.urn);
                continue;
            }
            const expected = [...new Set(endpointGroupIds(pe).map((g) => PRIVATE_DNS_ZONES[g]).filter((z): z is string => z !== undefined))];
            const unknownGroups: PolicyResource[] = [];
            const linked: string[] = [];
            for (const g of mine) {
                const z = zoneNames(graph, g);
                linked.push(...z.names);
                if (z.unknown) unknownGroups.push(g);
            }
            const missing = expected.filter((z) => !linked.includes(z));
            const empty = expected.length === 0 && linked.length === 0;
            if ((missing.length > 0 || empty) && unknownGroups.length > 0) {
                // A zone id is not known yet: wait for it rather than guess.
                const g = unknownGroups[0];
                pending.push(() => needDeep(g.props, "privateDnsZoneConfigs"));
            } else if (missing.length > 0) {
                report(`private endpoint '${String(pe.name)}' DNS zone group does not link ${missing.join(", ")} (it links ${linked.join(", ") || "no zone"}).`, pe.urn);
            } else if (empty) {
                report(`private endpoint '${String(pe.name)}' DNS zone group links no zone.`, pe.urn);
            }
        }
        if (pending.length > 0) pending[0]();
    },
});

function nameMatches(group: PolicyResource, pe: PolicyResource): boolean {
    const v = peek(group.props, "privateEndpointName");
    const n = v.known ? lower(str(v.value)) : undefined;
    return n !== undefined && armIdNames(n, "privateEndpoint", armNames(pe, "privateEndpoint"));
}

export const privateNetworkingPolicies = [iot03HubPrivateEndpoint, dps02DpsPrivateEndpoint, cos07CosmosPrivateEndpoint, oth02PrivateDns];
