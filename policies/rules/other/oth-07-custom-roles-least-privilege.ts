/** OTH-07, rule family `customRoles` (the family's notes and sources: policies/policies.ts). */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/define";
import { StackGraph } from "../../lib/graph";
import { knownElements, peek, Pending } from "../../lib/unknowns";
import { arr, isObj, lower, show, str } from "../../lib/values";

/** The IoT Hub data actions of the API's routes (components/hubDataRole.ts API_HUB_DATA_ACTIONS). */
const DEFAULT_ALLOWED_DATA_ACTIONS = [
    "Microsoft.Devices/IotHubs/directMethods/invoke/action",
    "Microsoft.Devices/IotHubs/twins/read",
    "Microsoft.Devices/IotHubs/twins/write",
];

/** An IoT hub's ARM id: `/subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.Devices/IotHubs/<name>`. */
const HUB_ID = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.devices\/iothubs\/[^/]+$/;

function norm(s: string): string {
    const t = s.trim().toLowerCase();
    return t === "/" ? t : t.replace(/\/+$/, "");
}

export const oth07CustomRoles = stackRule<{ allowedDataActions: string[]; allowedActions: string[] }>({
    id: "OTH-07",
    name: "oth-07-custom-roles-least-privilege",
    description:
        "Custom role definitions (authorization.RoleDefinition) must grant only data actions from an allow list, with no wildcard, and be assignable on an IoT hub only. The default allow list is exactly the IoT Hub data actions the API's routes call (direct methods, twin read, twin write); no control-plane action unless allowed; assignable on an IoT hub only (assignableScopes of hub ids, never the root, a management group, a subscription or a resource group), and each assignment of one is scoped to one of its assignable scopes. A value unknown at preview that is computed from the hub is the hub.",
    remediationSteps:
        "Define the role with permissions [{ actions: [], dataActions: [<the data actions the workload calls>] }] and assignableScopes [<hub id>], assign it with scope <hub id>; add a data action to allowedDataActions in the stack's policy config only when the workload starts calling it.",
    severity: "high",
    anchors: "MS IoT Hub data actions (authenticate-authorize-azure-ad.md); MS role definitions (role-definitions.md); PSR Azure.RBAC.* analogue",
    config: {
        allowedDataActions: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_ALLOWED_DATA_ACTIONS,
            description: "Data actions a custom role may grant (case-insensitive, exact strings, no wildcards).",
        },
        allowedActions: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Control-plane actions a custom role may grant (default none: the roles are data-plane roles).",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        const dataAllowed = config.allowedDataActions.map((a) => a.toLowerCase());
        const actionsAllowed = config.allowedActions.map((a) => a.toLowerCase());
        /** Known assignable scopes (lower case) per definition; undefined when computed from a hub at preview. */
        const scopesOf = new Map<string, { known: string[]; fromHub: boolean }>();

        for (const def of graph.of("roleDefinition")) {
            const who = `custom role '${String(def.name)}'`;
            const perms = peek(def.props, "permissions");
            if (!perms.known) pending.add(def.props, "permissions");
            else {
                const list = arr<unknown>(perms.value);
                if (list.length === 0) report(`${who} grants nothing (no permissions); remove it or list the data actions it is for.`, def.urn);
                for (const { value: perm } of knownElements(perms.value)) {
                    if (!isObj(perm)) continue;
                    for (const [key, allowed, what] of [["dataActions", dataAllowed, "data action"], ["actions", actionsAllowed, "control-plane action"]] as const) {
                        const v = peek(perm, key);
                        if (!v.known) {
                            pending.add(perm, key);
                            continue;
                        }
                        for (const { value } of knownElements(v.value)) {
                            const a = str(value) ?? "";
                            if (a.includes("*")) report(`${who} grants the wildcard ${what} '${a}'; list the exact ${what}s instead.`, def.urn);
                            else if (!allowed.includes(a.toLowerCase())) report(`${who} grants the ${what} '${a}', which is not in the stack's allow list (${allowed.length === 0 ? "none allowed" : allowed.join(", ")}).`, def.urn);
                        }
                    }
                }
            }
            const scopes = peek(def.props, "assignableScopes");
            const fromHub = graph.depsOfKind(def, "assignableScopes", "iotHub").length > 0;
            const known: string[] = [];
            if (!scopes.known) {
                if (!fromHub) pending.add(def.props, "assignableScopes");
            } else {
                const list = arr<unknown>(scopes.value);
                if (!Array.isArray(scopes.value) || list.length === 0) report(`${who} has no assignableScopes; make it assignable on the hub it is for.`, def.urn);
                for (let i = 0; i < list.length; i++) {
                    const e = peek(scopes.value, i);
                    if (!e.known) {
                        if (!fromHub) pending.add(scopes.value, i);
                        continue;
                    }
                    const s = norm(str(e.value) ?? "");
                    known.push(s);
                    if (!HUB_ID.test(s)) report(`${who} is assignable at ${show(e.value)}, wider than an IoT hub (root, management group, subscription or resource group); make it assignable on the hub only.`, def.urn);
                }
            }
            scopesOf.set(String(def.urn), { known, fromHub });
        }

        // Assignments of a custom role stay inside its assignable scopes.
        const defs = graph.of("roleDefinition");
        const definitionOf = (a: PolicyResource): PolicyResource | undefined => {
            const linked = graph.depsOfKind(a, "roleDefinitionId", "roleDefinition")[0];
            if (linked) return linked;
            const id = peek(a.props, "roleDefinitionId");
            const guid = id.known ? lower(str(id.value)?.split("/").pop()) : undefined;
            if (guid === undefined) return undefined;
            return defs.find((d) => {
                const g = peek(d.props, "roleDefinitionId");
                return g.known && lower(g.value) === guid;
            });
        };
        for (const a of graph.of("roleAssignment")) {
            const def = definitionOf(a);
            if (!def) continue;
            const allowed = scopesOf.get(String(def.urn));
            if (!allowed) continue;
            const who = `assignment '${String(a.name)}' of custom role '${String(def.name)}'`;
            const scope = peek(a.props, "scope");
            if (!scope.known) {
                if (!(allowed.fromHub && graph.depsOfKind(a, "scope", "iotHub").length > 0)) pending.add(a.props, "scope");
                continue;
            }
            const s = norm(str(scope.value) ?? "");
            const hubScopes = allowed.known.filter((x) => HUB_ID.test(x));
            // A role assignable wider than a hub is reported on its definition already.
            if (allowed.known.length > 0 && hubScopes.length === 0) continue;
            if (hubScopes.length > 0 && !hubScopes.includes(s)) report(`${who} is scoped to ${show(scope.value)}, outside the role's assignable scopes (${hubScopes.join(", ")}).`, a.urn);
            else if (!HUB_ID.test(s)) report(`${who} is scoped to ${show(scope.value)}; scope it to the hub.`, a.urn);
        }
        pending.flush();
    },
});
