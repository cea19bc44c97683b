/** EVH-02, rule family `eventHubs` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { EventHubNamespaceProps } from "../../lib/rules/eventHubs";
import { num, show } from "../../lib/values";

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
