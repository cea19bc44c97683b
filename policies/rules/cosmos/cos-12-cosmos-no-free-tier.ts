/** COS-12, rule family `cosmosResilience` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { isTrue } from "../../lib/values";

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
