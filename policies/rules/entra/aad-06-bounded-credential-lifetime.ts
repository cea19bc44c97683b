/** AAD-06, rule family `entraApplications` (the family's notes and sources: policies/policies.ts). */
import type { ApplicationCertificateArgs } from "@pulumi/azuread/applicationCertificate";
import type { ApplicationPasswordArgs } from "@pulumi/azuread/applicationPassword";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule } from "../../lib/define";
import { goDurationDays } from "../../lib/rules/entraApplications";
import { isKind } from "../../lib/tokens";
import { show, str } from "../../lib/values";
import { DAY_MS, parseCertificate } from "../../lib/x509";

const PASSWORD_DEFAULT_DAYS = 730; // azuread provider default: two years

export const aad06CredentialLifetime = resourceRule<{ maxLifetimeDays: number }>({
    id: "AAD-06",
    name: "aad-06-bounded-credential-lifetime",
    description:
        "Application and service principal credentials (certificates and, where they exist at all, passwords) must expire within the configured number of days from their start: endDate, endDateRelative, or for a certificate without either the certificate's own expiry; a password without an end date gets the provider's two-year default.",
    remediationSteps: "Set endDate (or use a certificate whose validity is within the limit) and rotate before it expires.",
    severity: "medium",
    anchors: "Graph lifetime restrictions",
    kinds: ["aadApplicationCertificate", "aadServicePrincipalCertificate", "aadApplicationPassword", "aadServicePrincipalPassword"],
    config: {
        maxLifetimeDays: { type: "integer", minimum: 1, default: 365, description: "Longest allowed credential lifetime in days." },
    },
    validate(props, { args, config, report }) {
        const p = props as Unwrap<ApplicationCertificateArgs> & Unwrap<ApplicationPasswordArgs>;
        const startText = str(p.startDate);
        const endText = str(p.endDate);
        const relativeText = str(p.endDateRelative);
        const start = startText !== undefined ? new Date(startText) : new Date();
        const startMs = Number.isNaN(start.getTime()) ? Date.now() : start.getTime();
        let days: number | undefined;
        let source: string;
        if (endText !== undefined) {
            const end = new Date(endText);
            if (Number.isNaN(end.getTime())) {
                report(`endDate ${show(p.endDate)} is not a date.`);
                return;
            }
            days = (end.getTime() - startMs) / DAY_MS;
            source = `endDate ${endText}`;
        } else if (p.endDateRelative !== undefined && p.endDateRelative !== null) {
            days = goDurationDays(p.endDateRelative);
            if (days === undefined) {
                report(`endDateRelative ${show(p.endDateRelative)} is not a duration such as 2160h.`);
                return;
            }
            source = `endDateRelative ${relativeText ?? ""}`;
        } else if (isKind(args.type, "aadApplicationCertificate") || isKind(args.type, "aadServicePrincipalCertificate")) {
            const cert = parseCertificate(p.value, str(p.encoding));
            if (cert === undefined) {
                report("the certificate value cannot be parsed and no endDate is set, so its lifetime is unknown.");
                return;
            }
            days = (cert.validTo.getTime() - Math.max(startMs, cert.validFrom.getTime())) / DAY_MS;
            source = `the certificate's expiry ${cert.validTo.toISOString()}`;
        } else {
            days = PASSWORD_DEFAULT_DAYS;
            source = "no end date (provider default of two years)";
        }
        if (days > config.maxLifetimeDays) {
            report(`the credential is valid for ${Math.round(days)} days (${source}); at most ${config.maxLifetimeDays} days are allowed.`);
        }
    },
});
