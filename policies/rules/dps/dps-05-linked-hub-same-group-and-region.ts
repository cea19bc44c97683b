/** DPS-05, rule family `dpsLinkedHub` (the family's notes and sources: policies/policies.ts). */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/define";
import { resourceGroupKey, StackGraph } from "../../lib/graph";
import { dpsLinks, name } from "../../lib/rules/dpsLinkedHub";
import { peek, Pending } from "../../lib/unknowns";
import { normRegion } from "../../lib/values";

export const dps05SameGroup = stackRule<{ requireSameRegion: boolean }>({
    id: "DPS-05",
    name: "dps-05-linked-hub-same-group-and-region",
    description:
        "A Device Provisioning Service and the IoT hubs it links must be in the same resource group (and, when configured, the same region), so they share lifecycle, access control and locks. Links are followed through propertyDependencies (ids are unknown at preview).",
    remediationSteps:
        "Create the DPS in the hub's resource group (resourceGroupName from the same ResourceGroup resource) and the same location; set iotHubs[].location to the hub's region.",
    severity: "low",
    anchors: "project requirement",
    config: {
        requireSameRegion: { type: "boolean", default: true, description: "Also require the same Azure region." },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        for (const dps of graph.of("dps")) {
            const links = dpsLinks(graph, dps, pending);
            const hubs = new Set<PolicyResource>(links.entries.flatMap((e) => e.hubs));
            const dpsRg = resourceGroupKey(graph, dps);
            if (dpsRg === undefined && !peek(dps.props, "resourceGroupName").known) pending.add(dps.props, "resourceGroupName");
            const dpsLoc = peek(dps.props, "location");
            for (const hub of hubs) {
                const hubRg = resourceGroupKey(graph, hub);
                if (hubRg === undefined && !peek(hub.props, "resourceGroupName").known) pending.add(hub.props, "resourceGroupName");
                if (dpsRg !== undefined && hubRg !== undefined && dpsRg !== hubRg) {
                    report(`DPS ${name(dps)} and its linked hub ${name(hub)} are in different resource groups.`, dps.urn);
                }
                if (!config.requireSameRegion) continue;
                const hubLoc = peek(hub.props, "location");
                if (!dpsLoc.known) pending.add(dps.props, "location");
                if (!hubLoc.known) pending.add(hub.props, "location");
                const a = dpsLoc.known ? normRegion(dpsLoc.value) : undefined;
                const b = hubLoc.known ? normRegion(hubLoc.value) : undefined;
                // An absent location is the resource group's, which the group check covers.
                if (a !== undefined && b !== undefined && a !== b) {
                    report(`DPS ${name(dps)} is in ${a} but its linked hub ${name(hub)} is in ${b}.`, dps.urn);
                }
                for (const e of links.entries) {
                    if (e.entry === undefined || !e.hubs.includes(hub)) continue;
                    const l = peek(e.entry, "location");
                    const c = l.known ? normRegion(l.value) : undefined;
                    if (c !== undefined && b !== undefined && c !== b) {
                        report(`DPS ${name(dps)} iotHubs[${e.index}].location is ${c} but hub ${name(hub)} is in ${b}.`, dps.urn);
                    }
                }
            }
        }
        pending.flush();
    },
});
