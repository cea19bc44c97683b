/** AI-03, rule family `appInsights` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { AppInsightsProps } from "../../lib/rules/appInsights";
import { eqi, show } from "../../lib/values";

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
