/** COS-16, rule family `cosmosResilience` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { locations } from "../../lib/rules/cosmosResilience";
import { normRegion } from "../../lib/values";

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
