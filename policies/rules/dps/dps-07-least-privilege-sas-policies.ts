/** DPS-07, rule family `dps` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { DpsProps } from "../../lib/rules/dps";
import { DPS_RIGHTS, hasRight, readSasPolicies } from "../../lib/sas";
import { lower, obj, show } from "../../lib/values";

export const dps07SasPolicies = resourceRule<{ allowedRights: string[] }>({
    id: "DPS-07",
    name: "dps-07-least-privilege-sas-policies",
    description:
        "Device Provisioning Service shared access policies must be least privilege: the list is set explicitly (absent, Azure creates provisioningserviceowner with every right); no policy named provisioningserviceowner or holding all six rights; rights only from the configured allow list (ServiceConfig, which can relink hubs, is excluded by default).",
    remediationSteps:
        "Set properties.authorizationPolicies: [] and manage enrollments with Entra ID RBAC (Device Provisioning Service Data Contributor), or keep only narrowly scoped policies.",
    severity: "high",
    anchors: "beyond",
    kinds: ["dps"],
    config: {
        allowedRights: {
            type: "array",
            items: { type: "string", enum: [...DPS_RIGHTS] },
            default: ["EnrollmentRead", "EnrollmentWrite", "RegistrationStatusRead", "RegistrationStatusWrite", "DeviceConnect"],
            description: "Rights a DPS SAS policy may hold.",
        },
    },
    validate(props, { config, report }) {
        const p = obj((props as DpsProps).properties);
        const raw = p.authorizationPolicies;
        if (raw === undefined || raw === null) {
            report(
                "properties.authorizationPolicies is absent: Azure then creates provisioningserviceowner with every right. Set the list explicitly ([] when nothing needs a key).",
            );
            return;
        }
        if (!Array.isArray(raw)) {
            report(`properties.authorizationPolicies is ${show(raw)}, not a list.`);
            return;
        }
        const allowed = config.allowedRights.map((r) => r.toLowerCase());
        for (const pol of readSasPolicies(raw, DPS_RIGHTS)) {
            const name = show(pol.keyName);
            if (lower(pol.keyName) === "provisioningserviceowner") report(`policy ${name} is the owner policy; remove it.`);
            if (pol.rights.length === 0) report(`policy ${name} has no rights (${show(pol.raw["rights"])}).`);
            if (DPS_RIGHTS.every((r) => hasRight(pol.rights, r))) report(`policy ${name} holds all six rights.`);
            const extra = pol.rights.filter((r) => !allowed.includes(r.toLowerCase()));
            if (extra.length > 0) {
                report(`policy ${name} has rights outside the allow list (${config.allowedRights.join(", ") || "none"}): ${extra.join(", ")}.`);
            }
        }
    },
});
