/**
 * Cosmos DB data protection and account settings: COS-01 (local auth off), COS-02 (key-based
 * metadata writes off), COS-10 (customer-managed key, configurable), COS-11 (continuous backup),
 * COS-17 (throughput capped), COS-20 (no wildcard CORS), COS-21 (valid account name).
 */
import type { SqlResourceSqlContainerArgs } from "@pulumi/azure-native/cosmosdb";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule } from "../lib/define";
import { isKind } from "../lib/tokens";
import { arr, eqi, isObj, isTrue, lower, nonEmpty, num, obj, show, str } from "../lib/values";
import type { CosmosProps } from "./cosmosNetwork";

/** Capabilities whose accounts Azure Policy exempts from the local-auth rule (non-NoSQL APIs). */
const NON_SQL_APIS = ["enablemongo", "enablecassandra", "enabletable", "enablegremlin"];

function capabilityNames(p: CosmosProps): string[] {
    return arr<unknown>(p.capabilities)
        .map((c) => (isObj(c) ? lower(c["name"]) : undefined))
        .filter((c): c is string => c !== undefined);
}

export function isServerless(p: CosmosProps): boolean {
    return capabilityNames(p).includes("enableserverless");
}

export const cos01LocalAuth = resourceRule({
    id: "COS-01",
    name: "cos-01-cosmos-local-auth-disabled",
    description:
        "Cosmos DB (NoSQL) accounts must disable key-based (local) authentication (disableLocalAuth = true) so data-plane access is by Entra ID RBAC only. Absent means account keys work. As in the Azure Policy definition, Mongo/Cassandra/Table/Gremlin accounts are exempt.",
    remediationSteps:
        "Set disableLocalAuth: true and grant data access with cosmosdb.SqlResourceSqlRoleAssignment (Built-in Data Reader / Data Contributor).",
    severity: "high",
    anchors: "PSR Azure.Cosmos.NoSQLLocalAuth; CKV_AZURE_140; AP Cosmos_DisableLocalAuth; AVM",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const p = props as CosmosProps;
        if (capabilityNames(p).some((c) => NON_SQL_APIS.includes(c))) return;
        if (!isTrue(p.disableLocalAuth)) report(`disableLocalAuth is ${show(p.disableLocalAuth)}; it must be true.`);
    },
});

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

export const cos11ContinuousBackup = resourceRule({
    id: "COS-11",
    name: "cos-11-cosmos-continuous-backup",
    description:
        "Cosmos DB accounts must use continuous backup (backupPolicy.type = \"Continuous\") for point-in-time restore. Absent means periodic backup.",
    remediationSteps: "Set backupPolicy: { type: \"Continuous\", continuousModeProperties: { tier: \"Continuous7Days\" } } (or Continuous30Days).",
    severity: "medium",
    anchors: "PSR Azure.Cosmos.ContinuousBackup; AVM",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const bp = obj((props as CosmosProps).backupPolicy as Record<string, unknown> | undefined);
        if (!eqi(bp["type"], "Continuous")) {
            report(`backupPolicy.type is ${show(bp["type"])}${bp["type"] === undefined ? " (periodic backup)" : ""}; it must be "Continuous".`);
        }
    },
});

type ThroughputProps = Unwrap<SqlResourceSqlContainerArgs>;

export const cos17Throughput = resourceRule<{ throughputMax: number }>({
    id: "COS-17",
    name: "cos-17-cosmos-throughput-capped",
    description:
        "Cosmos DB throughput must be capped: a provisioned-throughput account sets capacity.totalThroughputLimit (not -1, at most throughputMax); SQL databases and containers provision at most throughputMax RU/s, manual or autoscale (Azure Policy Cosmos_MaxThroughput). Serverless accounts have no provisioned throughput to cap and pass.",
    remediationSteps:
        "Set capacity: { totalThroughputLimit: <RU/s> } on the account, and keep options.throughput / options.autoscaleSettings.maxThroughput of databases and containers at or below the limit (or use a serverless account).",
    severity: "medium",
    anchors: "AP Cosmos_MaxThroughput",
    kinds: ["cosmosAccount", "cosmosSqlDatabase", "cosmosSqlContainer"],
    config: {
        throughputMax: {
            type: "integer",
            minimum: 400,
            default: 10000,
            description: "Maximum RU/s for the account limit and for any database or container.",
        },
    },
    validate(props, { args, config, report }) {
        const max = config.throughputMax;
        if (isKind(args.type, "cosmosAccount")) {
            const p = props as CosmosProps;
            if (isServerless(p)) return;
            const limit = obj(p.capacity).totalThroughputLimit;
            const n = num(limit);
            if (n === undefined || n === -1) {
                report(`capacity.totalThroughputLimit is ${show(limit)}${n === -1 ? " (no limit)" : ""}; set a limit of at most ${max} RU/s.`);
            } else if (n > max) {
                report(`capacity.totalThroughputLimit is ${n} RU/s, above the ${max} RU/s maximum.`);
            }
            return;
        }
        const options = obj((props as ThroughputProps).options);
        const manual = options.throughput;
        const n = num(manual);
        if (manual !== undefined && manual !== null && n === undefined) report(`options.throughput ${show(manual)} is not a number.`);
        if (n !== undefined && n > max) report(`options.throughput is ${n} RU/s, above the ${max} RU/s maximum.`);
        const auto = obj(options.autoscaleSettings).maxThroughput;
        const a = num(auto);
        if (a !== undefined && a > max) report(`options.autoscaleSettings.maxThroughput is ${a} RU/s, above the ${max} RU/s maximum.`);
    },
});

export const cos20Cors = resourceRule({
    id: "COS-20",
    name: "cos-20-cosmos-no-wildcard-cors",
    description: "Cosmos DB CORS rules must not allow every origin (cors[].allowedOrigins containing \"*\").",
    remediationSteps: "List the exact origins in cors[].allowedOrigins, or remove the CORS rules (server-side clients need none).",
    severity: "medium",
    anchors: "beyond",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        arr<unknown>((props as CosmosProps).cors).forEach((c, i) => {
            if (!isObj(c)) return;
            const origins = (str(c["allowedOrigins"]) ?? "").split(",").map((o) => o.trim());
            if (origins.some((o) => o.includes("*"))) report(`cors[${i}].allowedOrigins is ${show(c["allowedOrigins"])}; wildcards are not allowed.`);
        });
    },
});

const ACCOUNT_NAME = /^[a-z0-9]([a-z0-9-]{1,42}[a-z0-9])$/;

export const cos21AccountName = resourceRule({
    id: "COS-21",
    name: "cos-21-cosmos-account-name-valid",
    description:
        "Cosmos DB account names must be 3-44 characters of lower-case letters, digits and hyphens, not starting or ending with a hyphen (the name becomes the account's DNS label). Without an explicit accountName the Pulumi resource name, which auto-naming builds on, is checked for the character rules.",
    remediationSteps: "Set accountName (or the resource name) to a lower-case DNS-safe name of 3-44 characters.",
    severity: "low",
    anchors: "PSR Azure.Cosmos.AccountName",
    kinds: ["cosmosAccount"],
    validate(props, { args, report }) {
        const explicit = (props as CosmosProps).accountName;
        if (explicit !== undefined && explicit !== null) {
            const s = str(explicit) ?? "";
            if (!ACCOUNT_NAME.test(s)) report(`accountName ${show(explicit)} is not 3-44 characters of [a-z0-9-] without a leading or trailing hyphen.`);
            return;
        }
        const logical = str(args.name) ?? "";
        if (!/^[a-z0-9][a-z0-9-]*$/.test(logical)) {
            report(`resource name ${show(args.name)} (the base of the auto-generated account name) must use only [a-z0-9-] and start with a letter or digit.`);
        }
    },
});

export const cosmosDataPolicies = [cos01LocalAuth, cos02MetadataWrites, cos10CustomerManagedKey, cos11ContinuousBackup, cos17Throughput, cos20Cors, cos21AccountName];
