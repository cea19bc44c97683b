/** DPS-04, rule family `dpsLinkedHub` (the family's notes and sources: policies/policies.ts). */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/define";
import { armIdNames, armNames, resourceGroupKey, StackGraph } from "../../lib/graph";
import { BROAD_ROLES } from "../../lib/rules/controlPlaneRbac";
import { linkAuth, type LinkAuth } from "../../lib/rules/dps";
import { dpsLinks, name } from "../../lib/rules/dpsLinkedHub";
import { isKindOf } from "../../lib/tokens";
import { peek, type Peeked, Pending } from "../../lib/unknowns";
import { eqi, lastSegment, lower, str } from "../../lib/values";

// ---- DPS-04: the link identity's role on the hub ----------------------------------------------

const IOT_HUB_DATA_CONTRIBUTOR = "4fc6c259-987e-4a07-842e-c321cc9d413f";
const IOT_HUB_REGISTRY_CONTRIBUTOR = "4ea46cd5-c1b2-4a8e-910b-273211f9ce47";
const IOT_HUB_TWIN_CONTRIBUTOR = "494bdba2-168f-4f31-a0a1-191d2f7c028c";
const IOT_HUB_DATA_READER = "b447c946-2db7-41ec-983d-d8bf3b1c77e3";

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
