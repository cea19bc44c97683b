/**
 * What the offline plan shows of a DPS enrollment record (a dynamic resource, recognised by its
 * `kind` input; components/enrollments/resources.ts): the record's id and DPS, its attestation with
 * the CA certificates it trusts (and whether they are registered verified), the hubs it allocates
 * to, its status, re-provisioning policy, IoT Edge setting and initial twin. Keys stay masked.
 */
import { createHash } from "node:crypto";
import { at, isSecret, label, show, type Lookup } from "./resourceLines";
import { UNKNOWN, type CapturedResource } from "./types";

type Line = [string, string];

const KINDS: Record<string, string> = {
    "azure-iot-dps:EnrollmentGroup": "DPS enrollment group",
    "azure-iot-dps:IndividualEnrollment": "DPS individual enrollment",
};

/** True when the resource is an enrollment record. */
export function isEnrollmentRecord(r: CapturedResource): boolean {
    return r.type === "pulumi-nodejs:dynamic:Resource" && typeof at(r.inputs, "kind") === "string" && (at(r.inputs, "kind") as string) in KINDS;
}

function caLine(r: CapturedResource, name: unknown, lookup?: Lookup): string {
    if (name === UNKNOWN || isSecret(name)) return show(name);
    const cert = (r.propertyDependencies.attestation ?? [])
        .map((u) => lookup?.(u))
        .find((c): c is CapturedResource => c?.type === "azure-native:deviceprovisioningservices:DpsCertificate" && at(c.inputs, "certificateName") === name);
    if (!cert) return `${show(name)} (no DpsCertificate of this name in the program)`;
    return `${show(name)} (${label(cert)}, ${at(cert.inputs, "properties.isVerified") === true ? "verified" : "NOT verified"})`;
}

export function describeEnrollment(r: CapturedResource, lookup?: Lookup): Line[] {
    const i = r.inputs;
    const p = (path: string) => show(at(i, path));
    const kind = at(i, "kind") as string;
    const group = kind === "azure-iot-dps:EnrollmentGroup";
    const type = at(i, "attestation.type");
    let attestation: string;
    if (type === "x509") {
        const refs = ["primary", "secondary"].map((s) => at(i, `attestation.x509.caReferences.${s}`)).filter((x) => x !== undefined);
        attestation = `x509 through CA ${refs.map((n) => caLine(r, n, lookup)).join(" and ")}${refs.length > 1 ? " (rotation: both trusted)" : ""}`;
    } else if (type === "symmetricKey") {
        attestation = `symmetricKey, keys ${show(at(i, "attestation.symmetricKey.primaryKey"))} (secret outputs primaryKey, secondaryKey)`;
    } else if (type === "tpm") {
        const ek = at(i, "attestation.tpm.endorsementKey");
        attestation = typeof ek === "string" ? `tpm, endorsement key sha256 ${createHash("sha256").update(ek).digest("hex").slice(0, 16)}` : `tpm, endorsement key ${show(ek)}`;
    } else {
        attestation = show(type);
    }
    const twin = (path: string) => {
        const v = at(i, path);
        return v === undefined ? "{}" : show(v);
    };
    return [
        ["kind", `${KINDS[kind]} (${kind}, DPS service API ${p("apiVersion")})`],
        ["id", `${p(group ? "enrollmentGroupId" : "registrationId")} on ${p("provisioningServiceName")}${group ? "" : at(i, "deviceId") !== undefined ? `, device id ${p("deviceId")}` : ""}`],
        ["attestation", attestation],
        ["iotHubs", at(i, "iotHubs") === undefined ? "every linked hub" : p("iotHubs")],
        ["provisioningStatus", p("provisioningStatus")],
        ["reprovision", `updateHubAssignment ${p("reprovisionPolicy.updateHubAssignment")}, migrateDeviceData ${p("reprovisionPolicy.migrateDeviceData")}`],
        ["iotEdge", p("capabilities.iotEdge")],
        ["initialTwin", `tags ${twin("initialTwin.tags")}; desired ${twin("initialTwin.properties.desired")}`],
        ...(r.importId ? [["import", `adopts the existing record ${r.importId}`] as Line] : []),
    ];
}
