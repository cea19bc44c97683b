/** COS-04, rule family `cosmosNetwork` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { arr, eqi, isObj, isTrue, show, str } from "../../lib/values";

export const cos04FirewallRules = resourceRule({
    id: "COS-04",
    name: "cos-04-cosmos-firewall-rules-exist",
    description:
        "A Cosmos DB account reachable from public networks must have firewall rules: IP rules, or virtual network filtering with at least one virtual network rule, or an approved private endpoint connection. Otherwise every address can reach it (Azure Policy Cosmos_NetworkRulesExist).",
    remediationSteps:
        "Set publicNetworkAccess: \"Disabled\", or add ipRules: [{ ipAddressOrRange: \"<specific CIDR>\" }] (and/or isVirtualNetworkFilterEnabled: true with virtualNetworkRules).",
    severity: "high",
    anchors: "AP Cosmos_NetworkRulesExist; CKV_AZURE_99",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const p = props as CosmosProps;
        if (eqi(p.publicNetworkAccess, "Disabled")) return;
        const ipRules = arr<unknown>(p.ipRules).filter((r) => isObj(r) && str(r["ipAddressOrRange"]) !== undefined && str(r["ipAddressOrRange"])!.trim() !== "");
        const vnet = isTrue(p.isVirtualNetworkFilterEnabled) && arr(p.virtualNetworkRules).length > 0;
        const approvedPe = arr<unknown>((p as Record<string, unknown>)["privateEndpointConnections"]).some(
            (c) => isObj(c) && eqi((c["privateLinkServiceConnectionState"] as Record<string, unknown> | undefined)?.["status"], "Approved"),
        );
        if (ipRules.length === 0 && !vnet && !approvedPe) {
            report(
                `the account is public (publicNetworkAccess ${show(p.publicNetworkAccess)}) with no IP rules, no virtual network rules and no approved private endpoint: every address can reach it.`,
            );
        }
    },
});
