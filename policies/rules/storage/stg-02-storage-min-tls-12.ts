/** STG-02, rule family `storageAccounts` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { StorageAccountProps } from "../../lib/rules/storageAccounts";
import { lower, show } from "../../lib/values";

export const stg02MinTls = resourceRule({
    id: "STG-02",
    name: "stg-02-storage-min-tls-12",
    description:
        "Storage accounts must require TLS 1.2 (minimumTlsVersion = \"TLS1_2\"). Absent, the API's default interpretation is TLS 1.0 (Azure Policy \"Storage accounts should have the specified minimum TLS version\", fe83a0eb-a853-422d-aac2-1bffd182c5d0, flags absent).",
    remediationSteps: "Set minimumTlsVersion: \"TLS1_2\" on the storage.StorageAccount.",
    severity: "high",
    anchors: "AP \"Storage accounts should have the specified minimum TLS version\" (fe83a0eb-a853-422d-aac2-1bffd182c5d0)",
    kinds: ["storageAccount"],
    validate(props, { report }) {
        const v = (props as StorageAccountProps).minimumTlsVersion;
        const m = /^tls1_(\d)$/.exec(lower(v) ?? "");
        if (m === null || Number(m[1]) < 2) {
            report(`minimumTlsVersion is ${show(v)}${v === undefined ? " (the API then accepts TLS 1.0)" : ""}; it must be "TLS1_2".`);
        }
    },
});
