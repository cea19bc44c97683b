/** IOT-01, rule family `iotHubNetwork` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { HubProps } from "../../lib/rules/iotHubNetwork";
import { num, obj, show } from "../../lib/values";

export const iot01MinTls = resourceRule({
    id: "IOT-01",
    name: "iot-01-hub-min-tls-12",
    description:
        "IoT Hub must accept TLS 1.2 or later only (properties.minTlsVersion = \"1.2\"). Absent means the hub also accepts TLS 1.0/1.1. The setting can only be chosen when the hub is created: changing it later replaces the hub and loses its device registry.",
    remediationSteps:
        "Set properties.minTlsVersion: \"1.2\" on the IotHubResource. On an existing hub this forces a replacement: export the device identities first (az iot hub device-identity export) and re-import them.",
    severity: "high",
    anchors: "PSR Azure.IoTHub.MinTLS; AVM",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const p = obj((props as HubProps).properties);
        const v = p.minTlsVersion;
        const n = num(v);
        if (n === undefined || n < 1.2) {
            report(
                `properties.minTlsVersion is ${show(v)}${v === undefined ? " (the hub then accepts TLS 1.0 and 1.1)" : ""}; it must be "1.2".`,
            );
        }
    },
});
