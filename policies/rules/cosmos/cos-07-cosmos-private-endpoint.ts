/** COS-07, rule family `privateNetworking` (the family's notes and sources: policies/policies.ts). */
import { privateEndpointRule } from "../../lib/rules/privateNetworking";

export const cos07CosmosPrivateEndpoint = privateEndpointRule("COS-07", "cos-07-cosmos-private-endpoint", "cosmosAccount", "Cosmos DB account", "Sql", "always", "AP Cosmos_PrivateEndpoint");
