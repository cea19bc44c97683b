/** AI-02, rule family `appInsights` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { isSetAt } from "../../lib/unknowns";

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
