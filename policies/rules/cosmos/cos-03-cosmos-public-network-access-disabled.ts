/** COS-03, rule family `cosmosNetwork` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { eqi, show } from "../../lib/values";

export const cos03PublicAccess = resourceRule({
    id: "COS-03",
    name: "cos-03-cosmos-public-network-access-disabled",
    description:
        "Cosmos DB accounts must disable public network access (publicNetworkAccess = \"Disabled\") and be reached through private endpoints. Absent means Enabled; \"SecuredByPerimeter\" also fails, as in the Azure Policy definition. Development stacks may keep a firewalled public endpoint (COS-04) and report this as advice.",
    remediationSteps: "Set publicNetworkAccess: \"Disabled\" and add a private endpoint with groupId \"Sql\" (COS-07).",
    severity: "high",
    anchors: "PSR Azure.Cosmos.PublicAccess; CKV_AZURE_101; AP Cosmos_PrivateNetworkAccess",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const v = (props as CosmosProps).publicNetworkAccess;
        if (!eqi(v, "Disabled")) {
            report(`publicNetworkAccess is ${v === undefined ? "absent (Enabled)" : show(v)}; it must be "Disabled".`);
        }
    },
});
