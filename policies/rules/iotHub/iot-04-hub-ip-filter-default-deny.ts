/** IOT-04, rule family `iotHubNetwork` (the family's notes and sources: policies/policies.ts). */
import { coversInternet, parseIpv4Cidr } from "../../lib/cidr";
import { resourceRule } from "../../lib/define";
import { hasAnyIpFilter, type HubProperties, type HubProps } from "../../lib/rules/iotHubNetwork";
import { arr, eqi, isObj, isTrue, lower, obj, show } from "../../lib/values";

const MIN_PREFIX_SCHEMA = {
    type: "integer" as const,
    minimum: 0,
    maximum: 32,
    default: 8,
    description:
        "Smallest CIDR prefix length an allow rule may have: a rule wider than this (e.g. /0, /4) is not a specific allow-list entry.",
};

export const iot04IpFilter = resourceRule<{ minPrefixLength: number }>({
    id: "IOT-04",
    name: "iot-04-hub-ip-filter-default-deny",
    description:
        "When IoT Hub public access is enabled, its IP filter must deny by default (networkRuleSets.defaultAction \"Deny\", also applied to the built-in Event Hub endpoint) and allow only specific address ranges: at least one specific Allow rule and no rule that allows 0.0.0.0/0 or a range wider than the configured prefix. Legacy ipFilterRules must not Accept such ranges either.",
    remediationSteps:
        "Set properties.networkRuleSets = { defaultAction: \"Deny\", applyToBuiltInEventHubEndpoint: true, ipRules: [{ filterName: \"<name>\", action: \"Allow\", ipMask: \"<specific CIDR>\" }] } and remove any Allow/Accept rule for 0.0.0.0/0.",
    severity: "high",
    anchors: "beyond (seed: allowlist/blocklist)",
    kinds: ["iotHub"],
    config: { minPrefixLength: MIN_PREFIX_SCHEMA },
    validate(props, { config, report }) {
        const p = obj((props as HubProps).properties);
        if (lower(p.publicNetworkAccess) === "disabled") return;
        if (!hasAnyIpFilter(p)) return; // IOT-02 reports a public hub without any filter.
        const minPrefix = config.minPrefixLength;

        // Legacy ipFilterRules: first match wins; no match means accepted.
        const legacy = arr<unknown>(p.ipFilterRules).filter(isObj);
        legacy.forEach((rule, i) => {
            const action = lower(rule["action"]);
            const range = parseIpv4Cidr(rule["ipMask"]);
            if (range === undefined) {
                report(`ipFilterRules[${i}].ipMask ${show(rule["ipMask"])} is not an IPv4 address or CIDR range.`);
            } else if (action === "accept" && range.prefix < minPrefix) {
                report(
                    `ipFilterRules[${i}] accepts ${range.text}${coversInternet(range) ? " (the whole internet)" : ""}; accept rules must name specific ranges (prefix /${minPrefix} or longer).`,
                );
            }
        });

        const nrs = p.networkRuleSets;
        if (!isObj(nrs)) {
            // Only legacy rules: effective only when they end with a Reject of every address.
            const last = legacy[legacy.length - 1];
            const lastRange = last ? parseIpv4Cidr(last["ipMask"]) : undefined;
            if (!(last && lower(last["action"]) === "reject" && lastRange && coversInternet(lastRange))) {
                report(
                    "the hub has only legacy ipFilterRules without a final Reject of 0.0.0.0/0, so connections that match no rule are accepted. Use networkRuleSets with defaultAction \"Deny\".",
                );
            }
            return;
        }
        const rs = obj(nrs as HubProperties["networkRuleSets"]);
        // The SDK and ARM default defaultAction to "Deny" when networkRuleSets is given.
        if (rs.defaultAction !== undefined && !eqi(rs.defaultAction, "Deny")) {
            report(`networkRuleSets.defaultAction is ${show(rs.defaultAction)}; it must be "Deny".`);
        }
        if (!isTrue(rs.applyToBuiltInEventHubEndpoint)) {
            report(
                `networkRuleSets.applyToBuiltInEventHubEndpoint is ${show(rs.applyToBuiltInEventHubEndpoint)}; it must be true, or the built-in Event Hub-compatible endpoint stays open to every address.`,
            );
        }
        let specificAllows = 0;
        arr<unknown>(rs.ipRules).forEach((rule, i) => {
            if (!isObj(rule)) {
                report(`networkRuleSets.ipRules[${i}] is ${show(rule)}, not a rule.`);
                return;
            }
            const range = parseIpv4Cidr(rule["ipMask"]);
            // The SDK defaults a rule's action to "Allow".
            const allow = rule["action"] === undefined || eqi(rule["action"], "Allow");
            if (range === undefined) {
                report(`networkRuleSets.ipRules[${i}].ipMask ${show(rule["ipMask"])} is not an IPv4 address or CIDR range.`);
            } else if (allow && range.prefix < minPrefix) {
                report(
                    `networkRuleSets.ipRules[${i}] (${show(rule["filterName"])}) allows ${range.text}${coversInternet(range) ? " (the whole internet)" : ""}; allow rules must name specific ranges (prefix /${minPrefix} or longer).`,
                );
            } else if (allow) {
                specificAllows++;
            }
        });
        if (specificAllows === 0) {
            report("networkRuleSets.ipRules has no specific Allow rule: name the address ranges devices connect from.");
        }
    },
});
