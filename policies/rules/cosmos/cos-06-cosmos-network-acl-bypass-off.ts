/** COS-06, rule family `cosmosNetwork` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { lower, show, strings } from "../../lib/values";

export const cos06AclBypass = resourceRule({
    id: "COS-06",
    name: "cos-06-cosmos-network-acl-bypass-off",
    description:
        "Cosmos DB must not let Azure services bypass its firewall (networkAclBypass \"None\", the service default when absent); \"AzureServices\" is accepted only when narrowed to explicit resource ids (networkAclBypassResourceIds).",
    remediationSteps: "Set networkAclBypass: \"None\", or list the exact resources in networkAclBypassResourceIds.",
    severity: "medium",
    anchors: "AVM",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const p = props as CosmosProps;
        const v = lower(p.networkAclBypass);
        if (v === undefined || v === "none") return;
        if (v === "azureservices" && strings(p.networkAclBypassResourceIds).filter((s) => s.trim() !== "").length > 0) return;
        report(`networkAclBypass is ${show(p.networkAclBypass)} without explicit networkAclBypassResourceIds; every Azure service could pass the firewall.`);
    },
});
