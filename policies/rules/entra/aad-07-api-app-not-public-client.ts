/** AAD-07, rule family `entraApiExposure` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { EntraGraph, name } from "../../lib/rules/entraApiExposure";
import { isKind } from "../../lib/tokens";
import { peek } from "../../lib/unknowns";
import { isObj, isTrue, lower, obj, strings } from "../../lib/values";

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
