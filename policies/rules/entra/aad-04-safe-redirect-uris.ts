/** AAD-04, rule family `entraApplications` (the family's notes and sources: policies/policies.ts). */
import type { ApplicationRedirectUrisArgs } from "@pulumi/azuread/applicationRedirectUris";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule } from "../../lib/define";
import { type AppProps, type RedirectConfig, redirectProblem } from "../../lib/rules/entraApplications";
import { isKind } from "../../lib/tokens";
import { arr, obj, show, str } from "../../lib/values";

export const aad04RedirectUris = resourceRule<RedirectConfig>({
    id: "AAD-04",
    name: "aad-04-safe-redirect-uris",
    description:
        "Redirect URIs must be safe: no wildcards; Web and SPA URIs use https (http://localhost only where the stack allows it: development); public-client (mobile) URIs use the native broker schemes (msauth.<bundle-id>://auth, msauth://<package>/<signature-hash>), https, or localhost where allowed.",
    remediationSteps:
        "Register exact https redirect URIs; for the mobile app register msauth.<bundle-id>://auth (iOS) and msauth://<package>/<url-encoded signature hash> (Android) with type PublicClient.",
    severity: "high",
    anchors: "MS",
    kinds: ["aadRedirectUris", "aadApplication"],
    config: {
        allowLocalhost: { type: "boolean", default: false, description: "Allow http://localhost redirect URIs (development)." },
        nativeSchemePatterns: {
            type: "array",
            items: { type: "string" },
            default: ["^msauth\\.[A-Za-z0-9][A-Za-z0-9.-]*://auth/?$", "^msauth://[A-Za-z0-9_.]+/[A-Za-z0-9%+/=_-]+$"],
            description: "Regular expressions of allowed native (public client) redirect URIs besides https.",
        },
    },
    validate(props, { args, config, report }) {
        const check = (uris: unknown, type: string, where: string): void => {
            arr<unknown>(uris).forEach((u, i) => {
                const s = str(u);
                const problem = s === undefined ? `is ${show(u)}` : redirectProblem(s, type, config);
                if (problem !== undefined) report(`${where}[${i}] ${show(u)} ${problem}.`);
            });
        };
        if (isKind(args.type, "aadRedirectUris")) {
            const p = props as Unwrap<ApplicationRedirectUrisArgs>;
            const type = str(p.type) ?? "";
            if (!["web", "spa", "publicclient"].includes(type.toLowerCase())) {
                report(`type is ${show(p.type)}; it must be Web, SPA or PublicClient.`);
                return;
            }
            check(p.redirectUris, type, "redirectUris");
            return;
        }
        const p = props as AppProps;
        check(obj(p.web).redirectUris, "Web", "web.redirectUris");
        check(obj(p.singlePageApplication).redirectUris, "SPA", "singlePageApplication.redirectUris");
        check(obj(p.publicClient).redirectUris, "PublicClient", "publicClient.redirectUris");
    },
});
