/** COS-14, rule family `cosmosResilience` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { locations } from "../../lib/rules/cosmosResilience";
import { isTrue, show } from "../../lib/values";

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
