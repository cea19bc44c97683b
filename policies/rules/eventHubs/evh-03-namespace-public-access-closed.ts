/** EVH-03, rule family `eventHubs` (the family's notes and sources: policies/policies.ts). */
import { coversInternet, parseIpv4Cidr } from "../../lib/cidr";
import { stackRule } from "../../lib/define";
import { StackGraph } from "../../lib/graph";
import { namespacePosture } from "../../lib/networkPosture";
import { show } from "../../lib/values";

export const evh03PublicAccess = stackRule<{ minPrefixLength: number }>({
    id: "EVH-03",
    name: "evh-03-namespace-public-access-closed",
    description:
        "Event Hubs namespaces must be closed to public networks: publicNetworkAccess \"Disabled\" (private endpoints only), or \"Enabled\" only as \"selected networks\" with a network rule set whose defaultAction is \"Deny\", trustedServiceAccessEnabled true (the exception that lets IoT Hub route in) and no IP rule wider than the configured prefix. The namespace's publicNetworkAccess and its NamespaceNetworkRuleSet's are one setting (the last write wins, absent = Enabled), so they must agree. Stricter than Azure Policy \"Event Hub Namespaces should disable public network access\" (0602787f-9896-402a-a6e1-39ee63ee435e) only in accepting the trusted-services configuration that IoT Hub routing needs.",
    remediationSteps:
        "Either set publicNetworkAccess: \"Disabled\" on the namespace (and on its NamespaceNetworkRuleSet, if declared) and read through a private endpoint (EVH-05), or declare eventhub.NamespaceNetworkRuleSet { namespaceName, publicNetworkAccess: \"Enabled\", defaultAction: \"Deny\", trustedServiceAccessEnabled: true, ipRules: [only specific ranges] } with the same publicNetworkAccess on the namespace.",
    severity: "high",
    anchors: "AP \"Event Hub Namespaces should disable public network access\" (0602787f-9896-402a-a6e1-39ee63ee435e); MS Event Hubs IP firewall docs",
    config: {
        minPrefixLength: {
            type: "integer",
            minimum: 0,
            maximum: 32,
            default: 8,
            description: "Smallest CIDR prefix length an IP rule of the namespace may have.",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending: Array<() => unknown> = [];
        for (const ns of graph.of("eventHubNamespace")) {
            const who = `Event Hubs namespace '${String(ns.name)}'`;
            const posture = namespacePosture(graph, ns, "eventHubNamespace", "eventHubNetworkRuleSet");
            const distinct = [...new Set(posture.accessSettings.map((a) => a.value))];
            if (distinct.length > 1) {
                report(
                    `${who}: publicNetworkAccess differs between ${posture.accessSettings.map((a) => `${a.where} (${a.value})`).join(" and ")}; they are one setting (absent = Enabled, the SDK and API default), so the namespace may end up public. Set the same value in both places.`,
                    ns.urn,
                );
            }
            if (posture.publicNetworkAccess === "unknown") {
                pending.push(...posture.pending);
                continue;
            }
            if (posture.publicNetworkAccess === "disabled") continue;
            if (posture.publicNetworkAccess !== "enabled") {
                report(`${who}: publicNetworkAccess is ${posture.publicNetworkAccess}; a network security perimeter's rules are not part of the program, so the namespace cannot be shown closed. Use "Disabled", or "Enabled" with a Deny rule set.`, ns.urn);
                continue;
            }
            if (posture.ruleSets.length === 0) {
                report(`${who}: public network access is Enabled and no NamespaceNetworkRuleSet restricts it: every address can reach the namespace. Disable public access, or add a rule set with defaultAction "Deny" and trustedServiceAccessEnabled true.`, ns.urn);
                continue;
            }
            pending.push(...posture.pending);
            if (posture.defaultAction !== "deny") {
                report(`${who}: public network access is Enabled and the network rule set's defaultAction is not "Deny" (absent = Allow): every address can reach the namespace.`, ns.urn);
            }
            if (!posture.trustedServiceAccessEnabled) {
                report(`${who}: public network access is Enabled without trustedServiceAccessEnabled; "selected networks" is accepted only as the trusted-services configuration (IoT Hub reaches the namespace through that exception), otherwise disable public access.`, ns.urn);
            }
            for (const rule of posture.ipRules) {
                const where = `${who}: rule set '${String(rule.ruleSet.name)}' ipRules[${rule.index}]`;
                if (rule.mask === undefined) continue; // unknown (pending) or missing: the API rejects a rule without ipMask
                const range = parseIpv4Cidr(rule.mask);
                if (range === undefined) report(`${where}.ipMask ${show(rule.mask)} is not an IPv4 address or CIDR range.`, ns.urn);
                else if (range.prefix < config.minPrefixLength) {
                    report(`${where} allows ${range.text}${coversInternet(range) ? " (the whole internet)" : ""}; IP rules must name specific ranges (prefix /${config.minPrefixLength} or longer).`, ns.urn);
                }
            }
        }
        for (const p of pending) p();
    },
});
