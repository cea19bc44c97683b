/** COS-02, rule family `cosmosData` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { isTrue, show } from "../../lib/values";

export const cos02MetadataWrites = resourceRule({
    id: "COS-02",
    name: "cos-02-cosmos-key-metadata-writes-disabled",
    description:
        "Cosmos DB accounts must block changes to databases, containers and throughput made with account keys (disableKeyBasedMetadataWriteAccess = true); such changes go through Azure Resource Manager only. Absent means key-based metadata writes are allowed.",
    remediationSteps: "Set disableKeyBasedMetadataWriteAccess: true and manage databases/containers with the Pulumi resources.",
    severity: "medium",
    anchors: "PSR Azure.Cosmos.DisableMetadataWrite; CKV_AZURE_132; AP Cosmos_DisableMetadata",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const v = (props as CosmosProps).disableKeyBasedMetadataWriteAccess;
        if (!isTrue(v)) report(`disableKeyBasedMetadataWriteAccess is ${show(v)}; it must be true.`);
    },
});
