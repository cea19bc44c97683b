/** AAD-11, rule family `entraApplications` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { type AppProps, MICROSOFT_GRAPH_APP_ID } from "../../lib/rules/entraApplications";
import { isKind } from "../../lib/tokens";
import { peek } from "../../lib/unknowns";
import { arr, isObj, lower, strings } from "../../lib/values";

/** High-privilege Microsoft Graph application permissions (app role ids). */
const HIGH_PRIVILEGE_GRAPH_ROLES: Record<string, string> = {
    "19dbc75e-c2e2-444c-a770-ec69d8559fc7": "Directory.ReadWrite.All",
    "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8": "RoleManagement.ReadWrite.Directory",
    "06b708a9-e830-4db3-a914-8e69da51d44f": "AppRoleAssignment.ReadWrite.All",
    "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9": "Application.ReadWrite.All",
    "741f803b-c850-494e-b5df-cde7c675a1ca": "User.ReadWrite.All",
    "62a82d76-70ea-41e2-9197-370581804d09": "Group.ReadWrite.All",
    "e2a3a72e-5f79-4c64-b1b1-878b674786c9": "Mail.ReadWrite",
    "75359482-378d-4052-8f01-80520e7db3cd": "Files.ReadWrite.All",
    "a82116e5-55eb-4c41-a434-62fe8a61c773": "Sites.FullControl.All",
};

export const aad11ApiPermissions = resourceRule<{ forbiddenGraphAppRoleIds: string[] }>({
    id: "AAD-11",
    name: "aad-11-no-high-privilege-graph-permissions",
    description:
        "Applications must not request high-privilege Microsoft Graph application permissions (app roles such as Directory.ReadWrite.All, RoleManagement.ReadWrite.Directory, AppRoleAssignment.ReadWrite.All, Application.ReadWrite.All), through Application.requiredResourceAccesses (type Role) or ApplicationApiAccess.roleIds.",
    remediationSteps: "Request delegated scopes or narrowly scoped application permissions instead, and grant them per resource where Graph supports it.",
    severity: "high",
    anchors: "MS",
    kinds: ["aadApplication", "aadApiAccess"],
    config: {
        forbiddenGraphAppRoleIds: {
            type: "array",
            items: { type: "string" },
            default: Object.keys(HIGH_PRIVILEGE_GRAPH_ROLES),
            description: "Microsoft Graph app role ids that may not be requested.",
        },
    },
    validate(props, { args, config, report }) {
        const forbidden = config.forbiddenGraphAppRoleIds.map((r) => r.toLowerCase());
        const flag = (id: unknown, where: string): void => {
            const s = lower(id);
            if (s !== undefined && forbidden.includes(s)) report(`${where} requests the Microsoft Graph application permission ${HIGH_PRIVILEGE_GRAPH_ROLES[s] ?? s}.`);
        };
        if (isKind(args.type, "aadApiAccess")) {
            const p = props as { apiClientId?: unknown; roleIds?: unknown };
            // Microsoft Graph is named by its fixed client id; a value unknown at preview comes from
            // another application of the program, which is not Graph.
            const api = peek(props, "apiClientId");
            if (!api.known || lower(api.value) !== MICROSOFT_GRAPH_APP_ID) return;
            strings(p.roleIds).forEach((id, i) => flag(id, `roleIds[${i}]`));
            return;
        }
        arr<unknown>((props as AppProps).requiredResourceAccesses).forEach((rra, i) => {
            if (!isObj(rra) || lower(rra["resourceAppId"]) !== MICROSOFT_GRAPH_APP_ID) return;
            arr<unknown>(rra["resourceAccesses"]).forEach((ra, j) => {
                if (isObj(ra) && lower(ra["type"]) === "role") flag(ra["id"], `requiredResourceAccesses[${i}].resourceAccesses[${j}]`);
            });
        });
    },
});
