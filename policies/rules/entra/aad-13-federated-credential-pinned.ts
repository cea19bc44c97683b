/** AAD-13, rule family `entraApplications` (the family's notes and sources: policies/policies.ts). */
import type { ApplicationFederatedIdentityCredentialArgs } from "@pulumi/azuread/applicationFederatedIdentityCredential";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule } from "../../lib/define";
import { safeRegex } from "../../lib/rules/entraApplications";
import { show, str, strings } from "../../lib/values";

export const aad13FederatedCredential = resourceRule<{ allowedIssuers: string[]; subjectPatterns: string[] }>({
    id: "AAD-13",
    name: "aad-13-federated-credential-pinned",
    description:
        "Federated identity credentials (CI login by OIDC) must be pinned: audience exactly api://AzureADTokenExchange, an allowed issuer, and a subject without wildcards that matches an allowed pattern (by default a GitHub environment or branch of one repository).",
    remediationSteps:
        "Set issuer \"https://token.actions.githubusercontent.com\", audiences [\"api://AzureADTokenExchange\"] and subject \"repo:<org>/<repo>:environment:<env>\".",
    severity: "high",
    anchors: "CKV_AZURE_249",
    kinds: ["aadFederatedCredential"],
    config: {
        allowedIssuers: {
            type: "array",
            items: { type: "string" },
            default: ["https://token.actions.githubusercontent.com"],
            description: "Allowed OIDC issuers.",
        },
        subjectPatterns: {
            type: "array",
            items: { type: "string" },
            default: ["^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:(environment:[A-Za-z0-9_.-]+|ref:refs/heads/[A-Za-z0-9_./-]+)$"],
            description: "Regular expressions a subject must match.",
        },
    },
    validate(props, { config, report }) {
        const p = props as Unwrap<ApplicationFederatedIdentityCredentialArgs>;
        const audiences = strings(p.audiences);
        if (!(audiences.length === 1 && audiences[0] === "api://AzureADTokenExchange")) {
            report(`audiences is ${show(p.audiences)}; it must be exactly ["api://AzureADTokenExchange"].`);
        }
        const issuer = str(p.issuer)?.trim();
        if (issuer === undefined || !config.allowedIssuers.includes(issuer)) {
            report(`issuer ${show(p.issuer)} is not an allowed issuer (${config.allowedIssuers.join(", ")}).`);
        }
        const subject = str(p.subject) ?? "";
        if (subject.trim() === "" || subject.includes("*")) {
            report(`subject ${show(p.subject)} is empty or contains a wildcard.`);
        } else if (!config.subjectPatterns.some((pat) => safeRegex(pat)?.test(subject))) {
            report(`subject '${subject}' does not match an allowed pattern (a GitHub environment or branch of one repository).`);
        }
    },
});
