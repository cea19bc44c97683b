/** FUNC-06, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { WebAppProps } from "../../lib/rules/functionApp";
import { bool, obj, show } from "../../lib/values";

export const func06RemoteDebugging = resourceRule({
    id: "FUNC-06",
    name: "func-06-app-remote-debugging-off",
    description:
        "Function and web apps must not enable remote debugging (siteConfig.remoteDebuggingEnabled true opens debugger ports on the app). Absent passes: the platform default is off (Azure Policy \"Function apps should have remote debugging turned off\", 0e60b895-3786-45da-8377-9c6b4b6ac5f9).",
    remediationSteps: "Remove siteConfig.remoteDebuggingEnabled or set it to false.",
    severity: "medium",
    anchors: "AP \"Function apps should have remote debugging turned off\" (0e60b895-3786-45da-8377-9c6b4b6ac5f9)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const v = obj((props as WebAppProps).siteConfig).remoteDebuggingEnabled;
        if (v !== undefined && v !== null && bool(v) !== false) report(`siteConfig.remoteDebuggingEnabled is ${show(v)}; remote debugging must stay off.`);
    },
});
