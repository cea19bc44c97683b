/** COS-11, rule family `cosmosData` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { eqi, obj, show } from "../../lib/values";

export const cos11ContinuousBackup = resourceRule({
    id: "COS-11",
    name: "cos-11-cosmos-continuous-backup",
    description:
        "Cosmos DB accounts must use continuous backup (backupPolicy.type = \"Continuous\") for point-in-time restore. Absent means periodic backup.",
    remediationSteps: "Set backupPolicy: { type: \"Continuous\", continuousModeProperties: { tier: \"Continuous7Days\" } } (or Continuous30Days).",
    severity: "medium",
    anchors: "PSR Azure.Cosmos.ContinuousBackup; AVM",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const bp = obj((props as CosmosProps).backupPolicy as Record<string, unknown> | undefined);
        if (!eqi(bp["type"], "Continuous")) {
            report(`backupPolicy.type is ${show(bp["type"])}${bp["type"] === undefined ? " (periodic backup)" : ""}; it must be "Continuous".`);
        }
    },
});
