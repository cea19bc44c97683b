/** FUNC-02, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { WebAppProps } from "../../lib/rules/functionApp";
import { num, obj, show } from "../../lib/values";

function tlsAtLeast12(v: unknown): boolean {
    const n = num(v);
    return n !== undefined && n >= 1.2;
}

export const func02MinTls = resourceRule({
    id: "FUNC-02",
    name: "func-02-app-min-tls-12",
    description:
        "Function and web apps must require TLS 1.2 or later on the app (siteConfig.minTlsVersion) and on its SCM (deployment) site (siteConfig.scmMinTlsVersion), stated in the program: siteConfig is not returned by reads, so an absent value is whatever the platform default of the day is (Azure Policy \"Function apps should use the latest TLS version\", f9d614c5-c173-4d56-95a7-b4437057d193, requires 1.2 or later).",
    remediationSteps: "Set siteConfig.minTlsVersion: \"1.2\" and siteConfig.scmMinTlsVersion: \"1.2\" (or \"1.3\").",
    severity: "high",
    anchors: "AP \"Function apps should use the latest TLS version\" (f9d614c5-c173-4d56-95a7-b4437057d193)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const sc = obj((props as WebAppProps).siteConfig);
        for (const key of ["minTlsVersion", "scmMinTlsVersion"] as const) {
            const v = sc[key];
            if (!tlsAtLeast12(v)) report(`siteConfig.${key} is ${show(v)}; it must be "1.2" or later${key === "scmMinTlsVersion" ? " (the SCM site receives deployments)" : ""}.`);
        }
    },
});
