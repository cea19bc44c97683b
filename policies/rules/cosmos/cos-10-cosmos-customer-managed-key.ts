/** COS-10, rule family `cosmosData` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { nonEmpty, show } from "../../lib/values";

export const cos10CustomerManagedKey = resourceRule<{ required: boolean }>({
    id: "COS-10",
    name: "cos-10-cosmos-customer-managed-key",
    description:
        "When the stack requires it (config `required`), Cosmos DB accounts must encrypt data at rest with a customer-managed key (keyVaultKeyUri set). Off by default: Microsoft-managed keys are accepted unless a stack opts in.",
    remediationSteps:
        "Create a Key Vault key, give the account's identity wrap/unwrap permissions, and set keyVaultKeyUri (and defaultIdentity) on the account. The key can only be set at account creation.",
    severity: "low",
    anchors: "CKV_AZURE_100; AP Cosmos_CMK",
    kinds: ["cosmosAccount"],
    config: {
        required: { type: "boolean", default: false, description: "Require a customer-managed key." },
    },
    validate(props, { config, report }) {
        if (!config.required) return;
        const v = (props as CosmosProps).keyVaultKeyUri;
        if (nonEmpty(v) === undefined) report(`keyVaultKeyUri is ${show(v)}; this stack requires a customer-managed key.`);
    },
});
