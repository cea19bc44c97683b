/** IOT-14, rule family `defender` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { StackGraph } from "../../lib/graph";
import { peek } from "../../lib/unknowns";
import { eqi } from "../../lib/values";

export const iot14DefenderForIot = stackRule({
    id: "IOT-14",
    name: "iot-14-defender-for-iot-enabled",
    description:
        "Every IoT hub must be covered by Microsoft Defender for IoT: a security IotSecuritySolution whose iotHubs list contains the hub (linked through propertyDependencies, as the hub id is unknown at preview) and whose status is not Disabled.",
    remediationSteps:
        "Add security.IotSecuritySolution { displayName, iotHubs: [hub.id], status: \"Enabled\", workspace: <Log Analytics workspace id> } in the hub's resource group.",
    severity: "medium",
    anchors: "KICS; MCSB LT-1",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const solutions = graph.of("iotSecuritySolution").filter((s) => {
            const st = peek(s.props, "status");
            return !(st.known && eqi(st.value, "Disabled"));
        });
        for (const hub of graph.of("iotHub")) {
            if (solutions.some((s) => graph.refersTo(s, "iotHubs", hub, "iotHub"))) continue;
            report(`IoT hub '${String(hub.name)}' is not listed by an enabled Defender for IoT security solution.`, hub.urn);
        }
    },
});
