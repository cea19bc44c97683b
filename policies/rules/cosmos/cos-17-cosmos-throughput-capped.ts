/** COS-17, rule family `cosmosData` (the family's notes and sources: policies/policies.ts). */
import type { SqlResourceSqlContainerArgs } from "@pulumi/azure-native/cosmosdb";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule } from "../../lib/define";
import { capabilityNames } from "../../lib/rules/cosmosData";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { isKind } from "../../lib/tokens";
import { num, obj, show } from "../../lib/values";

function isServerless(p: CosmosProps): boolean {
    return capabilityNames(p).includes("enableserverless");
}

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
