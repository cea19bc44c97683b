/**
 * Helpers shared by the `cosmosResilience` rules (COS-12, COS-13, COS-14, COS-16) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import { arr, isObj, normRegion, num } from "../values";
import type { CosmosProps } from "./cosmosNetwork";

export interface Loc {
    index: number;
    name: string | undefined;
    priority: number | undefined;
    zoneRedundant: unknown;
}

export function locations(p: CosmosProps): Loc[] {
    const out: Loc[] = [];
    arr<unknown>(p.locations).forEach((l, index) => {
        if (!isObj(l)) return;
        out.push({ index, name: normRegion(l["locationName"]), priority: num(l["failoverPriority"]), zoneRedundant: l["isZoneRedundant"] });
    });
    return out;
}
