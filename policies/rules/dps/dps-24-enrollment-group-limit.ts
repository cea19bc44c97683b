/** DPS-24, rule family `enrollments` (the family's notes and sources: policies/policies.ts). */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/define";
import { dpsNameOf, dpsOfRecord, isEnrollmentGroup, recordDpsName } from "../../lib/enrollments";
import { StackGraph } from "../../lib/graph";
import { attestationOf, Pending, records, typeOf } from "../../lib/rules/enrollments";

/** DPS limits: MicrosoftDocs/azure-docs includes/iot-dps-limits.md (learn.microsoft.com/azure/iot-dps/about-iot-dps#quotas-and-limits). */
export const dps24GroupLimit = stackRule<{ maxX509Groups: number; maxSymmetricKeyGroups: number }>({
    id: "DPS-24",
    name: "dps-24-enrollment-group-limit",
    description:
        "A Device Provisioning Service holds at most 100 X.509 enrollment groups and 100 symmetric-key enrollment groups (DPS quotas and limits, learn.microsoft.com/azure/iot-dps/about-iot-dps#quotas-and-limits); a program that declares more fails at deployment, part-way through. Groups are counted per DPS (linked through propertyDependencies or by DPS name).",
    remediationSteps:
        "Merge groups that share a CA and settings (one group can trust a CA and its successor), move devices to individual enrollments, or split the fleet across DPS instances. Raise maxX509Groups only after Microsoft Support raised the adjustable X.509 limit.",
    severity: "medium",
    anchors: "MS DPS quotas and limits",
    config: {
        maxX509Groups: { type: "integer", minimum: 1, default: 100, description: "X.509 enrollment groups allowed per DPS (DPS limit 100, adjustable by Microsoft Support)." },
        maxSymmetricKeyGroups: { type: "integer", minimum: 1, maximum: 100, default: 100, description: "Symmetric-key enrollment groups allowed per DPS (DPS hard limit 100)." },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        const counts = new Map<string, { label: string; x509: PolicyResource[]; symmetrickey: PolicyResource[] }>();
        for (const g of records(resources).filter(isEnrollmentGroup)) {
            const att = attestationOf(g, pending);
            if (att === undefined) continue;
            const type = typeOf(att, pending);
            if (type !== "x509" && type !== "symmetrickey") continue;
            const dps = dpsOfRecord(graph, g);
            const key = dps !== undefined ? `urn:${dps.urn}` : `name:${recordDpsName(g) ?? "?"}`;
            const entry = counts.get(key) ?? { label: (dps !== undefined ? dpsNameOf(dps) : recordDpsName(g)) ?? "unknown", x509: [], symmetrickey: [] };
            entry[type].push(g);
            counts.set(key, entry);
        }
        for (const entry of counts.values()) {
            for (const [type, limit, label] of [["x509", config.maxX509Groups, "X.509"], ["symmetrickey", config.maxSymmetricKeyGroups, "symmetric-key"]] as const) {
                const list = entry[type];
                if (list.length > limit) {
                    report(`DPS '${entry.label}' would hold ${list.length} ${label} enrollment groups; it holds at most ${limit}.`, list[limit].urn);
                }
            }
        }
        pending.flush();
    },
});
