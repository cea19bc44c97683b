/** IOT-06, rule family `iotHubAuth` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { HubProps } from "../../lib/rules/iotHubNetwork";
import { isTrue, obj, show } from "../../lib/values";

export const iot06DeviceSas = resourceRule<{ symmetricKeyOrTpmAttestation: boolean }>({
    id: "IOT-06",
    name: "iot-06-hub-device-sas-matches-attestation",
    description:
        "IoT Hub device SAS (symmetric-key device authentication) must be disabled (properties.disableDeviceSAS = true) when devices attest with X.509 only, and left enabled when the stack provisions symmetric-key or TPM devices (after TPM attestation DPS hands the device a symmetric key). Which attestation the stack uses is this rule's configuration.",
    remediationSteps:
        "For an X.509-only stack set properties.disableDeviceSAS: true. For a stack with symmetric-key or TPM enrollments set symmetricKeyOrTpmAttestation: true in the stack's policy config and leave disableDeviceSAS false.",
    severity: "medium",
    anchors: "AVM",
    kinds: ["iotHub"],
    config: {
        symmetricKeyOrTpmAttestation: {
            type: "boolean",
            default: false,
            description: "The stack enrolls symmetric-key or TPM devices (device SAS must then stay enabled).",
        },
    },
    validate(props, { config, report }) {
        const p = obj((props as HubProps).properties);
        const disabled = isTrue(p.disableDeviceSAS);
        if (!config.symmetricKeyOrTpmAttestation && !disabled) {
            report(
                `properties.disableDeviceSAS is ${show(p.disableDeviceSAS)}; devices attest with X.509 only, so device SAS keys must be rejected (true).`,
            );
        } else if (config.symmetricKeyOrTpmAttestation && disabled) {
            report(
                "properties.disableDeviceSAS is true, but the stack enrolls symmetric-key or TPM devices: they could not connect.",
            );
        }
    },
});
