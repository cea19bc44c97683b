/** DPS-21, rule family `enrollments` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { recordLabel } from "../../lib/enrollments";
import { attestationOf, Pending, records, typeOf } from "../../lib/rules/enrollments";

export const dps21NoSymmetricKeys = stackRule({
    id: "DPS-21",
    name: "dps-21-no-symmetric-key-enrollments",
    description:
        "Enrollment records must not use symmetric-key attestation: one group key derives every device's key, so whoever holds it can enroll any device, and the key must reach the factory or the devices. Production devices attest with X.509 (or TPM); development stacks may keep a symmetric-key group for test devices and see this as advice. Records are dynamic resources recognised by their kind input.",
    remediationSteps:
        "Enroll devices through an X.509 enrollment group backed by a verified CA, or TPM individual enrollments; remove the symmetric-key group (and symmetricKey from deviceAttestation) from the production stack.",
    severity: "high",
    anchors: "MS DPS symmetric key attestation (less secure than X.509 or TPM); beyond",
    validate({ resources, report }) {
        const pending = new Pending();
        for (const r of records(resources)) {
            const att = attestationOf(r, pending);
            if (att === undefined) continue;
            if (typeOf(att, pending) === "symmetrickey") {
                report(`${recordLabel(r)} attests devices with a symmetric key; use X.509 through a verified CA, or TPM.`, r.urn);
            }
        }
        pending.flush();
    },
});
