/** STG-01, rule family `storageAccounts` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { StorageAccountProps } from "../../lib/rules/storageAccounts";
import { bool, show } from "../../lib/values";

export const stg01SharedKey = resourceRule({
    id: "STG-01",
    name: "stg-01-storage-shared-key-disabled",
    description:
        "Storage accounts must refuse Shared Key authorization (allowSharedKeyAccess = false), so account keys, connection strings with keys and account SAS stop working and every request is authorized with Entra ID (the Flex Consumption app reads its deployment package with its managed identity). Absent is null, which the API treats as true (Azure Policy \"Storage accounts should prevent shared key access\", 8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54, flags absent and true).",
    remediationSteps:
        "Set allowSharedKeyAccess: false (and defaultToOAuthAuthentication: true); give the app's identity Storage Blob Data Contributor on the account and use identity-based connections (functionAppConfig.deployment.storage.authentication.type UserAssignedIdentity, AzureWebJobsStorage__accountName).",
    severity: "high",
    anchors: "AP \"Storage accounts should prevent shared key access\" (8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54)",
    kinds: ["storageAccount"],
    validate(props, { report }) {
        const v = (props as StorageAccountProps).allowSharedKeyAccess;
        if (bool(v) !== false) {
            report(`allowSharedKeyAccess is ${show(v)}${v === undefined ? " (null, treated as true)" : ""}; it must be false so account keys and SAS tokens are refused.`);
        }
    },
});
