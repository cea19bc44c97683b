/** DPS-03, rule family `dps` (the family's notes and sources: policies/policies.ts). */
import { coversInternet, parseIpv4Cidr } from "../../lib/cidr";
import { resourceRule } from "../../lib/define";
import type { DpsProps } from "../../lib/rules/dps";
import { arr, isObj, lower, obj, show } from "../../lib/values";

export const dps03IpFilter = resourceRule<{ minPrefixLength: number }>({
    id: "DPS-03",
    name: "dps-03-ip-filter-scoped",
    description:
        "When the Device Provisioning Service is public, its IP filter rules must form an allow list: no Accept of 0.0.0.0/0 or of a range wider than the configured prefix, and a final Reject of 0.0.0.0/0 for all targets (DPS has no default action, so without it unmatched connections are accepted).",
    remediationSteps:
        "List the device egress ranges as Accept rules and end properties.ipFilterRules with { filterName: \"reject-all\", action: \"Reject\", ipMask: \"0.0.0.0/0\", target: \"all\" }.",
    severity: "high",
    anchors: "beyond",
    kinds: ["dps"],
    config: {
        minPrefixLength: {
            type: "integer",
            minimum: 0,
            maximum: 32,
            default: 8,
            description: "Smallest CIDR prefix length an Accept rule may have.",
        },
    },
    validate(props, { config, report }) {
        const p = obj((props as DpsProps).properties);
        if (lower(p.publicNetworkAccess) === "disabled") return;
        const rules = arr<unknown>(p.ipFilterRules);
        if (rules.length === 0) return; // DPS-01 reports a public DPS without rules.
        rules.forEach((rule, i) => {
            if (!isObj(rule)) {
                report(`ipFilterRules[${i}] is ${show(rule)}, not a rule.`);
                return;
            }
            const range = parseIpv4Cidr(rule["ipMask"]);
            if (range === undefined) {
                report(`ipFilterRules[${i}].ipMask ${show(rule["ipMask"])} is not an IPv4 address or CIDR range.`);
            } else if (lower(rule["action"]) === "accept" && range.prefix < config.minPrefixLength) {
                report(
                    `ipFilterRules[${i}] (${show(rule["filterName"])}) accepts ${range.text}${coversInternet(range) ? " (the whole internet)" : ""}; accept rules must name specific ranges (prefix /${config.minPrefixLength} or longer).`,
                );
            }
        });
        const last = rules[rules.length - 1];
        const lastRange = isObj(last) ? parseIpv4Cidr(last["ipMask"]) : undefined;
        const lastTarget = isObj(last) ? lower(last["target"]) : undefined;
        const closes =
            isObj(last) &&
            lower(last["action"]) === "reject" &&
            lastRange !== undefined &&
            coversInternet(lastRange) &&
            (lastTarget === undefined || lastTarget === "all");
        if (!closes) {
            report(
                "ipFilterRules does not end with a Reject of 0.0.0.0/0 for all targets: DPS accepts connections that match no rule, so the list restricts nothing.",
            );
        }
    },
});
