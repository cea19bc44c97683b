/**
 * Microsoft Defender for Cloud coverage (stack rules): IOT-14 (Defender for IoT: an
 * IotSecuritySolution lists the hub), COS-15 (Defender for Azure Cosmos DB: AdvancedThreatProtection
 * on the account, or the subscription's CosmosDbs plan on Standard). Production concerns: advisory
 * in development stacks.
 */
import { stackRule } from "../lib/define";
import { StackGraph } from "../lib/graph";
import { peek } from "../lib/unknowns";
import { eqi, isTrue, lower } from "../lib/values";

export const iot14DefenderForIot = stackRule({
    id: "IOT-14",
    name: "iot-14-defender-for-iot-enabled",
    description:
        "Every IoT hub must be covered by Microsoft Defender for IoT: a security IotSecuritySolution whose iotHubs list contains the hub (linked through propertyDependencies, as the hub id is unknown at preview) and whose status is not Disabled.",
    remediationSteps:
        "Add security.IotSecuritySolution { displayName, iotHubs: [hub.id], status: \"Enabled\", workspace: <Log Analytics workspace id> } in the hub's resource group.",
    severity: "medium",
    anchors: "KICS; MCSB LT-1",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const solutions = graph.of("iotSecuritySolution").filter((s) => {
            const st = peek(s.props, "status");
            return !(st.known && eqi(st.value, "Disabled"));
        });
        for (const hub of graph.of("iotHub")) {
            if (solutions.some((s) => graph.refersTo(s, "iotHubs", hub, "iotHub"))) continue;
            report(`IoT hub '${String(hub.name)}' is not listed by an enabled Defender for IoT security solution.`, hub.urn);
        }
    },
});

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

export const defenderPolicies = [iot14DefenderForIot, cos15DefenderForCosmos];
