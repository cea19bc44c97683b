/** OTH-02, rule family `privateNetworking` (the family's notes and sources: policies/policies.ts). */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/define";
import { armIdNames, armNames, StackGraph } from "../../lib/graph";
import { endpointGroupIds, PRIVATE_DNS_ZONES } from "../../lib/privateEndpoints";
import { knownElements, needDeep, peek } from "../../lib/unknowns";
import { arr, isObj, lastSegment, lower, str } from "../../lib/values";

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
