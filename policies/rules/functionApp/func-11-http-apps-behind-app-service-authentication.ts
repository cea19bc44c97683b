/** FUNC-11, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { armNames, StackGraph } from "../../lib/graph";
import { HTTP_FUNCTIONS_TAG, httpFunctionsTag, type SiteConfig } from "../../lib/rules/functionApp";
import { knownElements, peek, Pending } from "../../lib/unknowns";
import { arr, bool, eqi, isObj, lower, obj, show, str } from "../../lib/values";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `https://login.microsoftonline.com/<tenant>/v2.0` (a specific tenant, not common/organizations/consumers). */
const TENANT_ISSUER = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0\/?$/i;

export const func11HttpAppsGuarded = stackRule<{ allowedTenantIds: string[] }>({
    id: "FUNC-11",
    name: "func-11-http-apps-behind-app-service-authentication",
    description:
        "Every function app must declare whether it serves HTTP functions (tag httpFunctions \"true\" or \"false\"), and one that does must have App Service authentication in front of it. An HTTP app must have App Service authentication (web.WebAppAuthSettingsV2, linked through its name input) in front: platform enabled, globalValidation.requireAuthentication true with unauthenticatedClientAction \"Return401\", the Microsoft provider enabled with an issuer https://login.microsoftonline.com/<tenant>/v2.0 of a single tenant (of allowedTenantIds when configured), allowed audiences set (no wildcard) and HTTPS required. An app without HTTP functions must refuse every request on its main site (siteConfig.ipSecurityRestrictionsDefaultAction \"Deny\", no Allow rule), so a mislabelled app cannot serve unguarded functions (MicrosoftDocs/azure-docs articles/app-service/configure-authentication-provider-aad.md).",
    remediationSteps:
        "For an HTTP API: tag the app httpFunctions: \"true\" and add new web.WebAppAuthSettingsV2(\"auth\", { name: app.name, resourceGroupName, platform: { enabled: true }, globalValidation: { requireAuthentication: true, unauthenticatedClientAction: \"Return401\" }, identityProviders: { azureActiveDirectory: { enabled: true, registration: { clientId, openIdIssuer: \"https://login.microsoftonline.com/<tenant>/v2.0\" }, validation: { allowedAudiences: [\"api://<clientId>\", clientId] } } } }). For an app without HTTP functions: tag it httpFunctions: \"false\" and set siteConfig.ipSecurityRestrictionsDefaultAction: \"Deny\".",
    severity: "high",
    anchors: "MS App Service authentication (configure-authentication-provider-aad.md); AP \"Function apps should have authentication enabled\" (c75248c1-ea1d-4a9c-8fc9-29a6aabd5da8), stricter",
    config: {
        allowedTenantIds: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Tenant ids an HTTP app's issuer may name; empty accepts any single tenant (never common, organizations or consumers).",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        const tenants = config.allowedTenantIds.map((t) => t.toLowerCase());
        for (const app of graph.of("webApp")) {
            const who = `app '${String(app.name)}'`;
            const tag = httpFunctionsTag(app.props);
            if (tag === null) {
                pending.add(app.props, "tags");
                continue;
            }
            if (tag !== "true" && tag !== "false") {
                report(`${who} does not declare whether it serves HTTP functions (tag ${HTTP_FUNCTIONS_TAG} is ${tag === undefined ? "absent" : show(tag)}): tag it "true" (App Service authentication in front) or "false" (main site closed).`, app.urn);
                continue;
            }
            if (tag === "false") {
                const sc = peek(app.props, "siteConfig");
                if (!sc.known) {
                    pending.add(app.props, "siteConfig");
                    continue;
                }
                const action = peek(sc.value, "ipSecurityRestrictionsDefaultAction");
                if (!action.known) pending.add(sc.value, "ipSecurityRestrictionsDefaultAction");
                else if (!eqi(action.value, "Deny")) report(`${who} is tagged ${HTTP_FUNCTIONS_TAG} "false" but its main site answers (siteConfig.ipSecurityRestrictionsDefaultAction ${show(action.value)}${action.value === undefined ? ", Allow" : ""}); set "Deny".`, app.urn);
                for (const { value } of knownElements(arr<unknown>(obj(sc.value as SiteConfig).ipSecurityRestrictions))) {
                    if (isObj(value) && eqi(value["action"], "Allow")) report(`${who} is tagged ${HTTP_FUNCTIONS_TAG} "false" but its main site has the Allow rule ${show(value["name"] ?? value["ipAddress"])}.`, app.urn);
                }
                continue;
            }
            const guards = graph.of("webAppAuthSettingsV2").filter((a) => {
                if (graph.refersTo(a, "name", app, "webApp")) return true;
                const n = peek(a.props, "name");
                const names = armNames(app, "webApp");
                return n.known && names.includes(lower(n.value) ?? "");
            });
            if (guards.length === 0) {
                report(`${who} serves HTTP functions (tag ${HTTP_FUNCTIONS_TAG} "true") but has no App Service authentication (web.WebAppAuthSettingsV2) in front of it.`, app.urn);
                continue;
            }
            for (const g of guards) {
                const where = `${who}: App Service authentication '${String(g.name)}'`;
                const field = (container: unknown, path: string[]): { known: boolean; value: unknown; at?: { c: unknown; k: string } } => {
                    let cur: unknown = container;
                    for (const k of path) {
                        const p = peek(cur, k);
                        if (!p.known) return { known: false, value: undefined, at: { c: cur, k } };
                        cur = p.value;
                        if (cur === undefined || cur === null) return { known: true, value: undefined };
                    }
                    return { known: true, value: cur };
                };
                const expect = (path: string[], ok: (v: unknown) => boolean, problem: (v: unknown) => string) => {
                    const f = field(g.props, path);
                    if (!f.known) {
                        if (f.at) pending.add(f.at.c, f.at.k);
                        return;
                    }
                    if (!ok(f.value)) report(`${where}: ${path.join(".")} is ${show(f.value)}; ${problem(f.value)}.`, app.urn);
                };
                expect(["platform", "enabled"], (v) => bool(v) === true, () => "it must be true (the feature is off otherwise)");
                expect(["globalValidation", "requireAuthentication"], (v) => bool(v) === true, () => "it must be true: every request needs a token");
                expect(["globalValidation", "unauthenticatedClientAction"], (v) => eqi(v, "Return401"), () => 'it must be "Return401" (an API answers 401, it redirects nowhere)');
                expect(["httpSettings", "requireHttps"], (v) => v === undefined || bool(v) !== false, () => "it must not be false");
                const aad = ["identityProviders", "azureActiveDirectory"];
                expect([...aad, "enabled"], (v) => v === undefined || bool(v) !== false, () => "the Microsoft provider must be enabled");
                expect([...aad, "registration", "openIdIssuer"], (v) => {
                    const m = TENANT_ISSUER.exec(str(v) ?? "");
                    if (!m || !GUID.test(m[1])) return false;
                    return tenants.length === 0 || tenants.includes(m[1].toLowerCase());
                }, () => `it must be https://login.microsoftonline.com/<tenant id>/v2.0 of ${tenants.length === 0 ? "a single tenant (a GUID, not common, organizations or consumers)" : `one of ${tenants.join(", ")}`}`);
                const audiences = field(g.props, [...aad, "validation", "allowedAudiences"]);
                if (!audiences.known) {
                    // Computed from the app registration (its client id): a set value.
                    if (audiences.at && graph.depsOf(g, "identityProviders").length === 0) pending.add(audiences.at.c, audiences.at.k);
                } else {
                    const list = arr<unknown>(audiences.value);
                    if (!Array.isArray(audiences.value) || list.length === 0) report(`${where}: identityProviders.azureActiveDirectory.validation.allowedAudiences is ${show(audiences.value)}; list the API's audiences (api://<clientId> and the client id).`, app.urn);
                    for (const { value } of knownElements(audiences.value)) {
                        const a = str(value) ?? "";
                        if (a.trim() === "" || a.includes("*")) report(`${where}: allowed audience ${show(value)} is empty or a wildcard.`, app.urn);
                    }
                }
            }
        }
        pending.flush();
    },
});
