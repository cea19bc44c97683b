/** FUNC-07, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { httpFunctionsTag, type WebAppProps } from "../../lib/rules/functionApp";
import { eqi, show } from "../../lib/values";

export const func07PublicNetworkAccess = resourceRule<{ requireDisabled: boolean }>({
    id: "FUNC-07",
    name: "func-07-app-public-network-access",
    description:
        "Function apps must disable public network access (publicNetworkAccess = \"Disabled\", which closes the app and its SCM site to the internet; absent is Enabled) when the stack's policy config says so (requireDisabled): an Event Hubs-triggered function needs no inbound traffic, but a deployment from a runner outside the virtual network needs the SCM site, so development stacks report this as advice (Azure Policy \"Function apps should disable public network access\", 969ac98b-88a8-449f-883c-2e9adb123127). An app tagged httpFunctions \"true\" serves a public API (the mobile app calls it over the internet) and is exempt: FUNC-11 requires App Service authentication in front of it instead.",
    remediationSteps:
        "Set publicNetworkAccess: \"Disabled\" and deploy from inside the virtual network (a private endpoint for the app, groupId \"sites\", and a self-hosted runner), or set requireDisabled: false for a stack deployed from the internet.",
    severity: "medium",
    anchors: "AP \"Function apps should disable public network access\" (969ac98b-88a8-449f-883c-2e9adb123127)",
    kinds: ["webApp"],
    config: {
        requireDisabled: {
            type: "boolean",
            default: true,
            description: "Require publicNetworkAccess \"Disabled\" on apps.",
        },
    },
    validate(props, { config, report }) {
        if (!config.requireDisabled) return;
        if (httpFunctionsTag(props) === "true") return; // a public API: FUNC-11 guards it
        const v = (props as WebAppProps).publicNetworkAccess;
        if (!eqi(v, "Disabled")) report(`publicNetworkAccess is ${show(v)}${v === undefined || v === "" ? " (Enabled)" : ""}; the stack requires "Disabled".`);
    },
});
