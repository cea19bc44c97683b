/** STG-05, rule family `storageAccounts` (the family's notes and sources: policies/policies.ts). */
import { coversInternet, parseIpv4Cidr } from "../../lib/cidr";
import { resourceRule } from "../../lib/define";
import type { StorageAccountProps } from "../../lib/rules/storageAccounts";
import { arr, eqi, isObj, obj, show, str } from "../../lib/values";

export const stg05NetworkClosed = resourceRule<{ minPrefixLength: number }>({
    id: "STG-05",
    name: "stg-05-storage-network-closed",
    description:
        "Storage accounts must not be open to every network: publicNetworkAccess \"Disabled\" (Azure Policy \"Storage accounts should disable public network access\", b2982f36-99f2-4db5-8eff-283140c09693), or a networkRuleSet whose defaultAction is \"Deny\" (\"Storage accounts should restrict network access\", 34c877ad-507e-4c82-993e-3452a6e0ad3c; absent networkRuleSet, or one without defaultAction, means Allow) with no IP rule wider than the configured prefix. The Flex Consumption app reaches a closed account through its virtual network integration and the account's private endpoints; a deployment run from outside the network (a hosted CI runner uploading the package) needs the public endpoint, so stacks deployed that way keep this rule advisory.",
    remediationSteps:
        "Set publicNetworkAccess: \"Disabled\" and add blob (and queue/table for host storage) private endpoints in the app's virtual network, or set networkRuleSet: { defaultAction: \"Deny\", bypass: \"AzureServices\", ipRules: [specific ranges] }.",
    severity: "medium",
    anchors: "AP \"Storage accounts should disable public network access\" (b2982f36-99f2-4db5-8eff-283140c09693); AP \"Storage accounts should restrict network access\" (34c877ad-507e-4c82-993e-3452a6e0ad3c)",
    kinds: ["storageAccount"],
    config: {
        minPrefixLength: {
            type: "integer",
            minimum: 0,
            maximum: 32,
            default: 8,
            description: "Smallest CIDR prefix length an IP rule of the account may have.",
        },
    },
    validate(props, { config, report }) {
        const p = props as StorageAccountProps;
        if (eqi(p.publicNetworkAccess, "Disabled")) return;
        const access = p.publicNetworkAccess === undefined ? "absent (Enabled)" : show(p.publicNetworkAccess);
        if (!isObj(p.networkRuleSet)) {
            report(`publicNetworkAccess is ${access} and there is no networkRuleSet (default action Allow): every network can reach the account.`);
            return;
        }
        const rs = obj(p.networkRuleSet);
        if (!eqi(rs.defaultAction, "Deny")) {
            report(`publicNetworkAccess is ${access} and networkRuleSet.defaultAction is ${show(rs.defaultAction)}${rs.defaultAction === undefined ? " (Allow)" : ""}: every network can reach the account.`);
        }
        arr<unknown>(rs.ipRules).forEach((rule, i) => {
            const text = isObj(rule) ? str(rule["iPAddressOrRange"]) : undefined;
            const range = parseIpv4Cidr(text);
            if (range === undefined) report(`networkRuleSet.ipRules[${i}] ${show(text)} is not an IPv4 address or CIDR range.`);
            else if (range.prefix < config.minPrefixLength) {
                report(`networkRuleSet.ipRules[${i}] allows ${range.text}${coversInternet(range) ? " (the whole internet)" : ""}; IP rules must name specific ranges (prefix /${config.minPrefixLength} or longer).`);
            }
        });
    },
});
