/**
 * Cosmos DB availability and placement: COS-12 (no free tier in production), COS-13 (zone
 * redundancy), COS-14 (automatic failover / several regions), COS-16 (allowed locations).
 * COS-12..14 are production concerns: advisory in development stacks.
 */
import { resourceRule } from "../lib/define";
import { arr, isObj, isTrue, normRegion, num, show } from "../lib/values";
import type { CosmosProps } from "./cosmosNetwork";

interface Loc {
    index: number;
    name: string | undefined;
    priority: number | undefined;
    zoneRedundant: unknown;
}

function locations(p: CosmosProps): Loc[] {
    const out: Loc[] = [];
    arr<unknown>(p.locations).forEach((l, index) => {
        if (!isObj(l)) return;
        out.push({ index, name: normRegion(l["locationName"]), priority: num(l["failoverPriority"]), zoneRedundant: l["isZoneRedundant"] });
    });
    return out;
}

export const cos12FreeTier = resourceRule({
    id: "COS-12",
    name: "cos-12-cosmos-no-free-tier",
    description: "Cosmos DB accounts must not use the free tier (enableFreeTier), which has no SLA-backed capacity; absent or false passes.",
    remediationSteps: "Remove enableFreeTier (or set false); it can only be chosen at account creation.",
    severity: "low",
    anchors: "PSR Azure.Cosmos.SLA",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        if (isTrue((props as CosmosProps).enableFreeTier)) report("enableFreeTier is true; free-tier accounts are not for production.");
    },
});

export const cos13ZoneRedundant = resourceRule({
    id: "COS-13",
    name: "cos-13-cosmos-zone-redundant",
    description:
        "The primary region of a Cosmos DB account (failoverPriority 0, or the first location) must be zone redundant (isZoneRedundant = true); absent means a single zone.",
    remediationSteps: "Set isZoneRedundant: true on the primary entry of locations (a region with availability zones).",
    severity: "medium",
    anchors: "PSR Azure.Cosmos.AvailabilityZone; AVM",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const locs = locations(props as CosmosProps);
        const primary = locs.find((l) => l.priority === 0) ?? locs[0];
        if (primary === undefined) {
            report("locations has no entry; the primary region cannot be zone redundant.");
        } else if (!isTrue(primary.zoneRedundant)) {
            report(`primary region ${primary.name ?? "?"} (locations[${primary.index}]) has isZoneRedundant ${show(primary.zoneRedundant)}; it must be true.`);
        }
    },
});

export const cos14Failover = resourceRule<{ minRegions: number; requireAutomaticFailover: boolean }>({
    id: "COS-14",
    name: "cos-14-cosmos-automatic-failover-multi-region",
    description:
        "Cosmos DB accounts must replicate to at least the configured number of regions and enable service-managed (automatic) failover, so a regional outage does not take the data offline.",
    remediationSteps: "Add a secondary entry to locations (failoverPriority 1) and set enableAutomaticFailover: true.",
    severity: "medium",
    anchors: "AzTS",
    kinds: ["cosmosAccount"],
    config: {
        minRegions: { type: "integer", minimum: 1, default: 2, description: "Minimum number of distinct regions in locations." },
        requireAutomaticFailover: { type: "boolean", default: true, description: "Require enableAutomaticFailover = true." },
    },
    validate(props, { config, report }) {
        const p = props as CosmosProps;
        const regions = new Set(locations(p).map((l) => l.name).filter((n) => n !== undefined));
        if (regions.size < config.minRegions) {
            report(`the account replicates to ${regions.size} region(s); at least ${config.minRegions} are required.`);
        }
        if (config.requireAutomaticFailover && !isTrue(p.enableAutomaticFailover)) {
            report(`enableAutomaticFailover is ${show(p.enableAutomaticFailover)}; it must be true.`);
        }
    },
});

export const cos16Locations = resourceRule<{ allowedLocations: string[] }>({
    id: "COS-16",
    name: "cos-16-cosmos-allowed-locations",
    description:
        "Every region a Cosmos DB account replicates to (locations[].locationName) must be in the allowed list (Azure Policy Cosmos_Locations: names compared lower-case without spaces).",
    remediationSteps: "Use only allowed regions in locations, or extend allowedLocations in the stack's policy config after review.",
    severity: "medium",
    anchors: "AP Cosmos_Locations",
    kinds: ["cosmosAccount"],
    config: {
        allowedLocations: {
            type: "array",
            items: { type: "string" },
            default: ["westeurope", "northeurope"],
            description: "Allowed Azure regions for Cosmos DB replicas.",
        },
    },
    validate(props, { config, report }) {
        const allowed = config.allowedLocations.map((l) => normRegion(l));
        for (const l of locations(props as CosmosProps)) {
            if (l.name === undefined || !allowed.includes(l.name)) {
                report(`locations[${l.index}].locationName ${l.name === undefined ? "is absent" : `'${l.name}' is not allowed`} (allowed: ${config.allowedLocations.join(", ")}).`);
            }
        }
    },
});

export const cosmosResiliencePolicies = [cos12FreeTier, cos13ZoneRedundant, cos14Failover, cos16Locations];
