/**
 * How the rules recognise DPS enrollment records and the resources they relate to.
 *
 * Enrollment groups and individual enrollments have no ARM resource; the program manages them as
 * Pulumi dynamic resources (components/enrollments/resources.ts), whose type token is always the
 * generic `pulumi-nodejs:dynamic:Resource`. The provider keeps a `kind` input that names what the
 * resource is, and the record's DPS-shaped inputs next to it:
 *
 * | input | meaning |
 * |---|---|
 * | `kind` | `azure-iot-dps:EnrollmentGroup` or `azure-iot-dps:IndividualEnrollment` |
 * | `provisioningServiceName`, `serviceHostName` | the DPS (ARM name; `<name>.azure-devices-provisioning.net`), computed from the DPS resource, so `propertyDependencies` link them to it |
 * | `enrollmentGroupId` / `registrationId` | the record's id |
 * | `attestation` | DPS `AttestationMechanism`: `{ type: "x509", x509: { caReferences: { primary, secondary? } } }`, `{ type: "symmetricKey", ... }` or `{ type: "tpm", ... }`; its `propertyDependencies` point at the DpsCertificate resources the CA names come from |
 * | `iotHubs` | host names of the hubs the record allocates to (absent: every linked hub); dependencies point at the hubs |
 * | `initialTwin` | `{ tags, properties: { desired } }` |
 *
 * A rule matches `type === "pulumi-nodejs:dynamic:Resource"` and a `kind` it knows, never the type
 * alone (other dynamic resources share it). The DPS a record belongs to is found through the
 * dependency of `provisioningServiceName`, or by name; the DPS itself is the typed
 * `IotDpsResource` (v3 token or v2 alias) or the generic ARM `azure-native:resources:Resource` with
 * `Microsoft.Devices/provisioningServices` (the SDK's typed class lacks identity-linked hubs).
 */
import type { PolicyResource } from "@pulumi/policy";
import type { StackGraph } from "./graph";
import { hubNameFromConnectionString } from "./sas";
import { isKind } from "./tokens";
import { knownElements, peek } from "./unknowns";
import { arr, isObj, lower, str } from "./values";

export const DYNAMIC_RESOURCE = "pulumi-nodejs:dynamic:Resource";
export const ENROLLMENT_GROUP = "azure-iot-dps:EnrollmentGroup";
export const INDIVIDUAL_ENROLLMENT = "azure-iot-dps:IndividualEnrollment";
const GENERIC_RESOURCE = "azure-native:resources:Resource";

function kindOf(r: PolicyResource): string | undefined {
    if (r.type !== DYNAMIC_RESOURCE) return undefined;
    const k = peek(r.props, "kind");
    return k.known ? str(k.value) : undefined;
}

export function isEnrollmentGroup(r: PolicyResource): boolean {
    return kindOf(r) === ENROLLMENT_GROUP;
}

export function isEnrollmentRecord(r: PolicyResource): boolean {
    const k = kindOf(r);
    return k === ENROLLMENT_GROUP || k === INDIVIDUAL_ENROLLMENT;
}

/** "enrollment group 'fleet-x509'" (or the logical name when the id is not known). */
export function recordLabel(r: PolicyResource): string {
    const group = isEnrollmentGroup(r);
    const id = peek(r.props, group ? "enrollmentGroupId" : "registrationId");
    const text = id.known ? str(id.value) : undefined;
    return `${group ? "enrollment group" : "individual enrollment"} '${text ?? String(r.name)}'`;
}

/** A DPS resource: the typed class (v3 or v2 token), or the generic ARM resource of that type. */
export function isDpsResource(r: PolicyResource): boolean {
    if (isKind(r.type, "dps")) return true;
    if (r.type !== GENERIC_RESOURCE) return false;
    const ns = peek(r.props, "resourceProviderNamespace");
    const type = peek(r.props, "resourceType");
    return ns.known && type.known && lower(ns.value) === "microsoft.devices" && lower(type.value) === "provisioningservices";
}

/** The DPS's ARM name, when known. */
export function dpsNameOf(r: PolicyResource): string | undefined {
    for (const key of r.type === GENERIC_RESOURCE ? ["resourceName", "name"] : ["provisioningServiceName", "name"]) {
        const p = peek(r.props, key);
        const v = p.known ? lower(p.value) : undefined;
        if (v) return v;
    }
    return undefined;
}

/** The DPS a record belongs to: through the dependency of its DPS name, else by that name. */
export function dpsOfRecord(graph: StackGraph, record: PolicyResource): PolicyResource | undefined {
    for (const property of ["provisioningServiceName", "serviceHostName"]) {
        const byDep = graph.depsOf(record, property).find(isDpsResource);
        if (byDep) return byDep;
    }
    const name = peek(record.props, "provisioningServiceName");
    const wanted = name.known ? lower(name.value) : undefined;
    return wanted === undefined ? undefined : graph.resources.filter(isDpsResource).find((d) => dpsNameOf(d) === wanted);
}

/** The record's DPS name as the record states it. */
export function recordDpsName(record: PolicyResource): string | undefined {
    const p = peek(record.props, "provisioningServiceName");
    return p.known ? lower(p.value) : undefined;
}

/** True when a DpsCertificate belongs to the DPS (by dependency, or by name). */
export function certificateOnDps(graph: StackGraph, cert: PolicyResource, dps: PolicyResource | undefined, dpsName: string | undefined): boolean {
    if (dps !== undefined && graph.depsOf(cert, "provisioningServiceName").some((d) => d.urn === dps.urn)) return true;
    const p = peek(cert.props, "provisioningServiceName");
    const certDps = p.known ? lower(p.value) : undefined;
    const name = (dps !== undefined ? dpsNameOf(dps) : undefined) ?? dpsName;
    return certDps !== undefined && name !== undefined && certDps === name;
}

/**
 * The linked hubs of a DPS: host names from `iotHubs[].hostName` (identity links) or the
 * connection string's HostName (key links), and the hub resources its `properties` were computed
 * from. `unknown` lists entries whose host name is not known yet.
 */
export function linkedHubsOf(graph: StackGraph, dps: PolicyResource): { hostNames: Set<string>; hubs: PolicyResource[]; unknown: boolean } {
    const out = { hostNames: new Set<string>(), hubs: graph.depsOfKind(dps, "properties", "iotHub"), unknown: false };
    const props = peek(dps.props, "properties");
    if (!props.known) {
        out.unknown = true;
        return out;
    }
    if (!isObj(props.value)) return out;
    const hubs = peek(props.value, "iotHubs");
    if (!hubs.known) {
        out.unknown = true;
        return out;
    }
    const list = arr<unknown>(hubs.value);
    const known = knownElements(list);
    if (known.length < list.length) out.unknown = true;
    for (const { value } of known) {
        if (!isObj(value)) continue;
        const host = peek(value, "hostName");
        if (host.known && str(host.value)) {
            out.hostNames.add(String(lower(host.value)));
            continue;
        }
        const cs = peek(value, "connectionString");
        const hubName = cs.known ? hubNameFromConnectionString(cs.value) : undefined;
        if (hubName) out.hostNames.add(`${hubName}.azure-devices.net`);
        else out.unknown = true;
    }
    return out;
}

/** Host name of an IoT hub resource in the program (`<name>.azure-devices.net`), when known. */
export function hubHostName(hub: PolicyResource): string | undefined {
    for (const key of ["resourceName", "name"]) {
        const p = peek(hub.props, key);
        const v = p.known ? lower(p.value) : undefined;
        if (v) return `${v}.azure-devices.net`;
    }
    return undefined;
}

