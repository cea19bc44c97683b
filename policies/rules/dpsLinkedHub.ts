/**
 * The link between a Device Provisioning Service and its IoT hubs (stack rules): DPS-04 (the
 * identity DPS links a hub with holds an IoT Hub data role on exactly that hub), DPS-05 (same
 * resource group and region), DPS-06 (a key link's connection string is read from the hub, never
 * pasted; no keys in the program).
 *
 * A DPS (typed, or the generic azure-native:resources:Resource of type
 * Microsoft.Devices/provisioningServices: StackGraph resolves both) links a hub through an
 * `properties.iotHubs[]` entry. The linked hub is found by the entry's hostName (identity links,
 * API 2026-03-01-preview on) or its connection string's HostName (key links), when known, else
 * through the propertyDependencies of the DPS's `properties`.
 *
 * Which role DPS's identity needs on a linked hub: Microsoft documents "IoT Hub Data Contributor
 * (or a custom role with RegistryWrite and ServiceConnect permissions)" (MicrosoftDocs/azure-docs
 * articles/iot-dps/how-to-manage-linked-iot-hubs.md, "Link an IoT hub by using managed identity
 * (preview)"). DPS registers the device identity and sets its initial twin (same article), i.e. the
 * data actions Microsoft.Devices/IotHubs/devices/* and IotHubs/twins/*, which are exactly IoT Hub
 * Registry Contributor (4ea46cd5-...) plus IoT Hub Twin Contributor (494bdba2-...)
 * (articles/role-based-access-control/built-in-roles/internet-of-things.md); that narrower pair is
 * inferred, not documented. Both sets are accepted by default (config `acceptedRoleSets`).
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/define";
import { StackGraph, armIdNames, armNames, resourceGroupKey } from "../lib/graph";
import { hubNameFromConnectionString, readSasPolicies } from "../lib/sas";
import { isKindOf } from "../lib/tokens";
import { knownElements, Pending, peek, type Peeked } from "../lib/unknowns";
import { arr, eqi, isObj, lastSegment, lower, normRegion, str } from "../lib/values";
import { BROAD_ROLES } from "./controlPlaneRbac";
import { linkAuth, type LinkAuth } from "./dps";

interface LinkEntry {
    index: number;
    entry: Record<string, unknown> | undefined;
    /** Known connection string, or undefined when unknown/absent. */
    connectionString: string | undefined;
    connectionStringUnknown: boolean;
    /** Hubs in the stack this entry links (by host name when known, else by dependency). */
    hubs: PolicyResource[];
}

interface DpsLinks {
    dps: PolicyResource;
    properties: Record<string, unknown> | undefined;
    entries: LinkEntry[];
    /** Hubs the DPS properties were computed from (propertyDependencies). */
    dependencyHubs: PolicyResource[];
}

function name(r: PolicyResource): string {
    return `'${String(r.name)}'`;
}

/** The hub name of a host name (`<hub>.azure-devices.net`, `<hub>.device.azure-devices.net`). */
function hubNameFromHost(x: unknown): string | undefined {
    const host = lower(x);
    if (host === undefined || host === "") return undefined;
    const dot = host.indexOf(".");
    return dot === -1 ? host : host.slice(0, dot);
}

/** Reads the DPS's links; unknown parts are recorded in `pending`. */
export function dpsLinks(graph: StackGraph, dps: PolicyResource, pending: Pending): DpsLinks {
    const dependencyHubs = graph.depsOfKind(dps, "properties", "iotHub");
    const out: DpsLinks = { dps, properties: undefined, entries: [], dependencyHubs };
    const props = peek(dps.props, "properties");
    if (!props.known) {
        pending.add(dps.props, "properties");
        return out;
    }
    if (!isObj(props.value)) return out;
    out.properties = props.value;
    const hubsP = peek(props.value, "iotHubs");
    if (!hubsP.known) {
        pending.add(props.value, "iotHubs");
        return out;
    }
    const list = arr<unknown>(hubsP.value);
    const known = new Map(knownElements(list).map((e) => [e.index, e.value]));
    for (let index = 0; index < list.length; index++) {
        if (!known.has(index)) {
            pending.add(list, index);
            out.entries.push({ index, entry: undefined, connectionString: undefined, connectionStringUnknown: true, hubs: dependencyHubs });
            continue;
        }
        const entry = known.get(index);
        if (!isObj(entry)) continue;
        const cs = peek(entry, "connectionString");
        const csText = cs.known && typeof cs.value === "string" ? cs.value : undefined;
        let hubs = dependencyHubs;
        const host = peek(entry, "hostName");
        const named = peek(entry, "name");
        const hubName = (host.known ? hubNameFromHost(host.value) : undefined)
            ?? (csText !== undefined ? hubNameFromConnectionString(csText) : undefined)
            ?? (named.known ? hubNameFromHost(named.value) : undefined);
        if (hubName !== undefined) {
            const byName = graph.of("iotHub").filter((h) => armNames(h, "iotHub").includes(hubName));
            if (byName.length > 0) hubs = byName;
        }
        out.entries.push({ index, entry, connectionString: csText, connectionStringUnknown: !cs.known, hubs });
    }
    return out;
}

// ---- DPS-04: the link identity's role on the hub ----------------------------------------------

export const IOT_HUB_DATA_CONTRIBUTOR = "4fc6c259-987e-4a07-842e-c321cc9d413f";
export const IOT_HUB_REGISTRY_CONTRIBUTOR = "4ea46cd5-c1b2-4a8e-910b-273211f9ce47";
export const IOT_HUB_TWIN_CONTRIBUTOR = "494bdba2-168f-4f31-a0a1-191d2f7c028c";
export const IOT_HUB_DATA_READER = "b447c946-2db7-41ec-983d-d8bf3b1c77e3";

/** Built-in role names for messages (internet-of-things.md; the control-plane roles of OTH-03). */
const ROLE_NAMES: Record<string, string> = {
    [IOT_HUB_DATA_CONTRIBUTOR]: "IoT Hub Data Contributor",
    [IOT_HUB_REGISTRY_CONTRIBUTOR]: "IoT Hub Registry Contributor",
    [IOT_HUB_TWIN_CONTRIBUTOR]: "IoT Hub Twin Contributor",
    [IOT_HUB_DATA_READER]: "IoT Hub Data Reader",
    ...BROAD_ROLES,
};
const roleName = (guid: string): string => ROLE_NAMES[guid] ?? `role ${guid}`;

type Relation = "yes" | "no" | "unknown";
type ScopeRelation = "exact" | "broader" | "other" | "unknown";

/** The resource whose output is the link identity's principal id, and how to read that id. */
interface LinkIdentity {
    resource: PolicyResource;
    label: string;
    principalId: () => Peeked;
    principalIdRead: () => [unknown, string];
}

function userIdentity(uai: PolicyResource): LinkIdentity {
    return {
        resource: uai,
        label: `user-assigned identity ${name(uai)}`,
        principalId: () => peek(uai.props, "principalId"),
        principalIdRead: () => [uai.props, "principalId"],
    };
}

function systemIdentity(dps: PolicyResource): LinkIdentity {
    const identity = (): unknown => {
        const i = peek(dps.props, "identity");
        return i.known ? i.value : undefined;
    };
    return {
        resource: dps,
        label: `the system-assigned identity of DPS ${name(dps)}`,
        principalId: () => {
            const i = peek(dps.props, "identity");
            return i.known ? peek(i.value, "principalId") : { known: false };
        },
        principalIdRead: () => (peek(dps.props, "identity").known ? [identity(), "principalId"] : [dps.props, "identity"]),
    };
}

/** Whether role assignment `a` is made to the identity: by dependency, else by known principal ids. */
function principalRelation(graph: StackGraph, a: PolicyResource, who: LinkIdentity, pending: Array<[unknown, string]>): Relation {
    const deps = graph.depsOf(a, "principalId");
    if (deps.some((d) => d.urn === who.resource.urn)) return "yes";
    if (deps.length > 0) return "no";
    const ap = peek(a.props, "principalId");
    if (!ap.known) {
        pending.push([a.props, "principalId"]);
        return "unknown";
    }
    const assigned = lower(ap.value);
    if (assigned === undefined || assigned === "") return "no";
    const own = who.principalId();
    if (!own.known) {
        pending.push(who.principalIdRead());
        return "unknown";
    }
    return lower(own.value) === assigned ? "yes" : "no";
}

/** The hub's resource-group name, when known. */
function hubGroupName(graph: StackGraph, hub: PolicyResource): string | undefined {
    const key = resourceGroupKey(graph, hub);
    return key !== undefined && key.startsWith("name:") ? key.slice(5) : undefined;
}

/** How role assignment `a`'s scope relates to the hub: exactly it, a scope containing it, or neither. */
function scopeRelation(graph: StackGraph, a: PolicyResource, hub: PolicyResource, pending: Array<[unknown, string]>): ScopeRelation {
    const scope = peek(a.props, "scope");
    const deps = graph.depsOf(a, "scope");
    if (!scope.known) {
        if (deps.some((d) => d.urn === hub.urn)) return "exact"; // computed from the hub's id
        const hubGroups = graph.depsOfKind(hub, "resourceGroupName", "resourceGroup");
        if (deps.some((d) => isKindOf(d, "resourceGroup") && hubGroups.some((g) => g.urn === d.urn))) return "broader";
        if (deps.length > 0) return "other";
        pending.push([a.props, "scope"]);
        return "unknown";
    }
    const s = (lower(scope.value) ?? "").replace(/\/+$/, "");
    if (s === "" || /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/.test(s)) return "broader";
    const names = armNames(hub, "iotHub");
    if (names.length === 0) {
        if (deps.some((d) => d.urn === hub.urn)) return "exact";
        pending.push([hub.props, "resourceName"]);
        return "unknown";
    }
    const group = hubGroupName(graph, hub);
    const hubId = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)\/providers\/microsoft\.devices\/iothubs\/([^/]+)$/.exec(s);
    if (hubId !== null) return names.includes(hubId[2]) && (group === undefined || group === hubId[1]) ? "exact" : "other";
    if (/^\/subscriptions\/[^/]+$/.test(s)) return "broader";
    const rg = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)$/.exec(s);
    if (rg !== null) return group === undefined || group === rg[1] ? "broader" : "other";
    // A path under the hub (a child resource) or another resource: not a grant on the hub.
    return "other";
}

function describeScope(a: PolicyResource): string {
    const s = peek(a.props, "scope");
    return s.known ? `scope '${str(s.value) ?? ""}'` : "a scope computed from the hub's resource group";
}

export const dps04LinkIdentityRole = stackRule<{ acceptedRoleSets: string[]; allowExternal: boolean }>({
    id: "DPS-04",
    name: "dps-04-link-identity-has-hub-data-role",
    description:
        "The managed identity a Device Provisioning Service links a hub with (DPS-04) must hold an IoT Hub data role on exactly that hub: every role of one accepted set (by default IoT Hub Registry Contributor + IoT Hub Twin Contributor, the data actions DPS needs to register a device and set its initial twin, or IoT Hub Data Contributor, the role Microsoft's linked-hub article names), through authorization RoleAssignments to that identity's principal (principalType ServicePrincipal) scoped to the hub's id, not its resource group or subscription, and no other role on the hub (never Owner, Contributor or another control-plane role). Assignments are matched to the identity through the propertyDependencies of principalId (the principal id is unknown at preview) or known principal ids, and to the hub through the scope's dependency or its known ARM id; an assignment that cannot be placed yet makes the rule wait rather than pass or fail.",
    remediationSteps:
        "Add authorization.RoleAssignment { principalId: <link identity>.principalId, principalType: \"ServicePrincipal\", roleDefinitionId: \"/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/4ea46cd5-c1b2-4a8e-910b-273211f9ce47\" (IoT Hub Registry Contributor), scope: <hub id> } and the same with 494bdba2-168f-4f31-a0a1-191d2f7c028c (IoT Hub Twin Contributor), or one with 4fc6c259-987e-4a07-842e-c321cc9d413f (IoT Hub Data Contributor); remove broader or control-plane assignments of that identity.",
    severity: "high",
    anchors: "MS DPS linked-hub docs (managed identity); MS built-in roles (Internet of Things)",
    config: {
        acceptedRoleSets: {
            type: "array",
            items: { type: "string" },
            default: [`${IOT_HUB_REGISTRY_CONTRIBUTOR},${IOT_HUB_TWIN_CONTRIBUTOR}`, IOT_HUB_DATA_CONTRIBUTOR],
            description: "Role sets the link identity may hold on a linked hub, one per entry as comma-separated role definition GUIDs: it must hold every role of one set, scoped to the hub, and no role outside all sets.",
        },
        allowExternal: {
            type: "boolean",
            default: false,
            description: "Skip links to hubs or identities not declared in this program (their role assignments cannot be checked here).",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        const sets = config.acceptedRoleSets
            .map((s) => s.split(",").map((g) => g.trim().toLowerCase()).filter((g) => g !== ""))
            .filter((s) => s.length > 0);
        const allowed = new Set(sets.flat());
        const setsText = sets.map((s) => s.map(roleName).join(" + ")).join(", or ") || "(no accepted role set)";
        const assignments = graph.of("roleAssignment");
        const identities = graph.of("userAssignedIdentity");
        for (const dps of graph.of("dps")) {
            const links = dpsLinks(graph, dps, pending);
            for (const e of links.entries) {
                if (e.entry === undefined) continue;
                const auth: LinkAuth = linkAuth(e.entry);
                if (auth.mode !== "UserAssigned" && auth.mode !== "SystemAssigned") continue; // dps-04-linked-hubs-by-identity
                const where = `DPS ${name(dps)} iotHubs[${e.index}]`;
                let who: LinkIdentity;
                if (auth.mode === "SystemAssigned") who = systemIdentity(dps);
                else if (!auth.identityId.known) {
                    const deps = graph.depsOfKind(dps, "properties", "userAssignedIdentity");
                    if (deps.length !== 1) {
                        pending.add(e.entry, "selectedUserAssignedIdentityResourceId");
                        continue;
                    }
                    who = userIdentity(deps[0]);
                } else {
                    const id = str(auth.identityId.value);
                    if (id === undefined || id.trim() === "") continue; // dps-04-linked-hubs-by-identity reports it
                    const uai = identities.find((u) => {
                        const names = armNames(u, "userAssignedIdentity");
                        return names.length > 0 && armIdNames(id, "userAssignedIdentity", names);
                    });
                    if (uai === undefined) {
                        if (!config.allowExternal) report(`${where} links with identity '${id}', which is not declared in this program: its role on the hub cannot be checked. Declare the identity (managedidentity.UserAssignedIdentity) in the program.`, dps.urn);
                        continue;
                    }
                    who = userIdentity(uai);
                }
                if (e.hubs.length === 0) {
                    if (!config.allowExternal) report(`${where} links a hub that is not declared in this program: the link identity's role on it cannot be checked.`, dps.urn);
                    continue;
                }
                for (const hub of e.hubs) {
                    const reads: Array<[unknown, string]> = [];
                    let undecided = false;
                    const exact: string[] = [];
                    for (const a of assignments) {
                        const rel = principalRelation(graph, a, who, reads);
                        if (rel === "no") continue;
                        const scope = scopeRelation(graph, a, hub, reads);
                        if (scope === "other") continue;
                        const role = peek(a.props, "roleDefinitionId");
                        if (!role.known) reads.push([a.props, "roleDefinitionId"]);
                        if (rel === "unknown" || scope === "unknown" || !role.known) {
                            undecided = true;
                            continue;
                        }
                        const guid = lastSegment(role.value) ?? "";
                        const what = `role assignment ${name(a)} (${roleName(guid)} for ${who.label})`;
                        const type = peek(a.props, "principalType");
                        if (type.known && type.value !== undefined && type.value !== null && !eqi(type.value, "ServicePrincipal")) {
                            report(`${what} has principalType ${JSON.stringify(type.value)}; a managed identity is a ServicePrincipal.`, a.urn);
                        }
                        if (scope === "broader") {
                            report(`${what} is scoped to ${describeScope(a)}, which contains hub ${name(hub)} and more; scope the link identity's roles to exactly the hub's id.`, a.urn);
                        } else if (!allowed.has(guid)) {
                            report(`${what} on hub ${name(hub)} is not a role the link needs (${setsText})${guid in BROAD_ROLES ? "; it is a control-plane role" : ""}. Remove it.`, a.urn);
                        } else {
                            exact.push(guid);
                        }
                    }
                    if (sets.some((set) => set.every((g) => exact.includes(g)))) {
                        // Satisfied; an assignment not placed yet could still be a broader or extra grant.
                        if (undecided) reads.forEach(([c, k]) => pending.add(c, k));
                        continue;
                    }
                    if (undecided) {
                        reads.forEach(([c, k]) => pending.add(c, k));
                        continue;
                    }
                    const held = exact.length > 0 ? `holds only ${[...new Set(exact)].map(roleName).join(" + ")}` : "holds no role";
                    report(`${where} links hub ${name(hub)} with ${who.label}, which ${held} on the hub; it needs ${setsText} scoped to the hub, or DPS cannot register devices and set their initial twin.`, dps.urn);
                }
            }
        }
        pending.flush();
    },
});

export const dps05SameGroup = stackRule<{ requireSameRegion: boolean }>({
    id: "DPS-05",
    name: "dps-05-linked-hub-same-group-and-region",
    description:
        "A Device Provisioning Service and the IoT hubs it links must be in the same resource group (and, when configured, the same region), so they share lifecycle, access control and locks. Links are followed through propertyDependencies (ids are unknown at preview).",
    remediationSteps:
        "Create the DPS in the hub's resource group (resourceGroupName from the same ResourceGroup resource) and the same location; set iotHubs[].location to the hub's region.",
    severity: "low",
    anchors: "project requirement",
    config: {
        requireSameRegion: { type: "boolean", default: true, description: "Also require the same Azure region." },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        for (const dps of graph.of("dps")) {
            const links = dpsLinks(graph, dps, pending);
            const hubs = new Set<PolicyResource>(links.entries.flatMap((e) => e.hubs));
            const dpsRg = resourceGroupKey(graph, dps);
            if (dpsRg === undefined && !peek(dps.props, "resourceGroupName").known) pending.add(dps.props, "resourceGroupName");
            const dpsLoc = peek(dps.props, "location");
            for (const hub of hubs) {
                const hubRg = resourceGroupKey(graph, hub);
                if (hubRg === undefined && !peek(hub.props, "resourceGroupName").known) pending.add(hub.props, "resourceGroupName");
                if (dpsRg !== undefined && hubRg !== undefined && dpsRg !== hubRg) {
                    report(`DPS ${name(dps)} and its linked hub ${name(hub)} are in different resource groups.`, dps.urn);
                }
                if (!config.requireSameRegion) continue;
                const hubLoc = peek(hub.props, "location");
                if (!dpsLoc.known) pending.add(dps.props, "location");
                if (!hubLoc.known) pending.add(hub.props, "location");
                const a = dpsLoc.known ? normRegion(dpsLoc.value) : undefined;
                const b = hubLoc.known ? normRegion(hubLoc.value) : undefined;
                // An absent location is the resource group's, which the group check covers.
                if (a !== undefined && b !== undefined && a !== b) {
                    report(`DPS ${name(dps)} is in ${a} but its linked hub ${name(hub)} is in ${b}.`, dps.urn);
                }
                for (const e of links.entries) {
                    if (e.entry === undefined || !e.hubs.includes(hub)) continue;
                    const l = peek(e.entry, "location");
                    const c = l.known ? normRegion(l.value) : undefined;
                    if (c !== undefined && b !== undefined && c !== b) {
                        report(`DPS ${name(dps)} iotHubs[${e.index}].location is ${c} but hub ${name(hub)} is in ${b}.`, dps.urn);
                    }
                }
            }
        }
        pending.flush();
    },
});

export const dps06SecretLinks = stackRule<{ allowExternalHubs: boolean }>({
    id: "DPS-06",
    name: "dps-06-link-keys-from-hub-not-literals",
    description:
        "Device Provisioning Service keys must never be written into the program: DPS SAS policies set no primaryKey/secondaryKey, and a key link's iotHubs[].connectionString (which DPS-04 forbids; identity links carry none) is read from the linked hub in the same program (listIotHubResourceKeys...Output, kept a Pulumi secret), so it carries a dependency on that hub. CrossGuard receives secrets unwrapped and cannot see whether a value is a secret; the offline policy check verifies that part on the wire form.",
    remediationSteps:
        "Link hubs by managed identity (DPS-04), which carries no key. Until then, build a key link's connection string from the hub (iothub.listIotHubResourceKeysForKeyNameOutput, kept in pulumi.secret). Remove literal keys from authorizationPolicies.",
    severity: "high",
    anchors: "PSR Azure.Deployment.SecureValue analogue",
    config: {
        allowExternalHubs: {
            type: "boolean",
            default: false,
            description: "Allow linking hubs that are not in this program (their connection string then has no dependency to follow).",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        for (const dps of graph.of("dps")) {
            const links = dpsLinks(graph, dps, pending);
            // Only key links carry a connection string (identity links are checked by DPS-04).
            const keyLinks = links.entries.filter((e) => e.entry !== undefined && (e.connectionString !== undefined || e.connectionStringUnknown));
            if (keyLinks.length > 0 && links.dependencyHubs.length === 0 && !config.allowExternalHubs) {
                report(
                    `DPS ${name(dps)} links ${keyLinks.length} hub(s) by connection string but its properties do not depend on any IoT hub in this program: the connection string was pasted or taken from config instead of being read from the hub.`,
                    dps.urn,
                );
            }
            if (links.properties !== undefined) {
                const ap = peek(links.properties, "authorizationPolicies");
                if (!ap.known) pending.add(links.properties, "authorizationPolicies");
                else {
                    for (const pol of readSasPolicies(ap.value)) {
                        if (pol.hasLiteralKey) report(`DPS ${name(dps)} policy '${pol.keyName ?? "?"}' sets a key in the program; let Azure generate keys.`, dps.urn);
                    }
                }
            }
        }
        pending.flush();
    },
});

export const dpsLinkedHubPolicies = [dps04LinkIdentityRole, dps05SameGroup, dps06SecretLinks];
