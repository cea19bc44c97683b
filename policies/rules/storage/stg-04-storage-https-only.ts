/** STG-04, rule family `storageAccounts` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { StorageAccountProps } from "../../lib/rules/storageAccounts";
import { bool, show } from "../../lib/values";

export const stg04HttpsOnly = resourceRule({
    id: "STG-04",
    name: "stg-04-storage-https-only",
    description:
        "Storage accounts must accept HTTPS only: enableHttpsTrafficOnly (ARM supportsHttpsTrafficOnly) must not be false. Absent passes: the default is true since API version 2019-04-01, and the SDK uses 2024-01-01 (Azure Policy \"Secure transfer to storage accounts should be enabled\", 404c3081-a854-4457-ae30-26a93ef643f9, flags absent only for older API versions).",
    remediationSteps: "Remove enableHttpsTrafficOnly: false (or set it to true).",
    severity: "high",
    anchors: "AP \"Secure transfer to storage accounts should be enabled\" (404c3081-a854-4457-ae30-26a93ef643f9)",
    kinds: ["storageAccount"],
    validate(props, { report }) {
        const v = (props as StorageAccountProps).enableHttpsTrafficOnly;
        if (v !== undefined && v !== null && bool(v) !== true) {
            report(`enableHttpsTrafficOnly is ${show(v)}; the account would accept plain HTTP. Remove it or set true.`);
        }
    },
});
