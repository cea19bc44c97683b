/** EVH-04, rule family `eventHubs` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { str, strings } from "../../lib/values";

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
