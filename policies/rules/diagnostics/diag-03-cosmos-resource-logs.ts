/** DIAG-03, rule family `diagnostics` (the family's notes and sources: policies/policies.ts). */
import { resourceLogsRule } from "../../lib/rules/diagnostics";

export const diag03CosmosLogs = resourceLogsRule("DIAG-03", "diag-03-cosmos-resource-logs", "cosmosAccount", "Cosmos DB account", "");
