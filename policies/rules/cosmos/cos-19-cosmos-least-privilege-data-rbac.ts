/** COS-19, rule family `cosmosDataPlaneRbac` (the family's notes and sources: policies/policies.ts). */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/define";
import { StackGraph } from "../../lib/graph";
import { isKind } from "../../lib/tokens";
import { needValue, peek } from "../../lib/unknowns";
import { arr, isObj, lastSegment, lower, str, strings } from "../../lib/values";

const COSMOS_DATA_READER = "00000000-0000-0000-0000-000000000001";
const COSMOS_DATA_CONTRIBUTOR = "00000000-0000-0000-0000-000000000002";

const READ_ACTION = /(\/read|\/readmetadata|\/executequery|\/readchangefeed)$/i;

type Level = "read" | "write";

/** Whether a custom role definition only reads (all data actions are reads). */
function customRoleLevel(def: PolicyResource): Level | undefined {
    const perms = peek(def.props, "permissions");
    if (!perms.known) return undefined;
    const actions = arr<unknown>(perms.value).flatMap((p) => (isObj(p) ? strings(p["dataActions"]) : []));
    if (actions.length === 0) return "read";
    return actions.every((a) => READ_ACTION.test(a.trim())) ? "read" : "write";
}

export const cos19DataPlaneRbac = stackRule<{ writerResourceNames: string[]; writerPrincipalIds: string[] }>({
    id: "COS-19",
    name: "cos-19-cosmos-least-privilege-data-rbac",
    description:
        "Cosmos DB data-plane role assignments must be least privilege: only writers (managed identities an IoT hub routes with or a function app runs as, or principals configured as writers) get Built-in Data Contributor or a custom role that writes; everyone else gets Built-in Data Reader; every assignment is scoped to a database (/dbs/<db>) or container, never the whole account. Principals and scopes are followed through propertyDependencies at preview.",
    remediationSteps:
        "Assign roleDefinitionId .../sqlRoleDefinitions/00000000-0000-0000-0000-000000000001 (Data Reader) to readers, ...0002 (Data Contributor) only to the hub's routing identity or the ingest function's identity, with scope `${account.id}/dbs/<db>/colls/<container>`.",
    severity: "high",
    anchors: "CIS Azure 4.5.3; beyond",
    config: {
        writerResourceNames: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Pulumi resource names of identities (or service principals) that may write data besides the hubs' routing identities.",
        },
        writerPrincipalIds: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Literal principal object ids that may write data.",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending: Array<() => unknown> = [];
        const writers = new Set<string>();
        for (const hub of graph.of("iotHub")) graph.depsOf(hub, "identity").forEach((d) => writers.add(String(d.urn)));
        for (const app of graph.of("webApp")) graph.depsOf(app, "identity").forEach((d) => writers.add(String(d.urn)));
        for (const r of resources) if (config.writerResourceNames.includes(String(r.name))) writers.add(String(r.urn));
        const writerIds = config.writerPrincipalIds.map((s) => s.toLowerCase());

        for (const a of graph.of("cosmosSqlRoleAssignment")) {
            const who = `role assignment '${String(a.name)}'`;
            // Role level.
            let level: Level | undefined;
            const role = peek(a.props, "roleDefinitionId");
            if (role.known) {
                const guid = lastSegment(role.value);
                if (guid === COSMOS_DATA_READER) level = "read";
                else if (guid === COSMOS_DATA_CONTRIBUTOR) level = "write";
                else {
                    const def = graph.depsOfKind(a, "roleDefinitionId", "cosmosSqlRoleDefinition")[0]
                        ?? graph.of("cosmosSqlRoleDefinition").find((d) => {
                            const id = peek(d.props, "roleDefinitionId");
                            return id.known && lower(id.value) === guid;
                        });
                    level = def ? customRoleLevel(def) ?? "write" : "write";
                }
            } else {
                const def = graph.depsOfKind(a, "roleDefinitionId", "cosmosSqlRoleDefinition")[0];
                if (def) level = customRoleLevel(def);
                if (level === undefined) pending.push(() => needValue(a.props, "roleDefinitionId"));
            }
            // Principal.
            const principalDeps = graph.depsOf(a, "principalId");
            const principal = peek(a.props, "principalId");
            let writer: boolean | undefined;
            if (principalDeps.length > 0) writer = principalDeps.some((d) => writers.has(String(d.urn)));
            else if (principal.known) writer = writerIds.includes(lower(principal.value) ?? "");
            if (level === "write") {
                if (writer === undefined) pending.push(() => needValue(a.props, "principalId"));
                else if (!writer) {
                    report(`${who} grants a writing role to a principal that is not a writer (not a hub routing identity, a function app identity nor configured); give it Built-in Data Reader.`, a.urn);
                }
            }
            // Scope.
            const scope = peek(a.props, "scope");
            if (scope.known) {
                const s = lower(scope.value) ?? "";
                const scopeText = str(scope.value);
                if (!s.includes("/dbs/")) {
                    report(`${who} is scoped to ${scopeText === undefined ? "the whole account (scope absent)" : `'${scopeText}' (the whole account)`}; scope it to /dbs/<db> or a container.`, a.urn);
                }
            } else {
                const narrowed = graph.depsOf(a, "scope").some((d) => isKind(d.type, "cosmosSqlDatabase") || isKind(d.type, "cosmosSqlContainer"));
                if (!narrowed) pending.push(() => needValue(a.props, "scope"));
            }
        }
        for (const p of pending) p();
    },
});
