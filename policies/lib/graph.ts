/**
 * Links between resources for stack rules. Ids are unknown at preview, so a link ("this diagnostic
 * setting targets that hub") is established from `propertyDependencies`: the URNs of the resources
 * each input property was computed from. When the property holds a known ARM id instead (an existing
 * resource referenced by literal id), the id is matched against the resource's ARM name.
 */
import type { PolicyResource } from "@pulumi/policy";
import { isKindOf, type TokenKind } from "./tokens";
import { peek } from "./unknowns";
import { arr, isObj, lower, str } from "./values";

/** ARM provider path segment of a kind, for matching literal ids. */
const ARM_TYPE: Partial<Record<TokenKind, string>> = {
    iotHub: "microsoft.devices/iothubs",
    dps: "microsoft.devices/provisioningservices",
    cosmosAccount: "microsoft.documentdb/databaseaccounts",
    privateEndpoint: "microsoft.network/privateendpoints",
    privateZone: "microsoft.network/privatednszones",
    resourceGroup: "resourcegroups",
    eventHubNamespace: "microsoft.eventhub/namespaces",
    eventHub: "eventhubs",
    serviceBusNamespace: "microsoft.servicebus/namespaces",
    storageAccount: "microsoft.storage/storageaccounts",
    webApp: "microsoft.web/sites",
    userAssignedIdentity: "microsoft.managedidentity/userassignedidentities",
};

/** Input names that carry a resource's ARM name, per kind. */
const NAME_INPUTS: Partial<Record<TokenKind, string[]>> = {
    iotHub: ["resourceName", "name"],
    // A generic DPS (azure-native:resources:Resource) names itself with resourceName.
    dps: ["provisioningServiceName", "resourceName", "name"],
    cosmosAccount: ["accountName", "name"],
    privateEndpoint: ["privateEndpointName", "name"],
    privateZone: ["privateZoneName", "name"],
    resourceGroup: ["resourceGroupName", "name"],
    userAssignedIdentity: ["resourceName", "name"],
    eventHubNamespace: ["namespaceName", "name"],
    eventHub: ["eventHubName", "name"],
    serviceBusNamespace: ["namespaceName", "name"],
    storageAccount: ["accountName", "name"],
    blobContainer: ["containerName", "name"],
    webApp: ["name"],
    appInsights: ["resourceName", "name"],
};

export class StackGraph {
    readonly resources: PolicyResource[];
    private readonly byUrn = new Map<string, PolicyResource>();

    constructor(resources: PolicyResource[]) {
        this.resources = resources;
        for (const r of resources) {
            const urn = str(r.urn);
            if (urn !== undefined) this.byUrn.set(urn, r);
        }
    }

    /** Resources of a kind: typed (v3 or v2 token), or generic resources of the kind's ARM type. */
    of(kind: TokenKind): PolicyResource[] {
        return this.resources.filter((r) => isKindOf(r, kind));
    }

    /** Resources the given input property of `r` was computed from. */
    depsOf(r: PolicyResource, property: string): PolicyResource[] {
        const pd = isObj(r.propertyDependencies) ? r.propertyDependencies : {};
        const list = arr<PolicyResource>((pd as Record<string, unknown>)[property]);
        const out: PolicyResource[] = [];
        for (const d of list) {
            if (!isObj(d)) continue;
            const urn = str(d.urn);
            // Resolve through the graph so tests and the engine give the same objects.
            const resolved = urn !== undefined ? this.byUrn.get(urn) : undefined;
            out.push(resolved ?? d);
        }
        return out;
    }

    /** Resources of a kind that the input property of `r` was computed from. */
    depsOfKind(r: PolicyResource, property: string, kind: TokenKind): PolicyResource[] {
        return this.depsOf(r, property).filter((d) => isKindOf(d, kind));
    }

    /**
     * True when input `property` of `from` refers to `to`: through propertyDependencies, or through
     * a known ARM id / name naming it.
     */
    refersTo(from: PolicyResource, property: string, to: PolicyResource, kind: TokenKind): boolean {
        const toUrn = str(to.urn);
        if (this.depsOf(from, property).some((d) => str(d.urn) === toUrn)) return true;
        const value = peek(from.props, property);
        if (!value.known) return false;
        const names = armNames(to, kind);
        if (names.length === 0) return false;
        const candidates: string[] = [];
        const collect = (v: unknown, depth: number): void => {
            if (depth > 4) return;
            const s = str(v);
            if (s !== undefined) candidates.push(s);
            else if (Array.isArray(v)) for (const e of arr<unknown>(v)) collect(e, depth + 1);
            else if (isObj(v)) {
                for (const k of Object.keys(v)) {
                    const p = peek(v, k);
                    if (p.known) collect(p.value, depth + 1);
                }
            }
        };
        collect(value.value, 0);
        return candidates.some((c) => armIdNames(c, kind, names));
    }
}

/** Known ARM names of a resource (explicit name inputs, or the `name` output after deployment). */
export function armNames(r: PolicyResource, kind: TokenKind): string[] {
    const out: string[] = [];
    for (const key of NAME_INPUTS[kind] ?? ["name"]) {
        const p = peek(r.props, key);
        const s = p.known ? lower(p.value) : undefined;
        if (s !== undefined && s !== "" && !out.includes(s)) out.push(s);
    }
    return out;
}

/** True when `value` is an ARM id of a resource of `kind` named one of `names` (or the bare name). */
export function armIdNames(value: string, kind: TokenKind, names: readonly string[]): boolean {
    const v = value.trim().toLowerCase();
    if (names.includes(v)) return true;
    const type = ARM_TYPE[kind];
    if (type === undefined) return false;
    for (const n of names) {
        const marker = `/${type}/${n}`;
        const i = v.indexOf(marker);
        if (i !== -1) {
            const after = v.slice(i + marker.length);
            if (after === "" || after.startsWith("/")) return true;
        }
    }
    return false;
}

/** Resource-group identity for comparisons: the RG resource it came from, or its known name. */
export function resourceGroupKey(graph: StackGraph, r: PolicyResource): string | undefined {
    const rg = graph.depsOfKind(r, "resourceGroupName", "resourceGroup")[0];
    if (rg !== undefined) {
        const rgName = armNames(rg, "resourceGroup")[0];
        return rgName !== undefined ? `name:${rgName}` : `urn:${String(rg.urn)}`;
    }
    const p = peek(r.props, "resourceGroupName");
    const name = p.known ? lower(p.value) : undefined;
    return name !== undefined && name !== "" ? `name:${name}` : undefined;
}
