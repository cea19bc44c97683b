/** DPS-01, rule family `dps` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { DpsProps } from "../../lib/rules/dps";
import { arr, lower, obj, show } from "../../lib/values";

export const dps01PublicAccess = resourceRule({
    id: "DPS-01",
    name: "dps-01-public-network-access",
    description:
        "Device Provisioning Service public network access must be disabled, or restricted by IP filter rules (DPS-03). Azure Policy treats an absent publicNetworkAccess as Enabled; a public DPS without IP filter rules accepts every address.",
    remediationSteps:
        "Set properties.publicNetworkAccess: \"Disabled\" and use a private endpoint (DPS-02), or keep it \"Enabled\" and add properties.ipFilterRules: accepted device ranges followed by { filterName: \"reject-all\", action: \"Reject\", ipMask: \"0.0.0.0/0\" }.",
    severity: "high",
    anchors: "AP IoTDps_DisablePublicNetworkAccess",
    kinds: ["dps"],
    validate(props, { report }) {
        const p = obj((props as DpsProps).properties);
        const access = lower(p.publicNetworkAccess);
        if (access === "disabled") return;
        if (arr(p.ipFilterRules).length === 0) {
            report(
                `publicNetworkAccess is ${access === undefined ? "absent (Enabled)" : show(p.publicNetworkAccess)} and there are no ipFilterRules: every address can reach the DPS. Disable public access or add an IP allow list (DPS-03).`,
            );
        }
    },
});
