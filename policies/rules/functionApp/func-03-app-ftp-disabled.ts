/** FUNC-03, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { WebAppProps } from "../../lib/rules/functionApp";
import { eqi, obj, show } from "../../lib/values";

export const func03FtpDisabled = resourceRule({
    id: "FUNC-03",
    name: "func-03-app-ftp-disabled",
    description:
        "Function and web apps must turn FTP and FTPS off (siteConfig.ftpsState = \"Disabled\"): deployments go through the SCM site with Entra ID, never FTP. Absent is the platform default, which allows FTP. Stricter than Azure Policy \"Function apps should require FTPS only\" (399b2637-a50f-4f95-96f8-3a145476eb15), which also accepts FtpsOnly.",
    remediationSteps: "Set siteConfig.ftpsState: \"Disabled\".",
    severity: "medium",
    anchors: "AP \"Function apps should require FTPS only\" (399b2637-a50f-4f95-96f8-3a145476eb15)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const v = obj((props as WebAppProps).siteConfig).ftpsState;
        if (!eqi(v, "Disabled")) report(`siteConfig.ftpsState is ${show(v)}${v === undefined ? " (platform default, FTP allowed)" : ""}; it must be "Disabled".`);
    },
});
