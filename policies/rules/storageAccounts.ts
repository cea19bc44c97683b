/**
 * Storage accounts (the Flex Consumption app's deployment package and host storage): STG-01
 * (shared keys off), STG-02 (TLS 1.2), STG-03 (no anonymous blob access, account and containers),
 * STG-04 (HTTPS only), STG-05 (public network access closed or default-deny ACL).
 *
 * Azure Policy built-ins (Azure/azure-policy, built-in-policies/policyDefinitions/Storage/):
 * StorageAccountAllowSharedKeyAccess_Audit.json, StorageAccountMinimumTLSVersion_Audit.json,
 * ASC_Storage_DisallowPublicBlobAccess_Audit.json, Storage_AuditForHTTPSEnabled_Audit.json,
 * StoragePublicNetworkAccess_AuditDeny.json, Storage_NetworkAcls_Audit.json.
 *
 * SDK input names differ from ARM's: `enableHttpsTrafficOnly` is ARM `supportsHttpsTrafficOnly`,
 * `networkRuleSet` is ARM `networkAcls`. The SDK fills `networkRuleSet.defaultAction` with "Allow"
 * and `bypass` with "AzureServices" when a networkRuleSet is given without them.
 */
import type { BlobContainerArgs, StorageAccountArgs } from "@pulumi/azure-native/storage";
import type { Unwrap } from "@pulumi/pulumi";
import { coversInternet, parseIpv4Cidr } from "../lib/cidr";
import { resourceRule } from "../lib/define";
import { isKind } from "../lib/tokens";
import { arr, bool, eqi, isObj, lower, obj, show, str } from "../lib/values";

export type StorageAccountProps = Unwrap<StorageAccountArgs>;
export type BlobContainerProps = Unwrap<BlobContainerArgs>;

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

export const stg03NoPublicBlobAccess = resourceRule({
    id: "STG-03",
    name: "stg-03-storage-no-anonymous-blob-access",
    description:
        "Blobs must never be readable anonymously: storage accounts set allowBlobPublicAccess = false (Azure Policy \"Storage account public access should be disallowed\", 4fa4b6c0-31ca-4c0d-b10d-24b96f62a751, flags anything but false, absent included, although the API now interprets absent as false), and blob containers do not set publicAccess to Blob or Container (absent is None). A deployment package in an anonymous container would publish the app's code.",
    remediationSteps: "Set allowBlobPublicAccess: false on the account and omit publicAccess (or set \"None\") on every storage.BlobContainer.",
    severity: "high",
    anchors: "AP \"Storage account public access should be disallowed\" (4fa4b6c0-31ca-4c0d-b10d-24b96f62a751)",
    kinds: ["storageAccount", "blobContainer"],
    validate(props, { args, report }) {
        if (isKind(args.type, "blobContainer")) {
            const v = (props as BlobContainerProps).publicAccess;
            if (v !== undefined && v !== null && !eqi(v, "None")) {
                report(`container publicAccess is ${show(v)}; anonymous clients could read its blobs. Omit it or set "None".`);
            }
            return;
        }
        const v = (props as StorageAccountProps).allowBlobPublicAccess;
        if (bool(v) !== false) {
            report(`allowBlobPublicAccess is ${show(v)}; set it to false explicitly so no container can be made anonymous.`);
        }
    },
});

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

export const stg05NetworkClosed = resourceRule<{ minPrefixLength: number }>({
    id: "STG-05",
    name: "stg-05-storage-network-closed",
    description:
        "Storage accounts must not be open to every network: publicNetworkAccess \"Disabled\" (Azure Policy \"Storage accounts should disable public network access\", b2982f36-99f2-4db5-8eff-283140c09693), or a networkRuleSet whose defaultAction is \"Deny\" (\"Storage accounts should restrict network access\", 34c877ad-507e-4c82-993e-3452a6e0ad3c; absent networkRuleSet, or one without defaultAction, means Allow) with no IP rule wider than the configured prefix. The Flex Consumption app reaches a closed account through its virtual network integration and the account's private endpoints; a deployment run from outside the network (a hosted CI runner uploading the package) needs the public endpoint, so stacks deployed that way keep this rule advisory.",
    remediationSteps:
        "Set publicNetworkAccess: \"Disabled\" and add blob (and queue/table for host storage) private endpoints in the app's virtual network, or set networkRuleSet: { defaultAction: \"Deny\", bypass: \"AzureServices\", ipRules: [specific ranges] }.",
    severity: "medium",
    anchors: "AP \"Storage accounts should disable public network access\" (b2982f36-99f2-4db5-8eff-283140c09693); AP \"Storage accounts should restrict network access\" (34c877ad-507e-4c82-993e-3452a6e0ad3c)",
    kinds: ["storageAccount"],
    config: {
        minPrefixLength: {
            type: "integer",
            minimum: 0,
            maximum: 32,
            default: 8,
            description: "Smallest CIDR prefix length an IP rule of the account may have.",
        },
    },
    validate(props, { config, report }) {
        const p = props as StorageAccountProps;
        if (eqi(p.publicNetworkAccess, "Disabled")) return;
        const access = p.publicNetworkAccess === undefined ? "absent (Enabled)" : show(p.publicNetworkAccess);
        if (!isObj(p.networkRuleSet)) {
            report(`publicNetworkAccess is ${access} and there is no networkRuleSet (default action Allow): every network can reach the account.`);
            return;
        }
        const rs = obj(p.networkRuleSet);
        if (!eqi(rs.defaultAction, "Deny")) {
            report(`publicNetworkAccess is ${access} and networkRuleSet.defaultAction is ${show(rs.defaultAction)}${rs.defaultAction === undefined ? " (Allow)" : ""}: every network can reach the account.`);
        }
        arr<unknown>(rs.ipRules).forEach((rule, i) => {
            const text = isObj(rule) ? str(rule["iPAddressOrRange"]) : undefined;
            const range = parseIpv4Cidr(text);
            if (range === undefined) report(`networkRuleSet.ipRules[${i}] ${show(text)} is not an IPv4 address or CIDR range.`);
            else if (range.prefix < config.minPrefixLength) {
                report(`networkRuleSet.ipRules[${i}] allows ${range.text}${coversInternet(range) ? " (the whole internet)" : ""}; IP rules must name specific ranges (prefix /${config.minPrefixLength} or longer).`);
            }
        });
    },
});

export const storageAccountPolicies = [stg01SharedKey, stg02MinTls, stg03NoPublicBlobAccess, stg04HttpsOnly, stg05NetworkClosed];
