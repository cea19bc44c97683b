/** IOT-07, rule family `iotHubAuth` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { HubProps } from "../../lib/rules/iotHubNetwork";
import { isTrue, obj, show } from "../../lib/values";

export const iot07ModuleSas = resourceRule({
    id: "IOT-07",
    name: "iot-07-hub-module-sas-disabled",
    description:
        "IoT Hub module SAS (symmetric-key authentication of module identities) must be disabled (properties.disableModuleSAS = true). Absent means module SAS keys are accepted.",
    remediationSteps: "Set properties.disableModuleSAS: true; authenticate modules with X.509 certificates.",
    severity: "medium",
    anchors: "AVM",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const p = obj((props as HubProps).properties);
        if (!isTrue(p.disableModuleSAS)) {
            report(`properties.disableModuleSAS is ${show(p.disableModuleSAS)}; it must be true.`);
        }
    },
});
