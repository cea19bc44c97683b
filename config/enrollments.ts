/**
 * Enrollment records as configuration: `enrollmentGroups` and `individualEnrollments` in
 * `Pulumi.<stack>.yaml`, validated here at the edge with the rest of the configuration (every
 * problem at once, each naming the key, the element and the fix) before anything is registered.
 *
 * A group is admitted only if what it names exists in the same stack: the CAs it trusts are CAs the
 * stack registers on DPS (by the names `DeviceCertificateAuthorities` gives them: a generated CA's
 * configured name, or a supplied CA's derived name, as the plan prints them under `DpsCertificate`),
 * its attestation is one `deviceAttestation` allows the stack's devices, and the hubs it allocates
 * to are hubs this stack's DPS links. IoT Edge stays off.
 *
 * The keys are declared in Pulumi.yaml without a `type`: project configuration types cannot
 * describe a list of objects (only string, integer, boolean and arrays of those; pulumi/pulumi
 * sdk/go/common/workspace/project.json, pulumi/pulumi#11321), and an untyped declaration is not
 * type-checked by the CLI (pulumi/pulumi#11192), so this file is where they are checked.
 */
import type { Attestation, ConfigKey } from "./schema";
import { secretLikeName, secretLikeValue } from "../policies/lib/secretLike";

export interface ReprovisionPolicy {
    /** Re-evaluate the hub assignment when a provisioned device provisions again (DPS default true). */
    updateHubAssignment: boolean;
    /** Carry the device's twin to the new hub; false resets it to the initial twin (DPS default true). */
    migrateDeviceData: boolean;
}

export interface InitialTwinConfig {
    tags: Record<string, unknown>;
    desired: Record<string, unknown>;
}

interface RecordConfig {
    /** Host names of linked hubs the devices may be assigned to (default: this stack's hub). */
    iotHubs: string[];
    provisioningStatus: "enabled" | "disabled";
    reprovision: ReprovisionPolicy;
    initialTwin: InitialTwinConfig;
    /** Adopt a record that already exists in DPS (created by hand) instead of creating it. */
    import: boolean;
}

export interface EnrollmentGroupConfig extends RecordConfig {
    id: string;
    attestation: { type: "x509"; caNames: string[] } | { type: "symmetricKey" };
}

export interface IndividualEnrollmentConfig extends RecordConfig {
    registrationId: string;
    deviceId?: string;
    attestation: { type: "tpm"; endorsementKey: string };
}

export interface EnrollmentsConfig {
    groups: EnrollmentGroupConfig[];
    individuals: IndividualEnrollmentConfig[];
}

/** What the rest of the stack's configuration says, for the cross-checks. */
export interface EnrollmentContext {
    dpsEnabled: boolean;
    /** deviceAttestation */
    attestation: Attestation[];
    /** Names of the CAs the stack registers on DPS, and where they come from. */
    caNames: string[];
    caSource: "generated" | "pem";
    /** Host names of the hubs this stack's DPS links. */
    linkedHubs: string[];
}

/**
 * DPS limits (MicrosoftDocs/azure-docs includes/iot-dps-limits.md, shown on
 * learn.microsoft.com/azure/iot-dps/about-iot-dps#quotas-and-limits): at most 100 X.509 enrollment
 * groups and 100 symmetric-key enrollment groups per DPS; DPS supports TPM through individual
 * enrollments only.
 */
export const DPS_MAX_GROUPS_PER_ATTESTATION = 100;

/** Registration and group ids (service.json): 1-128 alphanumerics or `: . _ -`, not at the ends. */
const ENROLLMENT_ID = /^[A-Za-z0-9](?:[A-Za-z0-9:._-]{0,126}[A-Za-z0-9])?$/;
const GROUP_SETTINGS = ["id", "attestation", "iotHubs", "provisioningStatus", "reprovision", "initialTwin", "iotEdge", "import"];
const INDIVIDUAL_SETTINGS = ["registrationId", "deviceId", "attestation", "iotHubs", "provisioningStatus", "reprovision", "initialTwin", "iotEdge", "import"];
/** Keys DPS itself uses at the top of a twin collection (service.json TwinCollection) or that IoT Hub reserves (`$`). */
const RESERVED_TWIN_KEYS = ["version", "count", "metadata"];

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Problems of an initial twin collection (tags or desired properties), as [path, problem]. */
function twinProblems(collection: Record<string, unknown>, path: string, out: [string, string][], depth = 0): void {
    for (const [k, v] of Object.entries(collection)) {
        const here = `${path}.${k}`;
        if (k.startsWith("$")) out.push([here, "names starting with $ are reserved by IoT Hub"]);
        else if (depth === 0 && RESERVED_TWIN_KEYS.includes(k)) out.push([here, `"${k}" is used by DPS itself at the top of a twin collection; nest it or rename it`]);
        const name = secretLikeName(k);
        if (name) out.push([here, `looks like a secret (${name})`]);
        if (typeof v === "string") {
            const value = secretLikeValue(v);
            if (value) out.push([here, `looks like a secret (${value})`]);
        } else if (isRecord(v)) {
            if (depth >= 9) out.push([here, "is nested deeper than the 10 levels a twin allows"]);
            else twinProblems(v, here, out, depth + 1);
        } else if (Array.isArray(v)) {
            v.forEach((e, i) => {
                const value = typeof e === "string" ? secretLikeValue(e) : undefined;
                if (value) out.push([`${here}[${i}]`, `looks like a secret (${value})`]);
                else if (isRecord(e)) twinProblems(e, `${here}[${i}]`, out, depth + 1);
            });
        } else if (v !== null && typeof v !== "number" && typeof v !== "boolean") {
            out.push([here, "must be a string, number, boolean, object, array or null"]);
        }
    }
}

const SECRET_FIX =
    "the initial twin is stored in DPS and in the Pulumi state in plain text and is readable by everyone who can read the device twin: deliver secrets to devices another way (a certificate, or a secret the device fetches with its own identity)";

interface Reporter {
    add: (key: ConfigKey, msg: string) => void;
}

function recordSettings(
    key: "enrollmentGroups" | "individualEnrollments",
    where: string,
    e: Record<string, unknown>,
    ctx: EnrollmentContext,
    r: Reporter,
): Omit<RecordConfig, "import"> & { import: boolean } {
    const add = (msg: string) => r.add(key, `${where}: ${msg}`);
    // Hubs: only hubs this stack's DPS links (a record that names another hub is rejected by DPS, and devices would not be assigned).
    let iotHubs = ctx.linkedHubs;
    if (e.iotHubs !== undefined) {
        if (!Array.isArray(e.iotHubs) || e.iotHubs.length === 0 || e.iotHubs.some((h) => typeof h !== "string")) {
            add(`iotHubs must be a non-empty list of hub host names; leave it out to allocate to this stack's hub (${ctx.linkedHubs.join(", ")})`);
        } else {
            const linked = new Set(ctx.linkedHubs.map((h) => h.toLowerCase()));
            (e.iotHubs as string[]).forEach((h, i) => {
                if (!linked.has(h.toLowerCase())) {
                    add(`iotHubs[${i}] "${h}" is not a hub this stack's DPS links (it links ${ctx.linkedHubs.join(", ")}); use that host name, or leave iotHubs out`);
                }
            });
            iotHubs = [...new Set((e.iotHubs as string[]).map((h) => h.toLowerCase()))];
        }
    }
    let provisioningStatus: "enabled" | "disabled" = "enabled";
    if (e.provisioningStatus !== undefined) {
        if (e.provisioningStatus === "enabled" || e.provisioningStatus === "disabled") provisioningStatus = e.provisioningStatus;
        else add(`provisioningStatus must be enabled or disabled, not ${JSON.stringify(e.provisioningStatus)}`);
    }
    let reprovision: ReprovisionPolicy = { updateHubAssignment: true, migrateDeviceData: true };
    if (e.reprovision !== undefined) {
        const rp = e.reprovision;
        if (!isRecord(rp) || typeof rp.updateHubAssignment !== "boolean" || typeof rp.migrateDeviceData !== "boolean" || Object.keys(rp).some((k) => k !== "updateHubAssignment" && k !== "migrateDeviceData")) {
            add("reprovision must be { updateHubAssignment: true|false, migrateDeviceData: true|false } (leave it out for DPS's default: both true)");
        } else reprovision = { updateHubAssignment: rp.updateHubAssignment, migrateDeviceData: rp.migrateDeviceData };
    }
    if (e.iotEdge !== undefined && e.iotEdge !== false) {
        add(`iotEdge must be false (or left out): this platform provisions device identities, not IoT Edge devices with module identities`);
    }
    let importing = false;
    if (e.import !== undefined) {
        if (typeof e.import === "boolean") importing = e.import;
        else add("import must be true (adopt the existing record on the next `pulumi up`) or false");
    }
    const initialTwin: InitialTwinConfig = { tags: {}, desired: {} };
    if (e.initialTwin !== undefined) {
        const t = e.initialTwin;
        if (!isRecord(t) || Object.keys(t).some((k) => k !== "tags" && k !== "desired")) {
            add("initialTwin must be { tags: {...}, desired: {...} }");
        } else {
            for (const part of ["tags", "desired"] as const) {
                const c = t[part];
                if (c === undefined) continue;
                if (!isRecord(c)) {
                    add(`initialTwin.${part} must be an object of property names and values`);
                    continue;
                }
                const found: [string, string][] = [];
                twinProblems(c, `initialTwin.${part}`, found);
                for (const [path, problem] of found) add(`${path} ${problem}${problem.startsWith("looks like a secret") ? `; ${SECRET_FIX}` : ""}`);
                initialTwin[part] = c;
            }
        }
    }
    return { iotHubs, provisioningStatus, reprovision, initialTwin, import: importing };
}

function checkAllowed(key: "enrollmentGroups" | "individualEnrollments", where: string, type: Attestation, ctx: EnrollmentContext, r: Reporter): void {
    if (!ctx.attestation.includes(type)) {
        r.add(
            key,
            `${where}: uses ${type} attestation, which this stack's devices may not use (deviceAttestation: ${ctx.attestation.join(", ")}); ` +
                `add ${type} to deviceAttestation (it also decides the hub's device SAS setting) or choose an allowed attestation`,
        );
    }
}

function unknownSettings(key: "enrollmentGroups" | "individualEnrollments", where: string, e: Record<string, unknown>, allowed: string[], r: Reporter): void {
    for (const k of Object.keys(e)) if (!allowed.includes(k)) r.add(key, `${where}: "${k}" is not a setting of an enrollment (the settings are ${allowed.join(", ")})`);
}

/**
 * Validates `enrollmentGroups` and `individualEnrollments` against the rest of the stack's
 * configuration; reports every problem through `add` and returns what is valid.
 */
export function checkEnrollments(raw: { groups: unknown; individuals: unknown }, ctx: EnrollmentContext, add: (key: ConfigKey, msg: string) => void): EnrollmentsConfig {
    const r: Reporter = { add };
    const out: EnrollmentsConfig = { groups: [], individuals: [] };
    const lists: ["enrollmentGroups" | "individualEnrollments", unknown][] = [["enrollmentGroups", raw.groups], ["individualEnrollments", raw.individuals]];
    for (const [key, list] of lists) {
        if (list === undefined) continue;
        if (!Array.isArray(list)) {
            add(key, "must be a list of enrollments (YAML sequence of mappings), e.g. - id: fleet-x509");
            continue;
        }
        if (list.length > 0 && !ctx.dpsEnabled) add(key, "lists enrollments while dpsEnabled is false: enable DPS, or remove them");
    }
    const groups = Array.isArray(raw.groups) ? raw.groups : [];
    const seen = new Map<string, number>();
    groups.forEach((g, i) => {
        if (!isRecord(g)) {
            add("enrollmentGroups", `[${i}] must be a mapping with id and attestation`);
            return;
        }
        const id = typeof g.id === "string" ? g.id : "";
        const where = `[${i}]${id ? ` '${id}'` : ""}`;
        unknownSettings("enrollmentGroups", where, g, GROUP_SETTINGS, r);
        if (!ENROLLMENT_ID.test(id)) add("enrollmentGroups", `${where}: id must be 1-128 letters, digits or ': . _ -', starting and ending with a letter or digit`);
        const first = seen.get(id.toLowerCase());
        if (id && first !== undefined) add("enrollmentGroups", `${where}: id is used by [${first}] too (DPS ids are case-insensitive); give each group its own id`);
        else if (id) seen.set(id.toLowerCase(), i);
        const att = g.attestation;
        let attestation: EnrollmentGroupConfig["attestation"] | undefined;
        if (!isRecord(att) || typeof att.type !== "string") {
            add("enrollmentGroups", `${where}: attestation must be { type: x509, caNames: [<CA name>] } or { type: symmetricKey }`);
        } else if (att.type === "x509") {
            checkAllowed("enrollmentGroups", where, "x509", ctx, r);
            const names = att.caNames;
            const extra = Object.keys(att).filter((k) => k !== "type" && k !== "caNames");
            if (extra.length > 0) add("enrollmentGroups", `${where}: attestation of type x509 takes only caNames (not ${extra.join(", ")})`);
            const registered = ctx.caNames.length > 0 ? ctx.caNames.join(", ") : "none";
            const source = ctx.caSource === "generated" ? "caGeneratedNames" : "caCertificatePems (the derived names the plan prints under DpsCertificate)";
            if (!Array.isArray(names) || names.length === 0 || names.length > 2 || names.some((n) => typeof n !== "string")) {
                add("enrollmentGroups", `${where}: attestation.caNames must list one CA, or two during a rotation (current first), by the names this stack registers: ${registered}`);
            } else {
                if (new Set(names).size !== names.length) add("enrollmentGroups", `${where}: attestation.caNames lists a CA twice`);
                (names as string[]).forEach((n, k) => {
                    if (!ctx.caNames.includes(n)) {
                        add("enrollmentGroups", `${where}: attestation.caNames[${k}] "${n}" is not a CA this stack registers on DPS (it registers: ${registered}); register it first through ${source}, or name a registered one`);
                    }
                });
                attestation = { type: "x509", caNames: names as string[] };
            }
        } else if (att.type === "symmetricKey") {
            checkAllowed("enrollmentGroups", where, "symmetricKey", ctx, r);
            const extra = Object.keys(att).filter((k) => k !== "type");
            if (extra.length > 0) add("enrollmentGroups", `${where}: attestation of type symmetricKey takes no settings (the keys are generated by Pulumi and kept secret), not ${extra.join(", ")}`);
            attestation = { type: "symmetricKey" };
            if (g.import === true) {
                add("enrollmentGroups", `${where}: import cannot adopt a symmetric-key group: Pulumi generates the group's keys, so they would never match the existing group's; create a new group (and move the test devices to it), or import it as it is with its keys outside this platform`);
            }
        } else if (att.type === "tpm") {
            add("enrollmentGroups", `${where}: DPS enrollment groups cannot use TPM attestation; list each TPM device under individualEnrollments instead`);
        } else {
            add("enrollmentGroups", `${where}: attestation.type must be x509 or symmetricKey, not ${JSON.stringify(att.type)}`);
        }
        const settings = recordSettings("enrollmentGroups", where, g, ctx, r);
        if (attestation) out.groups.push({ id, attestation, ...settings });
    });
    for (const type of ["x509", "symmetricKey"] as const) {
        const n = groups.filter((g) => isRecord(g) && isRecord(g.attestation) && g.attestation.type === type).length;
        if (n > DPS_MAX_GROUPS_PER_ATTESTATION) {
            add("enrollmentGroups", `lists ${n} ${type} groups; a DPS holds at most ${DPS_MAX_GROUPS_PER_ATTESTATION} (learn.microsoft.com/azure/iot-dps/about-iot-dps#quotas-and-limits): merge groups that share a CA and settings`);
        }
    }
    const individuals = Array.isArray(raw.individuals) ? raw.individuals : [];
    const seenIndividual = new Map<string, number>();
    individuals.forEach((e, i) => {
        if (!isRecord(e)) {
            add("individualEnrollments", `[${i}] must be a mapping with registrationId and attestation`);
            return;
        }
        const id = typeof e.registrationId === "string" ? e.registrationId : "";
        const where = `[${i}]${id ? ` '${id}'` : ""}`;
        unknownSettings("individualEnrollments", where, e, INDIVIDUAL_SETTINGS, r);
        if (!ENROLLMENT_ID.test(id)) add("individualEnrollments", `${where}: registrationId must be 1-128 letters, digits or ': . _ -', starting and ending with a letter or digit`);
        const first = seenIndividual.get(id.toLowerCase());
        if (id && first !== undefined) add("individualEnrollments", `${where}: registrationId is used by [${first}] too; each device has its own`);
        else if (id) seenIndividual.set(id.toLowerCase(), i);
        if (e.deviceId !== undefined && (typeof e.deviceId !== "string" || !/^[A-Za-z0-9\-:.+%_#*?!(),=@$']{1,128}$/.test(e.deviceId))) {
            add("individualEnrollments", `${where}: deviceId must be 1-128 characters of letters, digits and - : . + % _ # * ? ! ( ) , = @ $ '`);
        }
        const att = e.attestation;
        let attestation: IndividualEnrollmentConfig["attestation"] | undefined;
        if (!isRecord(att) || att.type !== "tpm") {
            add("individualEnrollments", `${where}: attestation must be { type: tpm, endorsementKey: <the device's TPM endorsement key, base64> } (X.509 and symmetric-key devices enroll through enrollmentGroups)`);
        } else {
            checkAllowed("individualEnrollments", where, "tpm", ctx, r);
            const ek = att.endorsementKey;
            if (typeof ek !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(ek) || ek.length % 4 !== 0 || Buffer.from(ek, "base64").length < 64) {
                add("individualEnrollments", `${where}: attestation.endorsementKey must be the TPM's endorsement key (public part, base64), as read from the device (e.g. tpm2_readpublic)`);
            } else attestation = { type: "tpm", endorsementKey: ek };
        }
        const settings = recordSettings("individualEnrollments", where, e, ctx, r);
        if (attestation) out.individuals.push({ registrationId: id, ...(typeof e.deviceId === "string" ? { deviceId: e.deviceId } : {}), attestation, ...settings });
    });
    return out;
}
