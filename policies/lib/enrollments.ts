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

const SECRET_WORDS = new Set(["password", "passwd", "passphrase", "pwd", "secret", "secrets", "token", "tokens", "credential", "credentials", "sas", "signature", "apikey", "privatekey", "connectionstring", "sharedaccesskey"]);
const SECRET_PAIRS = new Set(["access key", "account key", "api key", "auth key", "private key", "primary key", "secondary key", "shared key", "symmetric key", "device key", "group key", "connection string", "shared access", "client secret"]);

function nameWords(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w !== "");
}

/** Why a twin property name looks like it holds a secret (password, token, key, connection string...), or undefined. */
export function secretLikeName(name: string): string | undefined {
    const w = nameWords(name);
    if (w.length === 1 && (w[0] === "key" || w[0] === "keys")) return `its name "${name}" is a key`;
    const hit = w.find((x) => SECRET_WORDS.has(x));
    if (hit) return `its name "${name}" says ${hit}`;
    for (let i = 0; i + 1 < w.length; i++) if (SECRET_PAIRS.has(`${w[i]} ${w[i + 1]}`)) return `its name "${name}" says ${w[i]} ${w[i + 1]}`;
    return undefined;
}

/** Why a twin value looks like a secret (connection string, SAS, private key, JWT, base64 key material), or undefined. */
export function secretLikeValue(value: string): string | undefined {
    if (/(SharedAccessKey|AccountKey|SharedAccessSignature)\s*=|\bsig=[A-Za-z0-9%/+]{10,}/i.test(value)) return "it holds a connection string or SAS token";
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return "it holds a private key";
    if (/^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+$/.test(value)) return "it holds a JSON Web Token";
    if (/^[A-Za-z0-9+/]{42,}={0,2}$/.test(value) && value.length % 4 === 0 && !/^[0-9a-fA-F]+$/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value)) {
        return "it looks like base64 key material (32 bytes or more)";
    }
    return undefined;
}
