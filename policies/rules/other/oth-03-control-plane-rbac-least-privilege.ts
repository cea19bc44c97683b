/** OTH-03, rule family `controlPlaneRbac` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { StackGraph } from "../../lib/graph";
import { BROAD_ROLES, broadScope } from "../../lib/rules/controlPlaneRbac";
import { needValue, peek } from "../../lib/unknowns";
import { lastSegment, lower, str } from "../../lib/values";

export const oth03ControlPlaneRbac = stackRule<{ forbiddenRoleDefinitionIds: string[] }>({
    id: "OTH-03",
    name: "oth-03-control-plane-rbac-least-privilege",
    description:
        "Azure role assignments made by the program must be least privilege: no Owner, Contributor, User Access Administrator or RBAC Administrator role (configurable list), and a scope of a resource or resource group, never a subscription, management group or the tenant root. A scope unknown at preview that is computed from another resource's id is a resource-level scope.",
    remediationSteps:
        "Grant the narrowest data-plane or built-in role the workload needs (e.g. IoT Hub Data Reader, IoT Hub Twin Contributor) with scope set to the resource's id.",
    severity: "high",
    anchors: "PSR Azure.RBAC.*",
    config: {
        forbiddenRoleDefinitionIds: {
            type: "array",
            items: { type: "string" },
            default: Object.keys(BROAD_ROLES),
            description: "Role definition GUIDs the program may not assign.",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending: Array<() => unknown> = [];
        const forbidden = config.forbiddenRoleDefinitionIds.map((g) => g.toLowerCase());
        for (const a of graph.of("roleAssignment")) {
            const who = `role assignment '${String(a.name)}'`;
            const role = peek(a.props, "roleDefinitionId");
            if (!role.known) pending.push(() => needValue(a.props, "roleDefinitionId"));
            else {
                const guid = lastSegment(role.value);
                if (guid !== undefined && forbidden.includes(guid)) {
                    report(`${who} grants ${BROAD_ROLES[guid] ?? guid}, a role that can change the resources or their access; grant a narrow role instead.`, a.urn);
                }
            }
            const scope = peek(a.props, "scope");
            if (scope.known) {
                const s = str(scope.value);
                const broad = s === undefined ? "no scope" : broadScope(s);
                if (broad !== undefined) report(`${who} is scoped to ${broad}${s !== undefined ? ` ('${lower(s) ?? ""}')` : ""}; scope it to the resource or its resource group.`, a.urn);
            } else if (graph.depsOf(a, "scope").length === 0) {
                pending.push(() => needValue(a.props, "scope"));
            }
        }
        for (const p of pending) p();
    },
});
