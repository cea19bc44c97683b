/** STG-03, rule family `storageAccounts` (the family's notes and sources: policies/policies.ts). */
import type { BlobContainerArgs } from "@pulumi/azure-native/storage";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule } from "../../lib/define";
import type { StorageAccountProps } from "../../lib/rules/storageAccounts";
import { isKind } from "../../lib/tokens";
import { bool, eqi, show } from "../../lib/values";

type BlobContainerProps = Unwrap<BlobContainerArgs>;

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
