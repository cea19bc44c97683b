/** EVH-01, rule family `eventHubs` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { EventHubNamespaceProps } from "../../lib/rules/eventHubs";
import { isTrue, show } from "../../lib/values";

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
