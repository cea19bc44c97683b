/** DPS-06, rule family `dpsLinkedHub` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { StackGraph } from "../../lib/graph";
import { dpsLinks, name } from "../../lib/rules/dpsLinkedHub";
import { readSasPolicies } from "../../lib/sas";
import { peek, Pending } from "../../lib/unknowns";

export const dps06SecretLinks = stackRule<{ allowExternalHubs: boolean }>({
    id: "DPS-06",
    name: "dps-06-link-keys-from-hub-not-literals",
    description:
        "Device Provisioning Service keys must never be written into the program: DPS SAS policies set no primaryKey/secondaryKey, and a key link's iotHubs[].connectionString (which DPS-04 forbids; identity links carry none) is read from the linked hub in the same program (listIotHubResourceKeys...Output, kept a Pulumi secret), so it carries a dependency on that hub. CrossGuard receives secrets unwrapped and cannot see whether a value is a secret; the offline policy check verifies that part on the wire form.",
    remediationSteps:
        "Link hubs by managed identity (DPS-04), which carries no key. Until then, build a key link's connection string from the hub (iothub.listIotHubResourceKeysForKeyNameOutput, kept in pulumi.secret). Remove literal keys from authorizationPolicies.",
    severity: "high",
    anchors: "PSR Azure.Deployment.SecureValue analogue",
    config: {
        allowExternalHubs: {
            type: "boolean",
            default: false,
            description: "Allow linking hubs that are not in this program (their connection string then has no dependency to follow).",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        for (const dps of graph.of("dps")) {
            const links = dpsLinks(graph, dps, pending);
            // Only key links carry a connection string (identity links are checked by DPS-04).
            const keyLinks = links.entries.filter((e) => e.entry !== undefined && (e.connectionString !== undefined || e.connectionStringUnknown));
            if (keyLinks.length > 0 && links.dependencyHubs.length === 0 && !config.allowExternalHubs) {
                report(
                    `DPS ${name(dps)} links ${keyLinks.length} hub(s) by connection string but its properties do not depend on any IoT hub in this program: the connection string was pasted or taken from config instead of being read from the hub.`,
                    dps.urn,
                );
            }
            if (links.properties !== undefined) {
                const ap = peek(links.properties, "authorizationPolicies");
                if (!ap.known) pending.add(links.properties, "authorizationPolicies");
                else {
                    for (const pol of readSasPolicies(ap.value)) {
                        if (pol.hasLiteralKey) report(`DPS ${name(dps)} policy '${pol.keyName ?? "?"}' sets a key in the program; let Azure generate keys.`, dps.urn);
                    }
                }
            }
        }
        pending.flush();
    },
});
