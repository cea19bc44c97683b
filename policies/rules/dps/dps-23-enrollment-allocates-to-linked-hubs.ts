/** DPS-23, rule family `enrollments` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { dpsNameOf, dpsOfRecord, hubHostName, linkedHubsOf, recordDpsName, recordLabel } from "../../lib/enrollments";
import { StackGraph } from "../../lib/graph";
import { Pending, records } from "../../lib/rules/enrollments";
import { knownElements, peek } from "../../lib/unknowns";
import { arr, lower } from "../../lib/values";

export const dps23LinkedHubsOnly = stackRule({
    id: "DPS-23",
    name: "dps-23-enrollment-allocates-to-linked-hubs",
    description:
        "An enrollment record may allocate devices only to IoT hubs its Device Provisioning Service links: every host name in iotHubs (and iotHubHostName) must be a hub in the DPS's properties.iotHubs (by hostName, or the HostName of a key link's connection string), or a hub resource the DPS's link was computed from. DPS rejects or never uses other hubs, so a record naming one fails to provision its devices.",
    remediationSteps:
        "Allocate to the stack's linked hub (leave iotHubs out in Pulumi.<stack>.yaml to use it), or link the other hub to the DPS first.",
    severity: "medium",
    anchors: "service.json EnrollmentGroup.iotHubs (a subset of the DPS's linked hubs); beyond",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        for (const r of records(resources)) {
            const what = recordLabel(r);
            const dps = dpsOfRecord(graph, r);
            const hubsP = peek(r.props, "iotHubs");
            const single = peek(r.props, "iotHubHostName");
            if (!hubsP.known) {
                pending.add(r.props, "iotHubs");
                continue;
            }
            const hosts: string[] = [];
            const list = arr<unknown>(hubsP.value);
            const known = knownElements(list);
            if (known.length < list.length) list.forEach((_, i) => known.some((k) => k.index === i) || pending.add(list, i));
            for (const { value } of known) {
                const h = lower(value);
                if (h) hosts.push(h);
            }
            if (single.known && lower(single.value)) hosts.push(String(lower(single.value)));
            if (hosts.length === 0) continue;
            if (dps === undefined) {
                report(`${what} belongs to DPS '${recordDpsName(r) ?? "unknown"}', which this program does not declare, so its linked hubs cannot be checked; declare the DPS in the program.`, r.urn);
                continue;
            }
            const linked = linkedHubsOf(graph, dps);
            const linkedHosts = new Set([...linked.hostNames, ...linked.hubs.map(hubHostName).filter((h): h is string => h !== undefined)]);
            const depHubs = graph.depsOfKind(r, "iotHubs", "iotHub");
            for (const h of hosts) {
                if (linkedHosts.has(h)) continue;
                // Host name not known on the DPS side yet: the record's own link to a hub the DPS also depends on decides.
                const viaDependency = depHubs.find((hub) => hubHostName(hub) === h);
                if (viaDependency && linked.hubs.some((x) => x.urn === viaDependency.urn)) continue;
                if (linked.unknown) {
                    pending.add(dps.props, "properties");
                    continue;
                }
                report(`${what} allocates to hub ${h}, which DPS '${dpsNameOf(dps) ?? String(dps.name)}' does not link (it links ${[...linkedHosts].join(", ") || "no hub"}).`, r.urn);
            }
        }
        pending.flush();
    },
});
