/**
 * Application Insights components (the ingest function's telemetry): AI-01 (Entra ID-only
 * ingestion), AI-02 (workspace-based), AI-03 (public ingestion as the stack's config allows).
 *
 * Azure Policy built-ins (Azure/azure-policy, built-in-policies/policyDefinitions/Monitoring/):
 * ApplicationInsightsComponents_DisableLocalAuth_Deny.json,
 * ApplicationInsightsComponent_WorkspaceAssociation_Deny.json,
 * ApplicationInsightsComponents_NetworkAccessEnabled_Deny.json. The SDK defaults
 * publicNetworkAccessForIngestion and publicNetworkAccessForQuery to "Enabled".
 */
import type { ComponentArgs } from "@pulumi/azure-native/applicationinsights";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule } from "../lib/define";
import { isSetAt } from "../lib/unknowns";
import { eqi, isTrue, show } from "../lib/values";

export type AppInsightsProps = Unwrap<ComponentArgs>;

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

export const ai02WorkspaceBased = resourceRule({
    id: "AI-02",
    name: "ai-02-appinsights-workspace-based",
    description:
        "Application Insights components must be workspace-based (workspaceResourceId set), so their data sits in the platform's Log Analytics workspace with its retention and access control (Azure Policy \"Azure Monitor Logs for Application Insights should be linked to a Log Analytics workspace\", d550e854-df1a-4de9-bf44-cd894b39a95e). A value unknown at preview (the workspace's id) is a set value.",
    remediationSteps: "Set workspaceResourceId to the Log Analytics workspace's id (ingestionMode \"LogAnalytics\", the SDK default).",
    severity: "low",
    anchors: "AP \"Azure Monitor Logs for Application Insights should be linked to a Log Analytics workspace\" (d550e854-df1a-4de9-bf44-cd894b39a95e)",
    kinds: ["appInsights"],
    validate(props, { report }) {
        if (!isSetAt(props, "workspaceResourceId")) report("workspaceResourceId is absent or empty; the component is classic, not workspace-based.");
    },
});

export const ai03PublicIngestion = resourceRule<{ allowPublicIngestion: boolean }>({
    id: "AI-03",
    name: "ai-03-appinsights-public-ingestion",
    description:
        "Application Insights ingestion from public networks must be disabled (publicNetworkAccessForIngestion = \"Disabled\"; the SDK default is Enabled) unless the stack's policy config allows it (allowPublicIngestion): closing it needs an Azure Monitor Private Link Scope with its private endpoint, which the platform does not have, so both stacks allow public ingestion today and rely on AI-01 (Entra ID-only ingestion). Based on Azure Policy \"Application Insights components should block log ingestion and querying from public networks\" (1bc02227-0cb6-4e11-8f53-eb0b22eab7e8).",
    remediationSteps:
        "Create an Azure Monitor Private Link Scope, add the component and a private endpoint to it, then set publicNetworkAccessForIngestion: \"Disabled\" and allowPublicIngestion: false in the stack's policy config.",
    severity: "low",
    anchors: "AP \"Application Insights components should block log ingestion and querying from public networks\" (1bc02227-0cb6-4e11-8f53-eb0b22eab7e8)",
    kinds: ["appInsights"],
    config: {
        allowPublicIngestion: {
            type: "boolean",
            default: false,
            description: "Allow telemetry ingestion from public networks (no Azure Monitor Private Link Scope in the stack).",
        },
    },
    validate(props, { config, report }) {
        if (config.allowPublicIngestion) return;
        const v = (props as AppInsightsProps).publicNetworkAccessForIngestion;
        if (!eqi(v, "Disabled")) {
            report(`publicNetworkAccessForIngestion is ${show(v)}${v === undefined ? " (Enabled)" : ""}; the stack requires "Disabled" (ingestion through an Azure Monitor Private Link Scope).`);
        }
    },
});

export const appInsightsPolicies = [ai01LocalAuth, ai02WorkspaceBased, ai03PublicIngestion];
