/** AAD-05, rule family `entraApplications` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { AppProps } from "../../lib/rules/entraApplications";
import { isKind } from "../../lib/tokens";
import { isObj } from "../../lib/values";

export const aad05NoPasswords = resourceRule({
    id: "AAD-05",
    name: "aad-05-no-password-credentials",
    description:
        "Applications and service principals must not have password credentials (client secrets): no ApplicationPassword, no ServicePrincipalPassword, no password block on Application. Workloads use managed identities or federated credentials; the mobile client is a public client without secrets.",
    remediationSteps: "Delete the password resource; authenticate the workload with a managed identity or a federated identity credential (AAD-13).",
    severity: "high",
    anchors: "MS; Graph passwordAddition",
    kinds: ["aadApplicationPassword", "aadServicePrincipalPassword", "aadApplication"],
    validate(props, { args, report }) {
        if (isKind(args.type, "aadApplication")) {
            if (isObj((props as AppProps).password)) report("the application defines a password credential (password block).");
            return;
        }
        report(`${isKind(args.type, "aadApplicationPassword") ? "ApplicationPassword" : "ServicePrincipalPassword"} '${String(args.name)}' creates a client secret.`);
    },
});
