/** COS-13, rule family `cosmosResilience` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { locations } from "../../lib/rules/cosmosResilience";
import { isTrue, show } from "../../lib/values";

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
