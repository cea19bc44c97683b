/** COS-09, rule family `cosmosNetwork` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { lower, show } from "../../lib/values";

export const cos09MinTls = resourceRule({
    id: "COS-09",
    name: "cos-09-cosmos-min-tls-12",
    description: "Cosmos DB accounts must require TLS 1.2 or later (minimalTlsVersion = \"Tls12\"); absent is treated as not configured.",
    remediationSteps: "Set minimalTlsVersion: \"Tls12\".",
    severity: "high",
    anchors: "PSR Azure.Cosmos.MinTLS; AVM",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const v = lower((props as CosmosProps).minimalTlsVersion);
        const m = v === undefined ? undefined : /^tls(\d)(\d)?$/.exec(v);
        const version = m ? Number(m[1]) + (m[2] ? Number(m[2]) / 10 : 0) : undefined;
        if (version === undefined || version < 1.2) {
            report(`minimalTlsVersion is ${show((props as CosmosProps).minimalTlsVersion)}; it must be "Tls12".`);
        }
    },
});
