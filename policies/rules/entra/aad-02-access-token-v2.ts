/** AAD-02, rule family `entraApplications` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { AppProps, RegProps } from "../../lib/rules/entraApplications";
import { isKind } from "../../lib/tokens";
import { isObj, num, obj, show, strings } from "../../lib/values";

export const aad02TokenVersion = resourceRule({
    id: "AAD-02",
    name: "aad-02-access-token-v2",
    description:
        "Applications that expose an API must request v2 access tokens (requestedAccessTokenVersion = 2). For ApplicationRegistration an absent value is the provider default 2; for Application the default is 1, so an Application with an api block or identifier URIs must set 2.",
    remediationSteps: "Set requestedAccessTokenVersion: 2 (ApplicationRegistration) or api: { requestedAccessTokenVersion: 2 } (Application).",
    severity: "medium",
    anchors: "MS",
    kinds: ["aadApplication", "aadApplicationRegistration"],
    validate(props, { args, report }) {
        if (isKind(args.type, "aadApplicationRegistration")) {
            const v = (props as RegProps).requestedAccessTokenVersion;
            if (v !== undefined && v !== null && num(v) !== 2) report(`requestedAccessTokenVersion is ${show(v)}; it must be 2.`);
            return;
        }
        const p = props as AppProps;
        const exposes = isObj(p.api) || strings(p.identifierUris).length > 0;
        if (!exposes) return;
        const v = obj(p.api).requestedAccessTokenVersion;
        if (num(v) !== 2) report(`api.requestedAccessTokenVersion is ${show(v)}${v === undefined ? " (defaults to 1)" : ""}; it must be 2.`);
    },
});
