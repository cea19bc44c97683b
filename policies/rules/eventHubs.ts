/**
 * Event Hubs namespaces of the telemetry path (IoT Hub routes device messages to an event hub; the
 * ingest function reads them): EVH-01 (local auth off), EVH-02 (TLS 1.2), EVH-03 (public network
 * access closed, stack rule over the namespace and its network rule set), EVH-04 (no SAS
 * authorization rules), EVH-05 (private endpoint for the readers).
 *
 * Azure Policy built-ins (Azure/azure-policy, built-in-policies/policyDefinitions/Event Hub/):
 * DisableLocalAuth_AuditDeny.json, AuditPublicNetworkAccess.json, AuditNamespaceAccessRules_Audit.json,
 * PrivateEndpoint_Audit.json. The TLS setting has no built-in; its meaning is in MicrosoftDocs/azure-docs
 * articles/event-hubs/transport-layer-security-enforce-minimum-version.md.
 */
import type { NamespaceArgs } from "@pulumi/azure-native/eventhub";
import type { Unwrap } from "@pulumi/pulumi";
import { coversInternet, parseIpv4Cidr } from "../lib/cidr";
import { resourceRule, stackRule } from "../lib/define";
import { StackGraph } from "../lib/graph";
import { namespacePosture } from "../lib/networkPosture";
import { isTrue, num, show, str, strings } from "../lib/values";
import { privateEndpointRule } from "./privateNetworking";

export type EventHubNamespaceProps = Unwrap<NamespaceArgs>;

export const evh01LocalAuth = resourceRule({
    id: "EVH-01",
    name: "evh-01-namespace-local-auth-disabled",
    description:
        "Event Hubs namespaces must not accept SAS keys (disableLocalAuth = true): IoT Hub sends and the ingest function reads with Entra ID identities and the Azure Event Hubs Data Sender / Data Receiver roles. Absent means SAS authentication is on (Azure Policy \"Azure Event Hub namespaces should have local authentication methods disabled\", 5d4e3c65-4873-47be-94f3-6f8b953a3598, flags anything but true).",
    remediationSteps:
        "Set disableLocalAuth: true on the eventhub.Namespace, route from IoT Hub with authenticationType \"identityBased\" and grant the readers Azure Event Hubs Data Receiver instead of connection strings.",
    severity: "high",
    anchors: "AP \"Azure Event Hub namespaces should have local authentication methods disabled\" (5d4e3c65-4873-47be-94f3-6f8b953a3598)",
    kinds: ["eventHubNamespace"],
    validate(props, { report }) {
        const v = (props as EventHubNamespaceProps).disableLocalAuth;
        if (!isTrue(v)) {
            report(`disableLocalAuth is ${show(v)}${v === undefined ? " (SAS authentication on)" : ""}; it must be true so only Entra ID identities can send and read.`);
        }
    },
});

export const evh02MinTls = resourceRule({
    id: "EVH-02",
    name: "evh-02-namespace-min-tls-12",
    description:
        "Event Hubs namespaces must require TLS 1.2 or later (minimumTlsVersion = \"1.2\"). Absent, the namespace still accepts TLS 1.0 and 1.1 for backward compatibility (MicrosoftDocs/azure-docs articles/event-hubs/transport-layer-security-enforce-minimum-version.md).",
    remediationSteps: "Set minimumTlsVersion: \"1.2\" on the eventhub.Namespace.",
    severity: "high",
    anchors: "MS Event Hubs minimum TLS docs (no built-in policy)",
    kinds: ["eventHubNamespace"],
    validate(props, { report }) {
        const v = (props as EventHubNamespaceProps).minimumTlsVersion;
        const n = num(v);
        if (n === undefined || n < 1.2) {
            report(`minimumTlsVersion is ${show(v)}${v === undefined ? " (TLS 1.0 and 1.1 still accepted)" : ""}; it must be "1.2".`);
        }
    },
});

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

export const evh04NoSasRules = resourceRule({
    id: "EVH-04",
    name: "evh-04-no-sas-authorization-rules",
    description:
        "The program must not declare SAS authorization rules on an Event Hubs namespace or event hub (eventhub NamespaceAuthorizationRule, EventHubAuthorizationRule): every sender and reader authenticates with Entra ID (EVH-01), and a rule's keys would be long-lived bearer secrets the moment local auth is turned back on. Stricter than Azure Policy \"All authorization rules except RootManageSharedAccessKey should be removed from Event Hub namespace\" (b278e460-7cfc-4451-8294-cccc40a940d7): the program does not manage RootManageSharedAccessKey either.",
    remediationSteps:
        "Delete the authorization rule resource; grant the sender Azure Event Hubs Data Sender and the reader Azure Event Hubs Data Receiver on the event hub instead.",
    severity: "high",
    anchors: "AP \"All authorization rules except RootManageSharedAccessKey should be removed from Event Hub namespace\" (b278e460-7cfc-4451-8294-cccc40a940d7)",
    kinds: ["eventHubNamespaceAuthRule", "eventHubAuthRule"],
    validate(props, { args, report }) {
        const scope = String(args.type).endsWith(":EventHubAuthorizationRule") ? "event hub" : "namespace";
        const name = str(props["authorizationRuleName"]) ?? String(args.name);
        const rights = strings(props["rights"]);
        report(
            `${scope} SAS authorization rule '${name}'${rights.length > 0 ? ` (${rights.join(", ")})` : ""} is declared; SAS keys are not used on this platform. Remove it and use Entra ID roles.`,
        );
    },
});

export const evh05PrivateEndpoint = privateEndpointRule(
    "EVH-05",
    "evh-05-namespace-private-endpoint",
    "eventHubNamespace",
    "Event Hubs namespace",
    "namespace",
    "always",
    "AP \"Event Hub namespaces should use private link\" (b8564268-eb4a-4337-89be-a19db070c59d)",
);

export const eventHubPolicies = [evh01LocalAuth, evh02MinTls, evh03PublicAccess, evh04NoSasRules, evh05PrivateEndpoint];
