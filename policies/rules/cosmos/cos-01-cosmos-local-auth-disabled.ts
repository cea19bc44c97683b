/** COS-01, rule family `cosmosData` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { capabilityNames } from "../../lib/rules/cosmosData";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { isTrue, show } from "../../lib/values";

/** Capabilities whose accounts Azure Policy exempts from the local-auth rule (non-NoSQL APIs). */
const NON_SQL_APIS = ["enablemongo", "enablecassandra", "enabletable", "enablegremlin"];

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
