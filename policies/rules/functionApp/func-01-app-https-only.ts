/** FUNC-01, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { WebAppProps } from "../../lib/rules/functionApp";
import { isTrue, show } from "../../lib/values";

export const func01HttpsOnly = resourceRule({
    id: "FUNC-01",
    name: "func-01-app-https-only",
    description:
        "Function and web apps must accept HTTPS only (httpsOnly = true; plain HTTP requests are redirected). Absent is false (Azure Policy \"Function apps should only be accessible over HTTPS\", 6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab, flags absent and false).",
    remediationSteps: "Set httpsOnly: true on the web.WebApp.",
    severity: "high",
    anchors: "AP \"Function apps should only be accessible over HTTPS\" (6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const v = (props as WebAppProps).httpsOnly;
        if (!isTrue(v)) report(`httpsOnly is ${show(v)}${v === undefined ? " (false)" : ""}; it must be true.`);
    },
});
