/** COS-15, rule family `defender` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { StackGraph } from "../../lib/graph";
import { peek } from "../../lib/unknowns";
import { eqi, isTrue, lower } from "../../lib/values";

export const cos15DefenderForCosmos = stackRule({
    id: "COS-15",
    name: "cos-15-defender-for-cosmos-enabled",
    description:
        "Every Cosmos DB account must be covered by Microsoft Defender for Azure Cosmos DB: a security AdvancedThreatProtection setting with isEnabled true whose resourceId is the account (linked through propertyDependencies), or a security Pricing for CosmosDbs on the Standard tier.",
    remediationSteps:
        "Add security.AdvancedThreatProtection { resourceId: account.id, isEnabled: true, settingName: \"current\" }, or security.Pricing { pricingName: \"CosmosDbs\", pricingTier: \"Standard\", scopeId: \"/subscriptions/<id>\" }.",
    severity: "medium",
    anchors: "PSR Azure.Cosmos.DefenderCloud; AP",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const plan = graph.of("defenderPricing").some((p) => {
            const name = peek(p.props, "pricingName");
            const tier = peek(p.props, "pricingTier");
            return name.known && lower(name.value) === "cosmosdbs" && tier.known && eqi(tier.value, "Standard");
        });
        if (plan) return;
        const atp = graph.of("advancedThreatProtection").filter((a) => {
            const on = peek(a.props, "isEnabled");
            return !on.known || isTrue(on.value);
        });
        for (const account of graph.of("cosmosAccount")) {
            if (atp.some((a) => graph.refersTo(a, "resourceId", account, "cosmosAccount"))) continue;
            report(`Cosmos DB account '${String(account.name)}' has no enabled Defender for Azure Cosmos DB (AdvancedThreatProtection or CosmosDbs plan).`, account.urn);
        }
    },
});
