/** DPS-07, rule family `dps` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { dpsApiHasLocalAuthSwitch, type DpsArmProps } from "../../lib/rules/dps";
import { needValue } from "../../lib/unknowns";
import { isTrue, obj, show } from "../../lib/values";

export const dps07LocalAuth = resourceRule({
    id: "DPS-07",
    name: "dps-07-local-auth-disabled",
    description:
        "A Device Provisioning Service must turn local (shared access key) authentication off (properties.disableLocalAuth = true) where its API version offers the switch, so no SAS key works on its service API and enrollments are managed with Entra ID RBAC. The switch exists from API 2026-06-01-preview on (\"Disables all authentication methods other than Azure RBAC\", default false: azure-rest-api-specs DeviceProvisioningServices models.tsp and examples 2026-06-01-preview/DPSCreate_DisableLocalAuthTrue.json, 2026-08-01/DPSCreate_DisableLocalAuthFalse.json); the generic resource's apiVersion says which applies. The typed IotDpsResource of @pulumi/azure-native 3.28.0 (API 2023-03-01-preview) has no switch; there the SAS-policy rule of DPS-07 applies alone.",
    remediationSteps:
        "On the DPS (azure-native:resources:Resource at API 2026-08-01) set properties.disableLocalAuth: true and properties.authorizationPolicies: []; grant enrollment managers the Device Provisioning Service Data Contributor role.",
    severity: "high",
    anchors: "azure-rest-api-specs DPSCreate_DisableLocalAuthTrue (2026-06-01-preview)",
    kinds: ["dps"],
    validate(props, { resolved, report }) {
        if (resolved === undefined) return;
        if (!resolved.apiVersion.known) {
            needValue(props, "apiVersion"); // unknown at preview: CrossGuard reports the rule could not run
            return;
        }
        const version = resolved.apiVersion.value;
        if (version === undefined) return; // a typed class of an older SDK: no switch
        const offered = dpsApiHasLocalAuthSwitch(version);
        if (offered === undefined) {
            report(`apiVersion ${show(version)} is not an ARM API version (YYYY-MM-DD or YYYY-MM-DD-preview).`);
            return;
        }
        if (!offered) return;
        const p = obj((props as DpsArmProps).properties);
        if (isTrue(p.disableLocalAuth)) return;
        report(
            `properties.disableLocalAuth is ${show(p.disableLocalAuth)}${p.disableLocalAuth === undefined ? " (false, the API's default)" : ""} at API ${version}: the DPS service API accepts shared access keys. Set it to true and use Entra ID RBAC.`,
        );
    },
});
