/** AI-01, rule family `appInsights` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { AppInsightsProps } from "../../lib/rules/appInsights";
import { isTrue, show } from "../../lib/values";

export const ai01LocalAuth = resourceRule({
    id: "AI-01",
    name: "ai-01-appinsights-local-auth-disabled",
    description:
        "Application Insights components must accept only Entra ID-authenticated telemetry (disableLocalAuth = true): an instrumentation key is not a secret (it is in every connection string), so with local auth on anyone who has it can write telemetry. Absent means local auth is on (Azure Policy \"Application Insights components should block non-Azure Active Directory based ingestion.\", 199d5677-e4d9-4264-9465-efe1839c06bd).",
    remediationSteps:
        "Set disableLocalAuth: true, grant the function's identity Monitoring Metrics Publisher on the component, and set the app setting APPLICATIONINSIGHTS_AUTHENTICATION_STRING to \"Authorization=AAD;ClientId=<identity client id>\".",
    severity: "medium",
    anchors: "AP \"Application Insights components should block non-Azure Active Directory based ingestion.\" (199d5677-e4d9-4264-9465-efe1839c06bd)",
    kinds: ["appInsights"],
    validate(props, { report }) {
        const v = (props as AppInsightsProps).disableLocalAuth;
        if (!isTrue(v)) report(`disableLocalAuth is ${show(v)}${v === undefined ? " (local auth on)" : ""}; it must be true so telemetry needs an Entra ID token.`);
    },
});
