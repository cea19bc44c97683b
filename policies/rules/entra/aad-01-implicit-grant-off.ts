/** AAD-01, rule family `entraApplications` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { AppProps, RegProps } from "../../lib/rules/entraApplications";
import { isKind } from "../../lib/tokens";
import { isTrue, obj } from "../../lib/values";

export const aad01ImplicitGrant = resourceRule({
    id: "AAD-01",
    name: "aad-01-implicit-grant-off",
    description:
        "Entra ID applications must not issue tokens through the OAuth2 implicit grant (implicitAccessTokenIssuanceEnabled / implicitIdTokenIssuanceEnabled on ApplicationRegistration, web.implicitGrant.* on Application); absent or false passes. Clients use the authorization-code flow with PKCE.",
    remediationSteps: "Remove the implicit grant settings (or set them false) and use MSAL's authorization-code flow with PKCE.",
    severity: "high",
    anchors: "MS app-registration best practices",
    kinds: ["aadApplication", "aadApplicationRegistration"],
    validate(props, { args, report }) {
        if (isKind(args.type, "aadApplicationRegistration")) {
            const p = props as RegProps;
            if (isTrue(p.implicitAccessTokenIssuanceEnabled)) report("implicitAccessTokenIssuanceEnabled is true.");
            if (isTrue(p.implicitIdTokenIssuanceEnabled)) report("implicitIdTokenIssuanceEnabled is true.");
            return;
        }
        const grant = obj(obj((props as AppProps).web).implicitGrant);
        if (isTrue(grant.accessTokenIssuanceEnabled)) report("web.implicitGrant.accessTokenIssuanceEnabled is true.");
        if (isTrue(grant.idTokenIssuanceEnabled)) report("web.implicitGrant.idTokenIssuanceEnabled is true.");
    },
});
