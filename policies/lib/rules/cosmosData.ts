/**
 * Helpers shared by the `cosmosData` rules (COS-01, COS-02, COS-10, COS-11, COS-17, COS-20, COS-21) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import { arr, isObj, lower } from "../values";
import type { CosmosProps } from "./cosmosNetwork";

export function capabilityNames(p: CosmosProps): string[] {
    return arr<unknown>(p.capabilities)
        .map((c) => (isObj(c) ? lower(c["name"]) : undefined))
        .filter((c): c is string => c !== undefined);
}
