/** AAD-08, rule family `entraApplications` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { RegProps } from "../../lib/rules/entraApplications";
import { lower, show } from "../../lib/values";

export const aad08SignInAudience = resourceRule<{ allowedSignInAudiences: string[] }>({
    id: "AAD-08",
    name: "aad-08-single-tenant-audience",
    description:
        "Applications must be single-tenant (signInAudience AzureADMyOrg, the provider default when absent) unless the stack's policy config allows another audience.",
    remediationSteps: "Set signInAudience: \"AzureADMyOrg\", or add the audience to allowedSignInAudiences after review.",
    severity: "medium",
    anchors: "MS",
    kinds: ["aadApplication", "aadApplicationRegistration"],
    config: {
        allowedSignInAudiences: {
            type: "array",
            items: { type: "string", enum: ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"] },
            default: ["AzureADMyOrg"],
            description: "Allowed signInAudience values.",
        },
    },
    validate(props, { config, report }) {
        const v = (props as RegProps).signInAudience;
        if (v === undefined || v === null) return;
        const s = lower(v);
        if (!config.allowedSignInAudiences.some((a) => a.toLowerCase() === s)) {
            report(`signInAudience is ${show(v)}; allowed: ${config.allowedSignInAudiences.join(", ")}.`);
        }
    },
});
