/** COS-20, rule family `cosmosData` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { arr, isObj, show, str } from "../../lib/values";

export const cos20Cors = resourceRule({
    id: "COS-20",
    name: "cos-20-cosmos-no-wildcard-cors",
    description: "Cosmos DB CORS rules must not allow every origin (cors[].allowedOrigins containing \"*\").",
    remediationSteps: "List the exact origins in cors[].allowedOrigins, or remove the CORS rules (server-side clients need none).",
    severity: "medium",
    anchors: "beyond",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        arr<unknown>((props as CosmosProps).cors).forEach((c, i) => {
            if (!isObj(c)) return;
            const origins = (str(c["allowedOrigins"]) ?? "").split(",").map((o) => o.trim());
            if (origins.some((o) => o.includes("*"))) report(`cors[${i}].allowedOrigins is ${show(c["allowedOrigins"])}; wildcards are not allowed.`);
        });
    },
});
