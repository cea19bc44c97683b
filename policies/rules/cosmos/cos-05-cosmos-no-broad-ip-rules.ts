/** COS-05, rule family `cosmosNetwork` (the family's notes and sources: policies/policies.ts). */
import { parseIpv4Cidr } from "../../lib/cidr";
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { arr, isObj, show, str } from "../../lib/values";

export const cos05BroadIpRules = resourceRule<{ minPrefixLength: number }>({
    id: "COS-05",
    name: "cos-05-cosmos-no-broad-ip-rules",
    description:
        "Cosmos DB IP rules must not admit all Azure datacenters (the special 0.0.0.0 entry, Azure Policy Cosmos_NetworkRulesNoAzureDatacenterAccess) nor ranges wider than the configured prefix (0.0.0.0/0, 128.0.0.0/1, ...); every entry must be a valid IPv4 address or CIDR.",
    remediationSteps: "Replace 0.0.0.0 and wide ranges in ipRules with the specific addresses or CIDR ranges that need access.",
    severity: "high",
    anchors: "AP Cosmos_NetworkRulesNoAzureDatacenterAccess",
    kinds: ["cosmosAccount"],
    config: {
        minPrefixLength: {
            type: "integer",
            minimum: 0,
            maximum: 32,
            default: 8,
            description: "Smallest CIDR prefix length an IP rule may have (the baseline forbids /0 and /1).",
        },
    },
    validate(props, { config, report }) {
        const p = props as CosmosProps;
        arr<unknown>(p.ipRules).forEach((rule, i) => {
            const value = isObj(rule) ? rule["ipAddressOrRange"] : rule;
            const text = str(value)?.trim();
            if (text === "0.0.0.0") {
                report(`ipRules[${i}] is 0.0.0.0, which admits connections from all Azure datacenters.`);
                return;
            }
            const range = parseIpv4Cidr(text);
            if (range === undefined) {
                report(`ipRules[${i}].ipAddressOrRange ${show(value)} is not an IPv4 address or CIDR range.`);
            } else if (range.prefix < config.minPrefixLength) {
                report(`ipRules[${i}] admits ${range.text}; ranges must be /${config.minPrefixLength} or narrower.`);
            }
        });
    },
});
