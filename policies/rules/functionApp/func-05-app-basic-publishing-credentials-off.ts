/** FUNC-05, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { armIdNames, armNames, StackGraph } from "../../lib/graph";
import type { TokenKind } from "../../lib/tokens";
import { needValue, peek } from "../../lib/unknowns";
import { bool, lower, show } from "../../lib/values";

/** The publishing-credential policy resources of an app (their `name` input is the app's name). */
function credentialPolicies(graph: StackGraph, app: ReturnType<StackGraph["of"]>[number], kind: TokenKind) {
    const names = armNames(app, "webApp");
    return graph.of(kind).filter((p) => {
        if (graph.refersTo(p, "name", app, "webApp")) return true;
        const v = peek(p.props, "name");
        const n = v.known ? lower(v.value) : undefined;
        return n !== undefined && armIdNames(n, "webApp", names);
    });
}

export const func05BasicPublishingCredentials = stackRule({
    id: "FUNC-05",
    name: "func-05-app-basic-publishing-credentials-off",
    description:
        "Every function or web app must have basic (user name and password) publishing credentials turned off for both FTP and the SCM site: the program declares web.WebAppFtpAllowed and web.WebAppScmAllowed (the app's basicPublishingCredentialsPolicies \"ftp\" and \"scm\") with allow false for it, linked through their name input. Without them the platform default allows basic authentication (Azure Policy \"App Service apps should have local authentication methods disabled for FTP deployments\", 871b205b-57cf-4e1e-a234-492616998bf7, and \"... for SCM site deployments\", aede300b-d67f-480a-ae26-4b3dfb1a1fdc).",
    remediationSteps:
        "For each app add new web.WebAppFtpAllowed(\"<app>-ftp\", { resourceGroupName, name: app.name, allow: false }) and new web.WebAppScmAllowed(\"<app>-scm\", { resourceGroupName, name: app.name, allow: false }); deploy with Entra ID (OneDeploy, az functionapp deploy).",
    severity: "high",
    anchors: "AP \"App Service apps should have local authentication methods disabled for FTP deployments\" (871b205b-57cf-4e1e-a234-492616998bf7); AP \"... for SCM site deployments\" (aede300b-d67f-480a-ae26-4b3dfb1a1fdc)",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const pending: Array<() => unknown> = [];
        for (const app of graph.of("webApp")) {
            for (const [kind, what] of [["webAppFtpAllowed", "FTP (web.WebAppFtpAllowed)"], ["webAppScmAllowed", "SCM (web.WebAppScmAllowed)"]] as const) {
                const policies = credentialPolicies(graph, app, kind);
                if (policies.length === 0) {
                    report(`app '${String(app.name)}' has no ${what} policy with allow false: basic publishing credentials stay enabled by default.`, app.urn);
                    continue;
                }
                for (const p of policies) {
                    const allow = peek(p.props, "allow");
                    if (!allow.known) pending.push(() => needValue(p.props, "allow"));
                    else if (bool(allow.value) !== false) report(`app '${String(app.name)}': ${what} '${String(p.name)}' has allow ${show(allow.value)}; it must be false.`, app.urn);
                }
            }
        }
        for (const p of pending) p();
    },
});
