/**
 * Entra ID rules that need the relationships between application resources (stack rules):
 * AAD-03 (identifier URIs), AAD-07 (the API app is not a public client), AAD-09 (assignment
 * required on the API's service principal), AAD-10 (owners set), AAD-12 (well-formed scopes, roles,
 * known and pre-authorized clients).
 *
 * The split resources (`ApplicationIdentifierUri`, `ApplicationPermissionScope`, ...) point at their
 * application with `applicationId`; the link is followed through propertyDependencies because the
 * application's id is unknown at preview.
 *
 * Which application is "the API": an application *exposes an API* when it has an identifier URI,
 * an OAuth2 permission scope, an app role, known clients or pre-authorized clients (attached
 * through the split resources, or inline on `Application`). The mobile app exposes none of these:
 * it is a public client that only calls the API, so it may enable fallbackPublicClient and
 * register PublicClient redirect URIs.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/define";
import { StackGraph } from "../lib/graph";
import { isKind, type TokenKind } from "../lib/tokens";
import { knownElements, needValue, peek } from "../lib/unknowns";
import { arr, isObj, isTrue, lower, nonEmpty, obj, show, str, strings } from "../lib/values";

const APP_KINDS: readonly TokenKind[] = ["aadApplication", "aadApplicationRegistration"];
const API_CHILD_KINDS: readonly TokenKind[] = ["aadIdentifierUri", "aadPermissionScope", "aadAppRole", "aadKnownClients", "aadPreAuthorized"];

class EntraGraph extends StackGraph {
    readonly apps: PolicyResource[];
    constructor(resources: PolicyResource[]) {
        super(resources);
        this.apps = resources.filter((r) => APP_KINDS.some((k) => isKind(r.type, k)));
    }
    /** The application a split resource belongs to (through `applicationId` dependencies). */
    appOf(child: PolicyResource): PolicyResource | undefined {
        return this.depsOf(child, "applicationId").find((d) => APP_KINDS.some((k) => isKind(d.type, k)));
    }
    childrenOf(app: PolicyResource, kinds: readonly TokenKind[]): PolicyResource[] {
        return this.resources.filter((r) => kinds.some((k) => isKind(r.type, k)) && this.appOf(r) === app);
    }
    exposesApi(app: PolicyResource): boolean {
        if (this.childrenOf(app, API_CHILD_KINDS).length > 0) return true;
        if (!isKind(app.type, "aadApplication")) return false;
        const nonEmptyAt = (container: unknown, key: string): boolean => {
            const p = peek(container, key);
            return !p.known || arr(p.value).length > 0;
        };
        if (nonEmptyAt(app.props, "identifierUris") || nonEmptyAt(app.props, "appRoles")) return true;
        const api = peek(app.props, "api");
        if (!api.known) return true;
        return isObj(api.value) && (nonEmptyAt(api.value, "oauth2PermissionScopes") || nonEmptyAt(api.value, "knownClientApplications"));
    }
    /** Known client ids of the program's applications (after deployment). */
    knownClientIds(): string[] {
        return this.apps
            .map((a) => peek(a.props, "clientId"))
            .filter((p) => p.known)
            .map((p) => lower((p as { value: unknown }).value))
            .filter((s): s is string => s !== undefined && s !== "");
    }
}

function name(r: PolicyResource): string {
    return `'${String(r.name)}'`;
}

const GUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** Why an identifier URI is unsafe, or undefined. */
export function identifierUriProblem(uri: string, verifiedDomains: readonly string[]): string | undefined {
    const s = uri.trim();
    if (s.includes("*")) return "contains a wildcard";
    if (new RegExp(`^api://${GUID}/?$`, "i").test(s)) return undefined;
    const m = /^https:\/\/([^/:?#]+)(\/[^?#]*)?$/i.exec(s);
    if (m) {
        const host = m[1].toLowerCase();
        return verifiedDomains.some((d) => host === d.toLowerCase() || host.endsWith("." + d.toLowerCase()))
            ? undefined
            : `uses the domain ${host}, which is not a verified domain of the tenant`;
    }
    if (/^http:/i.test(s)) return "uses http";
    return "is neither api://<client id> nor https on a verified domain";
}

export const aad03IdentifierUris = stackRule<{ verifiedDomains: string[] }>({
    id: "AAD-03",
    name: "aad-03-safe-identifier-uris",
    description:
        "Application identifier URIs must be api://<client id> (of the application itself) or an https URI on one of the tenant's verified domains; never a wildcard or http. At preview the client id is unknown: an ApplicationIdentifierUri computed only from its own application (the api://<clientId> pattern) passes, and its value is checked at `pulumi up`.",
    remediationSteps: "Use identifierUri: pulumi.interpolate`api://${app.clientId}` (ApplicationIdentifierUri), or list the verified domain in verifiedDomains.",
    severity: "medium",
    anchors: "MS",
    config: {
        verifiedDomains: { type: "array", items: { type: "string" }, default: [], description: "Verified custom domains of the tenant." },
    },
    validate({ resources, config, report }) {
        const g = new EntraGraph(resources);
        const pending: Array<() => unknown> = [];
        for (const r of g.of("aadIdentifierUri")) {
            const app = g.appOf(r);
            const v = peek(r.props, "identifierUri");
            if (!v.known) {
                const deps = g.depsOf(r, "identifierUri");
                // Computed from nothing but its own application: the api://<clientId> pattern.
                const selfDerived = app !== undefined && deps.length > 0 && deps.every((d) => d === app);
                if (!selfDerived) pending.push(() => needValue(r.props, "identifierUri"));
                continue;
            }
            const s = str(v.value) ?? "";
            const problem = identifierUriProblem(s, config.verifiedDomains);
            if (problem !== undefined) {
                report(`identifier URI ${show(v.value)} of ${name(r)} ${problem}.`, r.urn);
                continue;
            }
            // api://<guid> must be this application's own client id once it is known.
            const guid = new RegExp(`^api://(${GUID})/?$`, "i").exec(s.trim())?.[1]?.toLowerCase();
            const clientId = app ? peek(app.props, "clientId") : undefined;
            const own = clientId?.known ? lower(clientId.value) : undefined;
            if (guid !== undefined && own !== undefined && own !== "" && guid !== own) {
                report(`identifier URI ${s} of ${name(r)} names another application's client id (${guid}, the application's is ${own}).`, r.urn);
            }
        }
        for (const app of g.of("aadApplication")) {
            const uris = peek(app.props, "identifierUris");
            if (!uris.known) {
                pending.push(() => needValue(app.props, "identifierUris"));
                continue;
            }
            const list = arr<unknown>(uris.value);
            const known = knownElements(list);
            if (known.length < list.length) pending.push(() => list.forEach((_, i) => needValue(list, i)));
            for (const { index, value } of known) {
                const problem = typeof value === "string" ? identifierUriProblem(value, config.verifiedDomains) : `is ${show(value)}`;
                if (problem !== undefined) report(`identifierUris[${index}] ${show(value)} of application ${name(app)} ${problem}.`, app.urn);
            }
        }
        for (const p of pending) p();
    },
});

export const aad07ApiNotPublicClient = stackRule({
    id: "AAD-07",
    name: "aad-07-api-app-not-public-client",
    description:
        "The application that exposes an API (identifier URI, scopes, app roles, known or pre-authorized clients) must not be a public client: no fallbackPublicClientEnabled (Application) or ApplicationFallbackPublicClient enabled, and no PublicClient redirect URIs. The mobile app is a separate public-client application that exposes nothing and holds no secret.",
    remediationSteps:
        "Remove the fallback public client setting and PublicClient redirect URIs from the API application; register them on the mobile application instead.",
    severity: "high",
    anchors: "MS",
    validate({ resources, report }) {
        const g = new EntraGraph(resources);
        for (const app of g.apps) {
            if (!g.exposesApi(app)) continue;
            if (isKind(app.type, "aadApplication")) {
                const fallback = peek(app.props, "fallbackPublicClientEnabled");
                if (fallback.known && isTrue(fallback.value)) {
                    report(`application ${name(app)} exposes an API and sets fallbackPublicClientEnabled.`, app.urn);
                }
                const pc = peek(app.props, "publicClient");
                if (pc.known && isObj(pc.value) && strings(obj(pc.value as { redirectUris?: unknown }).redirectUris).length > 0) {
                    report(`application ${name(app)} exposes an API and registers public-client redirect URIs.`, app.urn);
                }
            }
            for (const f of g.childrenOf(app, ["aadFallbackPublicClient"])) {
                const en = peek(f.props, "enabled");
                if (en.known && isTrue(en.value)) report(`application ${name(app)} exposes an API and ${name(f)} enables it as a fallback public client.`, f.urn);
            }
            for (const r of g.childrenOf(app, ["aadRedirectUris"])) {
                const t = peek(r.props, "type");
                if (t.known && lower(t.value) === "publicclient") report(`application ${name(app)} exposes an API and ${name(r)} registers PublicClient redirect URIs.`, r.urn);
            }
        }
    },
});

export const aad09AssignmentRequired = stackRule({
    id: "AAD-09",
    name: "aad-09-api-service-principal-assignment-required",
    description:
        "The service principal of an application that exposes an API must require app role assignment (appRoleAssignmentRequired = true; the provider default is false), so only assigned users, groups and clients get tokens for it. The service principal is linked to its application through propertyDependencies of clientId.",
    remediationSteps: "Set appRoleAssignmentRequired: true on the API's ServicePrincipal and assign the app roles to the groups and client applications that need them.",
    severity: "medium",
    anchors: "MS",
    validate({ resources, report }) {
        const g = new EntraGraph(resources);
        for (const sp of g.of("aadServicePrincipal")) {
            const app = g.depsOf(sp, "clientId").find((d) => APP_KINDS.some((k) => isKind(d.type, k)));
            if (app === undefined || !g.exposesApi(app)) continue;
            const v = (sp.props as Record<string, unknown>)["appRoleAssignmentRequired"];
            if (!isTrue(v)) report(`service principal ${name(sp)} of API application ${name(app)} has appRoleAssignmentRequired ${show(v)}; it must be true.`, sp.urn);
        }
    },
});

export const aad10Owners = stackRule({
    id: "AAD-10",
    name: "aad-10-application-owners-set",
    description:
        "Every application must have at least one owner (Application.owners, or an ApplicationOwner linked to the ApplicationRegistration through propertyDependencies), so someone is accountable for it and can rotate its credentials.",
    remediationSteps: "Add azuread.ApplicationOwner { applicationId: app.id, ownerObjectId: <owner object id> } (or owners on Application).",
    severity: "low",
    anchors: "MS",
    validate({ resources, report }) {
        const g = new EntraGraph(resources);
        for (const app of g.apps) {
            if (g.childrenOf(app, ["aadOwner"]).length > 0) continue;
            if (isKind(app.type, "aadApplication")) {
                const o = peek(app.props, "owners");
                if (!o.known || arr(o.value).length > 0) continue;
            }
            report(`application ${name(app)} has no owner.`, app.urn);
        }
    },
});

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

export const entraApiExposurePolicies = [aad03IdentifierUris, aad07ApiNotPublicClient, aad09AssignmentRequired, aad10Owners, aad12ScopesAndRoles];
