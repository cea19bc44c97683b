/**
 * The dynamic provider behind `EnrollmentGroup` and `IndividualEnrollment`: create, read, update
 * and delete DPS enrollment records over the DPS service (data-plane) REST API, signed in with
 * Entra ID. Enrollments have no ARM resource, so no azure-native class can manage them.
 *
 * Contract, from Azure/azure-rest-api-specs
 * `specification/deviceprovisioningservices/data-plane/DeviceProvisioningServices/stable/2026-11-01/service.json`
 * (the newest stable service API; 2026-11-02-preview and 2026-11-15-preview are previews):
 * - `PUT|GET|DELETE https://{dpsName}.azure-devices-provisioning.net/enrollmentGroups/{id}?api-version=2026-11-01`
 *   and the same under `/enrollments/{id}` (individual enrollments, keyed by registration id);
 * - PUT (create or update) and DELETE take `If-Match` with the record's `etag`; PUT answers 200 with
 *   the record, DELETE 204; any other answer carries `ProvisioningServiceErrorDetails`
 *   (`errorCode`, `trackingId`, `message`, `timestampUtc`) and an `x-ms-error-code` header;
 * - `POST .../{id}/attestationmechanism` returns the record's attestation, keys included.
 *
 * Authentication: a bearer token for the resource `https://azure-devices-provisioning.net`
 * (MicrosoftDocs/azure-docs `articles/iot-dps/concepts-control-access-dps-azure-ad.md`), i.e. the
 * scope `https://azure-devices-provisioning.net/.default`, from `DefaultAzureCredential` (the Azure
 * CLI login in CI and on laptops, a managed identity on a runner in Azure). No SAS key: DPS has
 * local auth off. The caller needs Device Provisioning Service Data Contributor on the DPS.
 *
 * Why this module looks the way it does. Pulumi serializes the provider object, and everything its
 * functions reach, into the state (the `__provider` input) with its closure serializer; the
 * dynamic-provider host later evaluates that text (`require-from-string`), where none of this
 * repository's TypeScript can be required, and it runs read and delete with the text stored when
 * the resource was created. So:
 * - this file is self-contained: the provider's functions reach only functions and constants
 *   declared here (serialized by value) and npm packages or Node built-ins, which they `require`
 *   inside their bodies, lazily (serialized as a `require("...")` call, resolved from the
 *   project's node_modules when the host runs). A top-level `import` of an SDK is walked by the
 *   serializer and fails on native code or hangs (pulumi/pulumi#13960, #18997, #6115); an import of
 *   another local module would serialize that whole module (pulumi/pulumi#1655);
 * - the code lives in one function, `implementation()`, which the provider's methods call: the
 *   serializer captures it as one text (about 30 KB in the state) instead of inspecting every
 *   helper through the V8 inspector, and nothing the methods reach is a module export (tsc rewrites
 *   a reference to an exported `const` to `exports.X`, which would capture the module object); no
 *   classes, no `this`;
 * - new versions must keep reading what old versions stored: the host does not replace a resource
 *   because its provider text changed.
 * `test/enrollment-provider.spec.ts` serializes the provider the way the SDK does, evaluates the text
 * the way the host does and drives the result against a fake DPS.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy requires are the point (see above) */
import type * as https from "node:https";
import type { LookupFunction } from "node:net";

// ---------------------------------------------------------------------------------------------
// Shapes

export type EnrollmentKind = "azure-iot-dps:EnrollmentGroup" | "azure-iot-dps:IndividualEnrollment";

export interface X509CaAttestation {
    type: "x509";
    /** CA certificates registered on this DPS (DpsCertificate names): primary, and secondary during a rotation. */
    x509: { caReferences: { primary: string; secondary?: string } };
}
export interface SymmetricKeyAttestation {
    type: "symmetricKey";
    /** Base64, 16-64 bytes each. Secret: never echoed into `attestation` outputs. */
    symmetricKey: { primaryKey: string; secondaryKey: string };
}
export interface TpmAttestation {
    type: "tpm";
    /** The device's TPM endorsement key (public; not a secret). */
    tpm: { endorsementKey: string };
}
export type Attestation = X509CaAttestation | SymmetricKeyAttestation | TpmAttestation;

export interface InitialTwin {
    tags?: Record<string, unknown>;
    properties?: { desired?: Record<string, unknown> };
}

/** What the program gives the provider (the resource's inputs; policy rules read these). */
export interface EnrollmentInputs {
    /** Recognises the resource (its type token is the generic `pulumi-nodejs:dynamic:Resource`). */
    kind: EnrollmentKind;
    apiVersion: string;
    /** The DPS's ARM name, and its service host `<name>.azure-devices-provisioning.net`. */
    provisioningServiceName: string;
    serviceHostName: string;
    /** Enrollment groups: the group id. */
    enrollmentGroupId?: string;
    /** Individual enrollments: the registration id, and optionally the hub device id. */
    registrationId?: string;
    deviceId?: string;
    attestation: Attestation;
    /** Host names of the linked hubs the records may be allocated to (absent: every linked hub). */
    iotHubs?: string[];
    allocationPolicy?: "hashed" | "geoLatency" | "static";
    provisioningStatus: "enabled" | "disabled";
    reprovisionPolicy: { updateHubAssignment: boolean; migrateDeviceData: boolean };
    capabilities: { iotEdge: boolean };
    initialTwin?: InitialTwin;
}

/** What the state records: the inputs' shape without keys, plus what DPS computes. */
export interface EnrollmentOutputs extends Omit<EnrollmentInputs, "attestation"> {
    attestation: Record<string, unknown>;
    etag: string;
    createdDateTimeUtc?: string;
    lastUpdatedDateTimeUtc?: string;
    /** Symmetric-key records only; secret (the resource lists them in additionalSecretOutputs). */
    primaryKey?: string;
    secondaryKey?: string;
}

export interface HttpRequest {
    method: "GET" | "PUT" | "DELETE" | "POST";
    url: string;
    headers: Record<string, string>;
    body?: string;
}
export interface HttpResponse {
    status: number;
    headers: Record<string, string | undefined>;
    body: string;
}
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** The part of `@azure/identity`'s TokenCredential the provider uses. */
export interface TokenSource {
    getToken(scope: string): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

export interface EnrollmentProviderOptions {
    /** Default: `DefaultAzureCredential`, created on first use. */
    credential?: TokenSource;
    /** Default: HTTPS to the service host (`httpsTransport()`). */
    transport?: Transport;
    sleep?: (ms: number) => Promise<void>;
    random?: () => number;
    now?: () => number;
    /** Attempts per request, retries included (default 6). */
    maxAttempts?: number;
    /** First backoff ceiling and the largest one, in ms (defaults 500 and 30000). */
    baseDelayMs?: number;
    maxDelayMs?: number;
    /** Time budget of one request with its retries, in ms (default 120000). */
    maxElapsedMs?: number;
}

interface RecordContext {
    kind: EnrollmentKind;
    apiVersion: string;
    provisioningServiceName: string;
    serviceHostName: string;
}

interface ClientState {
    credential?: TokenSource;
    token?: { token: string; expiresOnTimestamp: number };
}

interface CallResult {
    status: number;
    body: Record<string, unknown> | undefined;
    headers: Record<string, string | undefined>;
    text: string;
}

// ---------------------------------------------------------------------------------------------
// The implementation: one function, so the serializer walks one text instead of every helper

/**
 * Everything the provider does, inside one function: the closure serializer inspects each captured
 * function separately (through the V8 inspector, the slow part of serializing a provider), and a
 * nested function is just part of its parent's text. The provider's methods call this function;
 * the module exports its helpers for the tests.
 */
function implementation() {
    /** The DPS service API version the provider speaks. */
    const API_VERSION = "2026-11-01";
    /** Entra ID scope of the DPS data plane (resource `https://azure-devices-provisioning.net`). */
    const DPS_SCOPE = "https://azure-devices-provisioning.net/.default";
    /** Pulumi's wire sentinel for a value not known yet (preview); `check` skips such values. */
    const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const GROUP_KIND = "azure-iot-dps:EnrollmentGroup";
    const INDIVIDUAL_KIND = "azure-iot-dps:IndividualEnrollment";
    /** Registration and group ids: alphanumerics plus `: . _ -`, not at the ends, up to 128 (service.json). */
    const ENROLLMENT_ID = /^[A-Za-z0-9](?:[A-Za-z0-9:._-]{0,126}[A-Za-z0-9])?$/;
    const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
    /** Keys DPS adds to a twin collection in its answers (service.json `TwinCollection`), not ours. */
    const TWIN_METADATA_KEYS = ["version", "count", "metadata", "$version", "$metadata"];
    const RETRYABLE_STATUS = [408, 429, 500, 502, 503, 504];
    const RETRYABLE_ERRORS = ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "ESOCKETTIMEDOUT", "UND_ERR_SOCKET"];

    // ---------------------------------------------------------------------------------------------
    // Pure helpers (exported for the tests; referenced inside as declarations)

    function collectionOf(kind: EnrollmentKind): "enrollmentGroups" | "enrollments" {
        return kind === GROUP_KIND ? "enrollmentGroups" : "enrollments";
    }

    function enrollmentIdOf(x: { kind: EnrollmentKind; enrollmentGroupId?: string; registrationId?: string }): string {
        return (x.kind === GROUP_KIND ? x.enrollmentGroupId : x.registrationId) ?? "";
    }

    /** "enrollment group 'fleet'" or "individual enrollment 'tpm-0042'", for messages. */
    function labelOf(kind: EnrollmentKind, id: string): string {
        return `${kind === GROUP_KIND ? "enrollment group" : "individual enrollment"} '${id}'`;
    }

    /** The Pulumi id of a record: `<service host>/<collection>/<id>` (also what `import` takes). */
    function resourceIdOf(serviceHostName: string, kind: EnrollmentKind, id: string): string {
        return `${serviceHostName}/${collectionOf(kind)}/${id}`;
    }

    function parseResourceId(id: string): { serviceHostName: string; kind: EnrollmentKind; enrollmentId: string } | undefined {
        const m = /^([^/]+)\/(enrollmentGroups|enrollments)\/([^/]+)$/.exec(id);
        if (!m) return undefined;
        return { serviceHostName: m[1].toLowerCase(), kind: m[2] === "enrollmentGroups" ? GROUP_KIND : INDIVIDUAL_KIND, enrollmentId: m[3] };
    }

    function isUnknown(v: unknown): boolean {
        return v === UNKNOWN_VALUE;
    }

    function isRecord(v: unknown): v is Record<string, unknown> {
        return typeof v === "object" && v !== null && !Array.isArray(v);
    }

    function isBase64Key(v: unknown): boolean {
        if (typeof v !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(v) || v.length % 4 !== 0) return false;
        const bytes = Buffer.from(v, "base64").length;
        return bytes >= 16 && bytes <= 64;
    }

    /** Validation of the inputs, in the words of the record it concerns (run by `check`). */
    function checkInputs(news: Record<string, unknown>): { property: string; reason: string }[] {
        const failures: { property: string; reason: string }[] = [];
        const fail = (property: string, reason: string) => failures.push({ property, reason });
        const kind = news.kind;
        if (kind !== GROUP_KIND && kind !== INDIVIDUAL_KIND) {
            fail("kind", `must be ${GROUP_KIND} or ${INDIVIDUAL_KIND}, got ${JSON.stringify(kind)}`);
            return failures;
        }
        const idField = kind === GROUP_KIND ? "enrollmentGroupId" : "registrationId";
        const id = news[idField];
        const label = labelOf(kind, typeof id === "string" ? id : "?");
        if (!isUnknown(id) && (typeof id !== "string" || !ENROLLMENT_ID.test(id))) {
            fail(idField, `${label}: the id must be 1-128 letters, digits or ': . _ -', starting and ending with a letter or digit`);
        }
        for (const key of ["provisioningServiceName", "serviceHostName", "apiVersion"]) {
            const v = news[key];
            if (!isUnknown(v) && (typeof v !== "string" || v === "")) fail(key, `${label}: ${key} is required`);
        }
        if (typeof news.serviceHostName === "string" && !isUnknown(news.serviceHostName) && !HOST_NAME.test(news.serviceHostName)) {
            fail("serviceHostName", `${label}: ${JSON.stringify(news.serviceHostName)} is not a host name (expected <dps name>.azure-devices-provisioning.net)`);
        }
        const att = news.attestation;
        if (!isUnknown(att)) {
            if (!isRecord(att)) fail("attestation", `${label}: attestation is required`);
            else {
                const type = att.type;
                if (type === "x509") {
                    const refs = isRecord(att.x509) && isRecord(att.x509.caReferences) ? att.x509.caReferences : undefined;
                    if (!refs || (!isUnknown(refs.primary) && (typeof refs.primary !== "string" || refs.primary === ""))) {
                        fail("attestation", `${label}: X.509 attestation needs x509.caReferences.primary, the name of a CA certificate registered on the DPS`);
                    }
                    if (kind === INDIVIDUAL_KIND) fail("attestation", `${label}: individual enrollments take TPM attestation here; enroll X.509 devices through a CA-backed enrollment group`);
                } else if (type === "symmetricKey") {
                    const sk = isRecord(att.symmetricKey) ? att.symmetricKey : {};
                    for (const k of ["primaryKey", "secondaryKey"]) {
                        if (!isUnknown(sk[k]) && !isBase64Key(sk[k])) fail("attestation", `${label}: symmetricKey.${k} must be base64 of 16-64 bytes`);
                    }
                    if (kind === INDIVIDUAL_KIND) fail("attestation", `${label}: individual enrollments take TPM attestation here; symmetric-key devices enroll through a group`);
                } else if (type === "tpm") {
                    const ek = isRecord(att.tpm) ? att.tpm.endorsementKey : undefined;
                    if (!isUnknown(ek) && (typeof ek !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(ek))) {
                        fail("attestation", `${label}: tpm.endorsementKey must be the device's endorsement key, base64`);
                    }
                    if (kind === GROUP_KIND) fail("attestation", `${label}: DPS enrollment groups do not support TPM attestation; create an individual enrollment per TPM device`);
                } else if (!isUnknown(type)) {
                    fail("attestation", `${label}: attestation.type must be x509, symmetricKey or tpm, got ${JSON.stringify(type)}`);
                }
            }
        }
        const status = news.provisioningStatus;
        if (!isUnknown(status) && status !== "enabled" && status !== "disabled") fail("provisioningStatus", `${label}: provisioningStatus must be enabled or disabled`);
        const policy = news.allocationPolicy;
        if (policy !== undefined && !isUnknown(policy) && !["hashed", "geoLatency", "static"].includes(policy as string)) {
            fail("allocationPolicy", `${label}: allocationPolicy must be hashed, geoLatency or static`);
        }
        const rp = news.reprovisionPolicy;
        if (!isUnknown(rp) && (!isRecord(rp) || typeof rp.updateHubAssignment !== "boolean" || typeof rp.migrateDeviceData !== "boolean")) {
            fail("reprovisionPolicy", `${label}: reprovisionPolicy needs updateHubAssignment and migrateDeviceData (booleans)`);
        }
        const caps = news.capabilities;
        if (!isUnknown(caps) && (!isRecord(caps) || typeof caps.iotEdge !== "boolean")) fail("capabilities", `${label}: capabilities.iotEdge (boolean) is required`);
        const hubs = news.iotHubs;
        if (hubs !== undefined && !isUnknown(hubs) && (!Array.isArray(hubs) || hubs.some((h) => !isUnknown(h) && (typeof h !== "string" || !HOST_NAME.test(h))))) {
            fail("iotHubs", `${label}: iotHubs must list hub host names such as iot-fleet-prod-1a2b3c.azure-devices.net`);
        }
        return failures;
    }

    /** Removes what DPS adds to a twin collection, so the live record compares with the program's. */
    function cleanTwinCollection(c: unknown): Record<string, unknown> | undefined {
        if (!isRecord(c)) return undefined;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(c)) if (!TWIN_METADATA_KEYS.includes(k)) out[k] = v;
        return out;
    }

    function normalizeTwin(twin: unknown): InitialTwin | undefined {
        if (!isRecord(twin)) return undefined;
        const tags = cleanTwinCollection(twin.tags) ?? {};
        const desired = cleanTwinCollection(isRecord(twin.properties) ? twin.properties.desired : undefined) ?? {};
        if (Object.keys(tags).length === 0 && Object.keys(desired).length === 0) return undefined;
        return { tags, properties: { desired } };
    }

    /** Attestation as the state keeps it: keys removed, only what identifies the trust anchor. */
    function publicAttestation(att: unknown): Record<string, unknown> {
        if (!isRecord(att)) return {};
        const type = att.type;
        if (type === "x509") {
            const x = isRecord(att.x509) ? att.x509 : {};
            const out: Record<string, unknown> = {};
            if (isRecord(x.caReferences)) {
                const refs: Record<string, unknown> = { primary: x.caReferences.primary };
                if (typeof x.caReferences.secondary === "string" && x.caReferences.secondary !== "") refs.secondary = x.caReferences.secondary;
                out.caReferences = refs;
            }
            // A group created elsewhere may trust an uploaded certificate instead: keep what identifies it.
            for (const which of ["signingCertificates", "clientCertificates"]) {
                const certs = x[which];
                if (!isRecord(certs)) continue;
                const summary: Record<string, unknown> = {};
                for (const slot of ["primary", "secondary"]) {
                    const c = certs[slot];
                    const info = isRecord(c) && isRecord(c.info) ? c.info : undefined;
                    if (info) summary[slot] = { subjectName: info.subjectName, sha256Thumbprint: info.sha256Thumbprint };
                }
                if (Object.keys(summary).length > 0) out[which] = summary;
            }
            return { type, x509: out };
        }
        if (type === "tpm") {
            const t = isRecord(att.tpm) ? att.tpm : {};
            return { type, tpm: { endorsementKey: t.endorsementKey } };
        }
        if (type === "symmetricKey") return { type, symmetricKey: {} };
        return { type };
    }

    /** The request body of a PUT (service.json `EnrollmentGroup` / `IndividualEnrollment`). */
    function bodyOf(inputs: EnrollmentInputs): Record<string, unknown> {
        const body: Record<string, unknown> = {};
        if (inputs.kind === GROUP_KIND) body.enrollmentGroupId = inputs.enrollmentGroupId;
        else {
            body.registrationId = inputs.registrationId;
            if (inputs.deviceId) body.deviceId = inputs.deviceId;
        }
        const att = inputs.attestation;
        if (att.type === "x509") {
            const refs: Record<string, string> = { primary: att.x509.caReferences.primary };
            if (att.x509.caReferences.secondary) refs.secondary = att.x509.caReferences.secondary;
            body.attestation = { type: "x509", x509: { caReferences: refs } };
        } else if (att.type === "symmetricKey") {
            body.attestation = { type: "symmetricKey", symmetricKey: { primaryKey: att.symmetricKey.primaryKey, secondaryKey: att.symmetricKey.secondaryKey } };
        } else {
            body.attestation = { type: "tpm", tpm: { endorsementKey: att.tpm.endorsementKey } };
        }
        body.capabilities = { iotEdge: inputs.capabilities.iotEdge };
        body.provisioningStatus = inputs.provisioningStatus;
        body.reprovisionPolicy = { updateHubAssignment: inputs.reprovisionPolicy.updateHubAssignment, migrateDeviceData: inputs.reprovisionPolicy.migrateDeviceData };
        if (inputs.allocationPolicy !== undefined) body.allocationPolicy = inputs.allocationPolicy;
        if (inputs.iotHubs !== undefined) body.iotHubs = inputs.iotHubs;
        const twin = normalizeTwin(inputs.initialTwin);
        if (twin !== undefined) body.initialTwin = twin;
        return body;
    }


    /** The program-shaped inputs that describe a live record (keys left out: they never enter inputs). */
    function inputsFromLive(ctx: RecordContext, live: Record<string, unknown>): Record<string, unknown> {
        const out: Record<string, unknown> = { kind: ctx.kind, apiVersion: ctx.apiVersion, provisioningServiceName: ctx.provisioningServiceName, serviceHostName: ctx.serviceHostName };
        if (ctx.kind === GROUP_KIND) out.enrollmentGroupId = live.enrollmentGroupId;
        else {
            out.registrationId = live.registrationId;
            if (typeof live.deviceId === "string" && live.deviceId !== "") out.deviceId = live.deviceId;
        }
        out.attestation = publicAttestation(live.attestation);
        if (Array.isArray(live.iotHubs)) out.iotHubs = live.iotHubs;
        if (typeof live.allocationPolicy === "string") out.allocationPolicy = live.allocationPolicy;
        out.provisioningStatus = live.provisioningStatus ?? "enabled";
        const rp = isRecord(live.reprovisionPolicy) ? live.reprovisionPolicy : {};
        // Absent means the service default, true and true (service.json ReprovisionPolicy).
        out.reprovisionPolicy = { updateHubAssignment: rp.updateHubAssignment !== false, migrateDeviceData: rp.migrateDeviceData !== false };
        out.capabilities = { iotEdge: isRecord(live.capabilities) && live.capabilities.iotEdge === true };
        const twin = normalizeTwin(live.initialTwin);
        if (twin !== undefined) out.initialTwin = twin;
        return out;
    }

    /** The state of a live record: its program-shaped description, what DPS computed, and keys apart. */
    function outputsOf(ctx: RecordContext, live: Record<string, unknown>, keys?: { primaryKey?: string; secondaryKey?: string }): Record<string, unknown> {
        const out = inputsFromLive(ctx, live);
        out.etag = live.etag;
        if (typeof live.createdDateTimeUtc === "string") out.createdDateTimeUtc = live.createdDateTimeUtc;
        if (typeof live.lastUpdatedDateTimeUtc === "string") out.lastUpdatedDateTimeUtc = live.lastUpdatedDateTimeUtc;
        if (keys?.primaryKey !== undefined) out.primaryKey = keys.primaryKey;
        if (keys?.secondaryKey !== undefined) out.secondaryKey = keys.secondaryKey;
        return out;
    }

    function canonical(v: unknown): unknown {
        if (Array.isArray(v)) return v.map(canonical);
        if (isRecord(v)) {
            const out: Record<string, unknown> = {};
            for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = canonical(v[k]);
            return out;
        }
        return v;
    }

    function same(a: unknown, b: unknown): boolean {
        return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
    }

    function hostOf(v: unknown): string {
        return typeof v === "string" ? v.toLowerCase() : "";
    }

    function lowerSorted(list: unknown): unknown {
        return Array.isArray(list) ? list.map((h) => (typeof h === "string" ? h.toLowerCase() : h)).sort() : list;
    }

    /**
     * What changed between the state (`olds`: outputs, or the live record after a refresh) and the
     * program (`news`). A different id, DPS or attestation kind is a new record (replace; DPS cannot
     * change a record's attestation type in place, and the id names the record); everything else is
     * an update of the same record. A replace that keeps the id deletes first: create-before-delete
     * would write the new record under the old one's id and then delete it.
     */
    function diffEnrollment(olds: Record<string, unknown>, news: Record<string, unknown>): { changes: boolean; replaces: string[]; changed: string[]; deleteBeforeReplace: boolean } {
        const replaces: string[] = [];
        const changed: string[] = [];
        const kind = (news.kind ?? olds.kind) as EnrollmentKind;
        const idField = kind === GROUP_KIND ? "enrollmentGroupId" : "registrationId";
        const differs = (key: string, a: unknown, b: unknown) => {
            if (!same(a, b)) changed.push(key);
        };
        for (const key of ["kind", idField, "provisioningServiceName"]) {
            if (news[key] !== undefined && olds[key] !== news[key]) replaces.push(key);
        }
        if (news.serviceHostName !== undefined && hostOf(olds.serviceHostName) !== hostOf(news.serviceHostName)) replaces.push("serviceHostName");
        const oldAtt = isRecord(olds.attestation) ? olds.attestation : {};
        const newAtt = isRecord(news.attestation) ? news.attestation : {};
        if (newAtt.type !== undefined && oldAtt.type !== newAtt.type) replaces.push("attestation");
        else if (newAtt.type === "symmetricKey") {
            const sk = isRecord(newAtt.symmetricKey) ? newAtt.symmetricKey : {};
            // Keys are compared when the program gives them; they live in the secret outputs.
            if ((sk.primaryKey !== undefined && sk.primaryKey !== olds.primaryKey) || (sk.secondaryKey !== undefined && sk.secondaryKey !== olds.secondaryKey)) changed.push("attestation");
        } else differs("attestation", publicAttestation(oldAtt), publicAttestation(newAtt));
        if (kind === INDIVIDUAL_KIND && news.deviceId !== undefined) differs("deviceId", olds.deviceId, news.deviceId);
        // Absent in the program: the service decides (every linked hub, the DPS-level policy).
        if (news.iotHubs !== undefined) differs("iotHubs", lowerSorted(olds.iotHubs), lowerSorted(news.iotHubs));
        if (news.allocationPolicy !== undefined) differs("allocationPolicy", olds.allocationPolicy, news.allocationPolicy);
        differs("provisioningStatus", olds.provisioningStatus, news.provisioningStatus);
        differs("reprovisionPolicy", olds.reprovisionPolicy, news.reprovisionPolicy);
        differs("capabilities", olds.capabilities, news.capabilities);
        differs("initialTwin", normalizeTwin(olds.initialTwin) ?? {}, normalizeTwin(news.initialTwin) ?? {});
        const all = [...new Set([...replaces, ...changed])];
        const sameId = olds[idField] === news[idField] && hostOf(olds.serviceHostName) === hostOf(news.serviceHostName);
        return { changes: all.length > 0, replaces, changed: all, deleteBeforeReplace: replaces.length > 0 && sameId };
    }

    /** `Retry-After` in ms: delay-seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or bad. */
    function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
        if (value === undefined || value.trim() === "") return undefined;
        const v = value.trim();
        if (/^\d+$/.test(v)) return Number(v) * 1000;
        const when = Date.parse(v);
        return Number.isNaN(when) ? undefined : Math.max(0, when - nowMs);
    }

    /** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^retry)). */
    function backoffDelay(retry: number, random: number, baseMs: number, maxMs: number): number {
        return Math.floor(random * Math.min(maxMs, baseMs * 2 ** retry));
    }

    /** A DPS error answer as one sentence that names the record: status, errorCode, message, tracking id. */
    function describeDpsError(operation: string, label: string, host: string, status: number, body: string, headers: Record<string, string | undefined>): string {
        let details: Record<string, unknown> = {};
        try {
            const parsed: unknown = body ? JSON.parse(body) : {};
            if (isRecord(parsed)) details = parsed;
        } catch {
            details = { message: body.slice(0, 300) };
        }
        const code = details.errorCode ?? headers["x-ms-error-code"];
        const parts = [`HTTP ${status}`];
        if (typeof code === "string" || typeof code === "number") parts.push(`errorCode ${code}`);
        if (typeof details.message === "string" && details.message !== "") parts.push(details.message);
        if (typeof details.trackingId === "string") parts.push(`trackingId ${details.trackingId}`);
        let hint = "";
        if (status === 401 || status === 403) {
            hint =
                " The identity running Pulumi needs the Device Provisioning Service Data Contributor role on this DPS (roles can take a few minutes to apply), " +
                "and must reach it from an address in dpsAllowedIpRanges or through its private endpoint (DPS answers 401 to addresses its IP filter rejects).";
        } else if (status === 412) {
            hint = " The record was changed outside Pulumi since the state was last refreshed: run `pulumi refresh` (or `pulumi up --refresh`), review the drift, and apply again.";
        } else if (status === 400) {
            hint = " Check the record's settings against the DPS service API (for an X.509 group, the CA must be registered and verified on this DPS first).";
        }
        return `DPS rejected the ${operation} of ${label} on ${host} (${parts.join(", ")}).${hint}`;
    }

    // ---------------------------------------------------------------------------------------------
    // Transport and client

    /**
     * The production transport: HTTPS to the URL's host (TLS 1.2 is the only version DPS accepts).
     * `ca`, `lookup` and `port` exist for tests that point it at a loopback server with a test certificate.
     */
    function httpsTransport(options: { ca?: string; lookup?: LookupFunction; port?: number; timeoutMs?: number } = {}): Transport {
        return (request) =>
            new Promise<HttpResponse>((resolve, reject) => {
                const httpsModule = require("node:https") as typeof https;
                const url = new URL(request.url);
                const req = httpsModule.request(
                    {
                        method: request.method,
                        protocol: "https:",
                        hostname: url.hostname,
                        port: options.port ?? (url.port || 443),
                        path: `${url.pathname}${url.search}`,
                        headers: request.body !== undefined ? { ...request.headers, "Content-Length": String(Buffer.byteLength(request.body)) } : request.headers,
                        minVersion: "TLSv1.2",
                        ...(options.ca !== undefined ? { ca: options.ca } : {}),
                        ...(options.lookup !== undefined ? { lookup: options.lookup } : {}),
                        timeout: options.timeoutMs ?? 30_000,
                    },
                    (res) => {
                        const chunks: Buffer[] = [];
                        res.on("data", (c: Buffer) => chunks.push(c));
                        res.on("end", () => {
                            const headers: Record<string, string | undefined> = {};
                            for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
                            resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") });
                        });
                        res.on("error", reject);
                    },
                );
                req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer from ${url.hostname} within the request timeout`), { code: "ETIMEDOUT" })));
                req.on("error", reject);
                if (request.body !== undefined) req.write(request.body);
                req.end();
            });
    }



    async function accessToken(options: EnrollmentProviderOptions, state: ClientState, now: number): Promise<string> {
        // Reuse a token until two minutes before it expires (the CLI credential spawns `az` per call).
        if (state.token && state.token.expiresOnTimestamp - 120_000 > now) return state.token.token;
        if (!state.credential) {
            if (options.credential) state.credential = options.credential;
            else {
                const identity = require("@azure/identity") as { DefaultAzureCredential: new () => TokenSource };
                state.credential = new identity.DefaultAzureCredential();
            }
        }
        const token = await state.credential.getToken(DPS_SCOPE);
        if (!token) throw new Error(`Entra ID returned no token for ${DPS_SCOPE}; sign in (az login, or the pipeline's OIDC login) as an identity that holds Device Provisioning Service Data Contributor on the DPS`);
        state.token = token;
        return token.token;
    }

    /**
     * One DPS call with bounded retries: 408, 429 and 5xx answers and connection failures are retried
     * with exponential backoff and full jitter, or after the `Retry-After` the service asks for, within
     * `maxAttempts` and `maxElapsedMs`. Every other answer is returned to the caller.
     */
    async function call(
        options: EnrollmentProviderOptions,
        state: ClientState,
        host: string,
        method: HttpRequest["method"],
        path: string,
        what: { operation: string; label: string },
        body?: Record<string, unknown>,
        etag?: string,
    ): Promise<CallResult> {
        const transport = options.transport ?? httpsTransport();
        const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
        const random = options.random ?? Math.random;
        const now = options.now ?? Date.now;
        const maxAttempts = options.maxAttempts ?? 6;
        const baseMs = options.baseDelayMs ?? 500;
        const maxMs = options.maxDelayMs ?? 30_000;
        const budgetMs = options.maxElapsedMs ?? 120_000;
        const started = now();
        const crypto = require("node:crypto") as { randomUUID(): string };
        let last: string;
        for (let attempt = 1; ; attempt++) {
            const headers: Record<string, string> = {
                Authorization: `Bearer ${await accessToken(options, state, now())}`,
                Accept: "application/json",
                "User-Agent": "secure-iot-platform-enrollments/1",
                "x-ms-client-request-id": crypto.randomUUID(),
            };
            if (body !== undefined) headers["Content-Type"] = "application/json; charset=utf-8";
            if (etag !== undefined && etag !== "") headers["If-Match"] = etag;
            const url = `https://${host}${path}${path.includes("?") ? "&" : "?"}api-version=${API_VERSION}`;
            let delay: number | undefined;
            try {
                const res = await transport({ method, url, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
                if (!RETRYABLE_STATUS.includes(res.status)) {
                    let parsed: Record<string, unknown> | undefined;
                    try {
                        const p: unknown = res.body ? JSON.parse(res.body) : undefined;
                        parsed = isRecord(p) ? p : undefined;
                    } catch {
                        parsed = undefined;
                    }
                    return { status: res.status, body: parsed, headers: res.headers, text: res.body };
                }
                last = describeDpsError(what.operation, what.label, host, res.status, res.body, res.headers);
                delay = parseRetryAfter(res.headers["retry-after"], now());
            } catch (e) {
                const code = (e as { code?: string }).code;
                if (code === undefined || !RETRYABLE_ERRORS.includes(code)) throw e;
                last = `the connection to ${host} failed (${code}: ${(e as Error).message})`;
            }
            const wait = delay ?? backoffDelay(attempt - 1, random(), baseMs, maxMs);
            const elapsed = now() - started;
            if (attempt >= maxAttempts || elapsed + wait > budgetMs) {
                throw new Error(`Gave up on the ${what.operation} of ${what.label} on ${host} after ${attempt} attempt${attempt === 1 ? "" : "s"} in ${Math.round(elapsed / 1000)} s: ${last}`);
            }
            await sleep(wait);
        }
    }

    function fail(what: { operation: string; label: string }, host: string, r: CallResult): never {
        throw new Error(describeDpsError(what.operation, what.label, host, r.status, r.text, r.headers));
    }

    function recordPath(kind: EnrollmentKind, id: string): string {
        return `/${collectionOf(kind)}/${encodeURIComponent(id)}`;
    }

    /**
     * Reads a record (undefined when it does not exist) and, for symmetric keys, its keys. Reading keys
     * takes the attestation-mechanism action (Data Contributor has it); a reader without it (the drift
     * check's Data Reader) keeps the keys the state had and still sees every other drift.
     */
    async function readRecord(
        options: EnrollmentProviderOptions,
        state: ClientState,
        host: string,
        kind: EnrollmentKind,
        id: string,
        previousKeys: { primaryKey?: string; secondaryKey?: string } = {},
    ): Promise<{ live: Record<string, unknown>; keys?: { primaryKey?: string; secondaryKey?: string } } | undefined> {
        const what = { operation: "read", label: labelOf(kind, id) };
        const r = await call(options, state, host, "GET", recordPath(kind, id), what);
        if (r.status === 404) return undefined;
        if (r.status !== 200 || !r.body) fail(what, host, r);
        const live = r.body;
        const att = isRecord(live.attestation) ? live.attestation : {};
        if (att.type !== "symmetricKey") return { live };
        const m = await call(options, state, host, "POST", `${recordPath(kind, id)}/attestationmechanism`, { operation: "read of the keys", label: what.label });
        if (m.status === 401 || m.status === 403) return { live, keys: previousKeys };
        if (m.status !== 200 || !m.body) fail({ operation: "read of the keys", label: what.label }, host, m);
        const sk = isRecord(m.body.symmetricKey) ? m.body.symmetricKey : {};
        return {
            live,
            keys: {
                ...(typeof sk.primaryKey === "string" ? { primaryKey: sk.primaryKey } : {}),
                ...(typeof sk.secondaryKey === "string" ? { secondaryKey: sk.secondaryKey } : {}),
            },
        };
    }

    function keysOf(inputs: EnrollmentInputs): { primaryKey?: string; secondaryKey?: string } | undefined {
        return inputs.attestation.type === "symmetricKey" ? { primaryKey: inputs.attestation.symmetricKey.primaryKey, secondaryKey: inputs.attestation.symmetricKey.secondaryKey } : undefined;
    }

    function contextOf(x: { kind: EnrollmentKind; apiVersion?: string; provisioningServiceName?: string; serviceHostName: string }): RecordContext {
        return {
            kind: x.kind,
            apiVersion: x.apiVersion ?? API_VERSION,
            provisioningServiceName: x.provisioningServiceName ?? x.serviceHostName.split(".")[0],
            serviceHostName: x.serviceHostName.toLowerCase(),
        };
    }

    async function put(options: EnrollmentProviderOptions, state: ClientState, inputs: EnrollmentInputs, operation: string, etag?: string): Promise<Record<string, unknown>> {
        const id = enrollmentIdOf(inputs);
        const what = { operation, label: labelOf(inputs.kind, id) };
        const r = await call(options, state, inputs.serviceHostName, "PUT", recordPath(inputs.kind, id), what, bodyOf(inputs), etag);
        if (r.status !== 200 && r.status !== 201) fail(what, inputs.serviceHostName, r);
        if (!r.body) throw new Error(`DPS answered the ${operation} of ${what.label} on ${inputs.serviceHostName} without the record`);
        return outputsOf(contextOf(inputs), r.body, keysOf(inputs));
    }

    // The provider's operations (see createEnrollmentProvider).
    async function providerCheck(_options: EnrollmentProviderOptions, _state: ClientState, _olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { inputs: news, failures: checkInputs(news) };
    }

    async function providerDiff(_options: EnrollmentProviderOptions, _state: ClientState, _id: string, olds: Record<string, unknown>, news: EnrollmentInputs | Record<string, unknown>) {
        const d = diffEnrollment(olds, news as Record<string, unknown>);
        return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: d.deleteBeforeReplace };
    }

    async function providerCreate(options: EnrollmentProviderOptions, state: ClientState, inputs: EnrollmentInputs) {
        const id = enrollmentIdOf(inputs);
        const label = labelOf(inputs.kind, id);
        // PUT is create-or-update: never overwrite a record someone else made.
        const existing = await call(options, state, inputs.serviceHostName, "GET", recordPath(inputs.kind, id), { operation: "creation", label });
        if (existing.status === 200) {
            throw new Error(
                `${label} already exists on ${inputs.serviceHostName}; Pulumi does not overwrite it. To manage it from code, import it: ` +
                    `set "import: true" on it in Pulumi.<stack>.yaml for one \`pulumi up\` (the resource option import = "${resourceIdOf(inputs.serviceHostName, inputs.kind, id)}"), or delete it first.`,
            );
        }
        if (existing.status !== 404) fail({ operation: "creation", label }, inputs.serviceHostName, existing);
        const outs = await put(options, state, inputs, "creation");
        return { id: resourceIdOf(inputs.serviceHostName.toLowerCase(), inputs.kind, id), outs };
    }

    async function providerRead(options: EnrollmentProviderOptions, state: ClientState, id: string, props?: Record<string, unknown>) {
        const parsed = parseResourceId(id);
        const base = props ?? {};
        const kind = (parsed?.kind ?? base.kind) as EnrollmentKind | undefined;
        const host = parsed?.serviceHostName ?? (typeof base.serviceHostName === "string" ? base.serviceHostName : undefined);
        const enrollmentId = parsed?.enrollmentId ?? (kind ? enrollmentIdOf(base as { kind: EnrollmentKind }) : undefined);
        if (!kind || !host || !enrollmentId) {
            throw new Error(`Cannot read DPS record ${JSON.stringify(id)}: the id must be <service host>/enrollmentGroups/<id> or <service host>/enrollments/<registration id>`);
        }
        const previousKeys = {
            ...(typeof base.primaryKey === "string" ? { primaryKey: base.primaryKey } : {}),
            ...(typeof base.secondaryKey === "string" ? { secondaryKey: base.secondaryKey } : {}),
        };
        const found = await readRecord(options, state, host, kind, enrollmentId, previousKeys);
        // Gone: an empty id tells the engine the resource no longer exists.
        if (!found) return {};
        const ctx = contextOf({ kind, serviceHostName: host, ...(typeof base.apiVersion === "string" ? { apiVersion: base.apiVersion } : {}), ...(typeof base.provisioningServiceName === "string" ? { provisioningServiceName: base.provisioningServiceName } : {}) });
        return { id: resourceIdOf(host, kind, enrollmentId), props: outputsOf(ctx, found.live, found.keys), inputs: inputsFromLive(ctx, found.live) };
    }

    async function providerUpdate(options: EnrollmentProviderOptions, state: ClientState, _id: string, olds: Record<string, unknown>, news: EnrollmentInputs) {
        const etag = typeof olds.etag === "string" ? olds.etag : undefined;
        return { outs: await put(options, state, news, "update", etag) };
    }

    async function providerDelete(options: EnrollmentProviderOptions, state: ClientState, id: string, props: Record<string, unknown>) {
        const parsed = parseResourceId(id);
        const kind = (parsed?.kind ?? props.kind) as EnrollmentKind;
        const host = parsed?.serviceHostName ?? String(props.serviceHostName);
        const enrollmentId = parsed?.enrollmentId ?? enrollmentIdOf(props as { kind: EnrollmentKind });
        const what = { operation: "deletion", label: labelOf(kind, enrollmentId) };
        const r = await call(options, state, host, "DELETE", recordPath(kind, enrollmentId), what, undefined, typeof props.etag === "string" ? props.etag : undefined);
        if (r.status === 204 || r.status === 200 || r.status === 404) return;
        fail(what, host, r);
    }
    return {
        API_VERSION, DPS_SCOPE, GROUP_KIND, INDIVIDUAL_KIND,
        collectionOf,
        enrollmentIdOf,
        labelOf,
        resourceIdOf,
        parseResourceId,
        isUnknown,
        isRecord,
        isBase64Key,
        checkInputs,
        cleanTwinCollection,
        normalizeTwin,
        publicAttestation,
        bodyOf,
        inputsFromLive,
        outputsOf,
        canonical,
        same,
        hostOf,
        lowerSorted,
        diffEnrollment,
        parseRetryAfter,
        backoffDelay,
        describeDpsError,
        httpsTransport,
        accessToken,
        call,
        fail,
        recordPath,
        readRecord,
        keysOf,
        contextOf,
        put,
        providerCheck,
        providerDiff,
        providerCreate,
        providerRead,
        providerUpdate,
        providerDelete,
    };
}

// ---------------------------------------------------------------------------------------------
// The provider

/** The provider object (`pulumi.dynamic.ResourceProvider`); see the header for why it is built this way. */
export function createEnrollmentProvider(options: EnrollmentProviderOptions = {}) {
    const state: ClientState = {};
    return {
        check: (olds: Record<string, unknown>, news: Record<string, unknown>) => implementation().providerCheck(options, state, olds, news),
        diff: (id: string, olds: Record<string, unknown>, news: EnrollmentInputs | Record<string, unknown>) => implementation().providerDiff(options, state, id, olds, news),
        create: (inputs: EnrollmentInputs) => implementation().providerCreate(options, state, inputs),
        read: (id: string, props?: Record<string, unknown>) => implementation().providerRead(options, state, id, props),
        update: (id: string, olds: Record<string, unknown>, news: EnrollmentInputs) => implementation().providerUpdate(options, state, id, olds, news),
        delete: (id: string, props: Record<string, unknown>) => implementation().providerDelete(options, state, id, props),
    };
}

const helpers = implementation();
export const { collectionOf, enrollmentIdOf, labelOf, resourceIdOf, parseResourceId, checkInputs, bodyOf, inputsFromLive, outputsOf, diffEnrollment, parseRetryAfter, backoffDelay, describeDpsError, httpsTransport } = helpers;

/** The API version and scope the provider uses, for documentation and tests. */
export const DPS_SERVICE_API = { apiVersion: helpers.API_VERSION, scope: helpers.DPS_SCOPE, groupKind: helpers.GROUP_KIND as "azure-iot-dps:EnrollmentGroup", individualKind: helpers.INDIVIDUAL_KIND as "azure-iot-dps:IndividualEnrollment" } as const;
