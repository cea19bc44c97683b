/** DIAG-04, rule family `diagnostics` (the family's notes and sources: policies/policies.ts). */
import type { DiagnosticSettingArgs } from "@pulumi/azure-native/monitor";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule } from "../../lib/define";
import { hasDestination } from "../../lib/rules/diagnostics";
import { arr, isObj, isTrue, lower, show } from "../../lib/values";

type DiagProps = Unwrap<DiagnosticSettingArgs>;

export const diag04Hygiene = resourceRule<{ requireAllMetrics: boolean; allMetricsCategories: string[] }>({
    id: "DIAG-04",
    name: "diag-04-diagnostic-setting-hygiene",
    description:
        "Each diagnostic setting must enable something (no setting whose logs and metrics are all disabled), have a destination, and send the metric category that carries all of its service's platform metrics: AllMetrics, or Requests for Cosmos DB and Transaction for a storage blob service, which have no AllMetrics category (configurable).",
    remediationSteps:
        "Enable at least one log category group, add metrics: [{ category: \"AllMetrics\", enabled: true }] (\"Requests\" for Cosmos DB, \"Transaction\" for a blob service), and set workspaceId (or another destination).",
    severity: "low",
    anchors: "AVM",
    kinds: ["diagnosticSetting"],
    config: {
        requireAllMetrics: { type: "boolean", default: true, description: "Require the all-metrics category to be enabled." },
        allMetricsCategories: {
            type: "array",
            items: { type: "string" },
            default: ["AllMetrics", "Requests", "Transaction"],
            description: "Metric categories that carry all of a service's platform metrics (Cosmos DB exposes only Requests, a storage blob service Transaction and Capacity; Azure rejects categories a service does not have).",
        },
    },
    validate(props, { config, report }) {
        const p = props as DiagProps;
        const logs = arr<unknown>(p.logs).filter(isObj);
        const metrics = arr<unknown>(p.metrics).filter(isObj);
        const anyOn = [...logs, ...metrics].some((e) => isTrue(e["enabled"]));
        if (!anyOn) report(`every log and metric entry is disabled or absent (logs ${show(p.logs)}, metrics ${show(p.metrics)}); the setting collects nothing.`);
        if (!hasDestination(props)) report("no destination is set (workspaceId, storageAccountId, eventHubAuthorizationRuleId or marketplacePartnerId).");
        const all = config.allMetricsCategories.map((c) => c.toLowerCase());
        if (config.requireAllMetrics && !metrics.some((m) => all.includes(lower(m["category"]) ?? "") && isTrue(m["enabled"]))) {
            report(`metrics does not enable an all-metrics category (${config.allMetricsCategories.join(" or ")}).`);
        }
    },
});
