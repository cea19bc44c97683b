/** IOT-15, rule family `iotHubSku` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { HubProps } from "../../lib/rules/iotHubNetwork";
import { lower, obj, show } from "../../lib/values";

export const iot15Sku = resourceRule<{ forbiddenSkus: string[] }>({
    id: "IOT-15",
    name: "iot-15-hub-sku-has-sla",
    description:
        "IoT Hub must not run on a tier without an SLA (the free F1 tier, and any tier listed in the configuration). Production stacks enforce it; development stacks report it as advice.",
    remediationSteps: "Set sku.name to a standard tier (S1, S2 or S3) with the capacity the device fleet needs.",
    severity: "medium",
    anchors: "beyond",
    kinds: ["iotHub"],
    config: {
        forbiddenSkus: {
            type: "array",
            items: { type: "string" },
            default: ["F1"],
            description: "IoT Hub SKU names that are not allowed.",
        },
    },
    validate(props, { config, report }) {
        const sku = obj((props as HubProps).sku);
        const name = lower(sku.name);
        if (name === undefined || name === "") {
            report(`sku.name is ${show(sku.name)}; choose a standard tier.`);
            return;
        }
        if (config.forbiddenSkus.some((s) => s.toLowerCase() === name)) {
            report(`sku.name is ${show(sku.name)}, a tier without an SLA (forbidden: ${config.forbiddenSkus.join(", ")}).`);
        }
    },
});
