/** AAD-12, rule family `entraApiExposure` (the family's notes and sources: policies/policies.ts). */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/define";
import { APP_KINDS, EntraGraph, name } from "../../lib/rules/entraApiExposure";
import { isKind } from "../../lib/tokens";
import { knownElements, needValue, peek } from "../../lib/unknowns";
import { arr, isObj, lower, nonEmpty, show, str, strings } from "../../lib/values";

const SCOPE_VALUE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MEMBER_TYPES = ["user", "application"];

export const aad12ScopesAndRoles = stackRule<{ privilegedScopePatterns: string[]; allowedClientIds: string[] }>({
    id: "AAD-12",
    name: "aad-12-well-formed-scopes-and-roles",
    description:
        "OAuth2 permission scopes and app roles must be well formed: scope and role values without spaces or wildcards, admin-consent texts present, privileged scopes (matching the configured patterns, e.g. write/manage/admin) requiring admin consent (type \"Admin\"; absent means User); app roles with allowed member types User and/or Application only. Known clients and pre-authorized clients must be applications of this program (linked through propertyDependencies) or configured client ids.",
    remediationSteps:
        "Give scopes a value like \"Telemetry.Read\", type \"Admin\" for write/manage scopes, adminConsentDisplayName/Description; pre-authorize and list as known client only the mobile app's clientId.",
    severity: "medium",
    anchors: "beyond",
    config: {
        privilegedScopePatterns: {
            type: "array",
            items: { type: "string" },
            default: ["write", "manage", "admin", "delete", "\\.all$"],
            description: "Case-insensitive regular expressions; a matching scope value needs admin consent.",
        },
        allowedClientIds: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Client ids outside this program that may be known or pre-authorized clients.",
        },
    },
    validate({ resources, config, report }) {
        const g = new EntraGraph(resources);
        const pending: Array<() => unknown> = [];
        const privileged = config.privilegedScopePatterns.map((p) => {
            try {
                return new RegExp(p, "i");
            } catch {
                return undefined;
            }
        }).filter((r): r is RegExp => r !== undefined);

        const checkScope = (scope: Record<string, unknown>, where: string, urn: string): void => {
            const value = peek(scope, "value");
            if (!value.known) {
                pending.push(() => needValue(scope, "value"));
                return;
            }
            const v = str(value.value) ?? "";
            if (!SCOPE_VALUE.test(v)) report(`${where} value ${show(value.value)} is not a well-formed scope name.`, urn);
            for (const text of ["adminConsentDisplayName", "adminConsentDescription"]) {
                const t = peek(scope, text);
                if (t.known && nonEmpty(t.value) === undefined) report(`${where} has no ${text}.`, urn);
            }
            const type = peek(scope, "type");
            const admin = type.known && lower(type.value) === "admin";
            if (!admin && privileged.some((re) => re.test(v))) {
                report(`${where} '${v}' is privileged but users can consent to it (type ${type.known ? show(type.value) : "unknown"}); set type "Admin".`, urn);
            }
        };
        const checkRole = (role: Record<string, unknown>, where: string, urn: string): void => {
            const types = strings(role["allowedMemberTypes"]).map((t) => t.toLowerCase());
            if (types.length === 0 || types.some((t) => !MEMBER_TYPES.includes(t))) {
                report(`${where} allowedMemberTypes ${show(role["allowedMemberTypes"])} must be User and/or Application.`, urn);
            }
            const value = peek(role, "value");
            if (value.known && value.value !== undefined && value.value !== null && !SCOPE_VALUE.test(str(value.value) ?? "")) {
                report(`${where} value ${show(value.value)} is not well formed.`, urn);
            }
        };
        const appClientIds = g.knownClientIds();
        const allowedIds = config.allowedClientIds.map((c) => c.toLowerCase());
        const checkClients = (r: PolicyResource, prop: string, where: string): void => {
            if (g.depsOf(r, prop).some((d) => APP_KINDS.some((k) => isKind(d.type, k)))) return;
            const v = peek(r.props, prop);
            if (!v.known) {
                pending.push(() => needValue(r.props, prop));
                return;
            }
            const ids = Array.isArray(v.value) ? strings(v.value) : [str(v.value) ?? ""];
            for (const id of ids) {
                const s = id.trim().toLowerCase();
                if (!appClientIds.includes(s) && !allowedIds.includes(s)) report(`${where} names client id '${id}', which is not an application of this program nor an allowed client.`, r.urn);
            }
        };

        for (const s of g.of("aadPermissionScope")) checkScope(s.props as Record<string, unknown>, `permission scope ${name(s)}`, s.urn);
        for (const r of g.of("aadAppRole")) checkRole(r.props as Record<string, unknown>, `app role ${name(r)}`, r.urn);
        for (const k of g.of("aadKnownClients")) checkClients(k, "knownClientIds", `known clients ${name(k)}`);
        for (const p of g.of("aadPreAuthorized")) checkClients(p, "authorizedClientId", `pre-authorization ${name(p)}`);
        for (const app of g.of("aadApplication")) {
            const api = peek(app.props, "api");
            if (api.known && isObj(api.value)) {
                const scopes = peek(api.value, "oauth2PermissionScopes");
                if (scopes.known) knownElements(arr<unknown>(scopes.value)).forEach(({ index, value }) => {
                    if (isObj(value)) checkScope(value, `application ${name(app)} api.oauth2PermissionScopes[${index}]`, app.urn);
                });
            }
            const roles = peek(app.props, "appRoles");
            if (roles.known) knownElements(arr<unknown>(roles.value)).forEach(({ index, value }) => {
                if (isObj(value)) checkRole(value, `application ${name(app)} appRoles[${index}]`, app.urn);
            });
        }
        for (const p of pending) p();
    },
});
