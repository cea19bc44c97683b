/** IOT-02, rule family `iotHubNetwork` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { hasAnyIpFilter, type HubProps } from "../../lib/rules/iotHubNetwork";
import { lower, obj, show } from "../../lib/values";

export const iot02PublicAccess = resourceRule({
    id: "IOT-02",
    name: "iot-02-hub-public-network-access",
    description:
        "IoT Hub public network access must be disabled, or, where devices connect over the internet, restricted by an IP filter (IOT-04). Azure Policy treats an absent publicNetworkAccess as Enabled.",
    remediationSteps:
        "Either set properties.publicNetworkAccess: \"Disabled\" and reach the hub through a private endpoint (IOT-03), or keep it \"Enabled\" and add properties.networkRuleSets { defaultAction: \"Deny\", applyToBuiltInEventHubEndpoint: true, ipRules: [{ filterName, action: \"Allow\", ipMask: \"<device egress CIDR>\" }] }.",
    severity: "high",
    anchors: "AP IoTHub_DisablePublicNetworkAccess; CKV_AZURE_108; AVM",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const p = obj((props as HubProps).properties);
        const access = lower(p.publicNetworkAccess);
        if (access === "disabled") return;
        if (!hasAnyIpFilter(p)) {
            report(
                `publicNetworkAccess is ${access === undefined ? "absent (Enabled)" : show(p.publicNetworkAccess)} and the hub has no IP filter (networkRuleSets / ipFilterRules): every address on the internet can reach it. Disable public access or add an IP filter that denies by default (IOT-04).`,
            );
        }
    },
});
