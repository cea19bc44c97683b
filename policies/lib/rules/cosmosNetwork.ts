/**
 * Helpers shared by the `cosmosNetwork` rules (COS-03, COS-04, COS-05, COS-06, COS-09) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { DatabaseAccountArgs } from "@pulumi/azure-native/cosmosdb";
import type { Unwrap } from "@pulumi/pulumi";

export type CosmosProps = Unwrap<DatabaseAccountArgs>;
