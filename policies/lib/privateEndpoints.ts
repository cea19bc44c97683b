/**
 * Private endpoints and the services they connect to, shared by the private-endpoint stack rules
 * (IOT-03, DPS-02, COS-07, EVH-05, OTH-02) and the routing-reachability rule (ROUTE-01, which needs
 * to know whether a Cosmos DB account is reachable only through private endpoints).
 *
 * An endpoint is linked to its service through the propertyDependencies of its private-link
 * connections (the service id is unknown at preview), or through a known ARM id.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { StackGraph } from "./graph";
import type { TokenKind } from "./tokens";
import { knownElements, peek } from "./unknowns";
import { arr, eqi, isObj, strings } from "./values";

const CONNECTION_PROPS = ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"] as const;

/**
 * Private DNS zone each private-link group id needs (Azure private endpoint DNS configuration,
 * learn.microsoft.com/azure/private-link/private-endpoint-dns; MicrosoftDocs/azure-docs
 * articles/private-link/private-endpoint-dns.md). Keys are lower-case group ids.
 */
export const PRIVATE_DNS_ZONES: Record<string, string> = {
    iothub: "privatelink.azure-devices.net",
    iotdps: "privatelink.azure-devices-provisioning.net",
    sql: "privatelink.documents.azure.com",
    // Event Hubs and Service Bus namespaces share the group id "namespace" and the zone.
    namespace: "privatelink.servicebus.windows.net",
    sites: "privatelink.azurewebsites.net",
    blob: "privatelink.blob.core.windows.net",
    queue: "privatelink.queue.core.windows.net",
    table: "privatelink.table.core.windows.net",
    file: "privatelink.file.core.windows.net",
};

/** Group ids a private endpoint's connections request (lower-case); unknown parts are skipped. */
export function endpointGroupIds(pe: PolicyResource): string[] {
    const out: string[] = [];
    for (const prop of CONNECTION_PROPS) {
        const conns = peek(pe.props, prop);
        if (!conns.known) continue;
        for (const { value } of knownElements(arr<unknown>(conns.value))) {
            if (!isObj(value)) continue;
            const g = peek(value, "groupIds");
            if (g.known) strings(g.value).forEach((s) => out.push(s.trim().toLowerCase()));
        }
    }
    return out;
}

/** True when any connection of the endpoint targets `target` with the group id. */
export function endpointTargets(graph: StackGraph, pe: PolicyResource, target: PolicyResource, kind: TokenKind, groupId: string): boolean {
    if (!endpointGroupIds(pe).includes(groupId.toLowerCase())) return false;
    return CONNECTION_PROPS.some((prop) => graph.refersTo(pe, prop, target, kind));
}

/** Kinds whose ARM properties are flattened in the SDK args (the rest nest them under `properties`). */
const FLAT_KINDS: readonly TokenKind[] = ["cosmosAccount", "eventHubNamespace", "serviceBusNamespace", "storageAccount"];

/** The object holding a service's own properties (`props`, or `props.properties`), or undefined. */
export function propertyHolder(target: PolicyResource, kind: TokenKind): unknown {
    if (FLAT_KINDS.includes(kind)) return target.props;
    const p = peek(target.props, "properties");
    return p.known ? (target.props as Record<string, unknown>)["properties"] : undefined;
}

/** The service's own privateEndpointConnections input with an Approved connection (Azure Policy's test). */
export function hasApprovedConnection(target: PolicyResource, kind: TokenKind): boolean {
    const conns = peek(propertyHolder(target, kind), "privateEndpointConnections");
    if (!conns.known) return false;
    return knownElements(arr<unknown>(conns.value)).some(({ value }) => {
        if (!isObj(value)) return false;
        const state = isObj(value["properties"]) ? value["properties"]["privateLinkServiceConnectionState"] : value["privateLinkServiceConnectionState"];
        return isObj(state) && eqi(state["status"], "Approved");
    });
}

/** True when the program connects a private endpoint (or an approved connection) to the service. */
export function hasPrivateEndpoint(graph: StackGraph, target: PolicyResource, kind: TokenKind, groupId: string): boolean {
    return graph.of("privateEndpoint").some((pe) => endpointTargets(graph, pe, target, kind, groupId)) || hasApprovedConnection(target, kind);
}
