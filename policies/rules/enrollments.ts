/**
 * DPS enrollment records (stack rules): DPS-20 CA-backed groups trust a verified CA of the same DPS
 * in the same program; DPS-21 no symmetric-key enrollments (mandatory in production, advisory in
 * development); DPS-22 no secrets in an initial twin; DPS-23 records allocate to linked hubs only;
 * DPS-24 at most DPS's number of enrollment groups per DPS.
 *
 * Records are dynamic resources (`pulumi-nodejs:dynamic:Resource`) recognised by their `kind`
 * input; lib/enrollments.ts describes the shape the rules read. They are stack rules because the
 * decisions need the record's DPS, its certificates or its hubs, found through propertyDependencies.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/define";
import {
    certificateOnDps,
    dpsNameOf,
    dpsOfRecord,
    hubHostName,
    isEnrollmentGroup,
    isEnrollmentRecord,
    linkedHubsOf,
    recordDpsName,
    recordLabel,
    secretLikeName,
    secretLikeValue,
} from "../lib/enrollments";
import { StackGraph } from "../lib/graph";
import { isKind } from "../lib/tokens";
import { knownElements, needValue, peek } from "../lib/unknowns";
import { arr, isObj, isTrue, lower, show, str } from "../lib/values";

/** Runs deferred reads of unknown values at the end of a rule (CrossGuard reports the first as "can't run at preview"). */
class Pending {
    private readonly reads: Array<() => unknown> = [];
    add(container: unknown, key: string | number): void {
        this.reads.push(() => needValue(container, key));
    }
    flush(): void {
        for (const r of this.reads) r();
    }
}

function records(resources: PolicyResource[]): PolicyResource[] {
    return resources.filter(isEnrollmentRecord);
}

/** The record's attestation object, or undefined (with the read deferred) when it is unknown. */
function attestationOf(r: PolicyResource, pending: Pending): Record<string, unknown> | undefined {
    const a = peek(r.props, "attestation");
    if (!a.known) {
        pending.add(r.props, "attestation");
        return undefined;
    }
    return isObj(a.value) ? a.value : {};
}

function typeOf(att: Record<string, unknown>, pending: Pending): string | undefined {
    const t = peek(att, "type");
    if (!t.known) {
        pending.add(att, "type");
        return undefined;
    }
    return lower(t.value);
}

export const dps20VerifiedCa = stackRule({
    id: "DPS-20",
    name: "dps-20-enrollment-group-verified-ca",
    description:
        "An X.509 enrollment group must trust its devices' CA through x509.caReferences, naming CA certificates registered on the same Device Provisioning Service in the same program (DpsCertificate, linked through propertyDependencies or by DPS name) and verified (properties.isVerified = true); a group that uploads its own signing or client certificates bypasses the verified CA. Records are dynamic resources recognised by their kind input (azure-iot-dps:EnrollmentGroup).",
    remediationSteps:
        "Register the CA on the DPS as a DpsCertificate with properties.isVerified: true, then reference it by name in the group's attestation (caNames in Pulumi.<stack>.yaml enrollmentGroups); keep the certificate and the group on the same DPS. During a rotation list the next CA as the second name.",
    severity: "high",
    anchors: "MS DPS X.509 attestation (verified CA); beyond",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        const certs = graph.of("dpsCertificate");
        for (const g of records(resources).filter(isEnrollmentGroup)) {
            const att = attestationOf(g, pending);
            if (att === undefined || typeOf(att, pending) !== "x509") continue;
            const what = recordLabel(g);
            const x509 = peek(att, "x509");
            if (!x509.known) {
                pending.add(att, "x509");
                continue;
            }
            const x = isObj(x509.value) ? x509.value : {};
            for (const inline of ["signingCertificates", "clientCertificates"]) {
                if (x[inline] !== undefined && x[inline] !== null) {
                    report(`${what} uploads x509.${inline} instead of referencing a verified CA registered on the DPS; reference the CA by name (x509.caReferences).`, g.urn);
                }
            }
            const refsP = peek(x, "caReferences");
            if (!refsP.known) {
                pending.add(x, "caReferences");
                continue;
            }
            const refs = isObj(refsP.value) ? refsP.value : {};
            const dps = dpsOfRecord(graph, g);
            const dpsName = dps !== undefined ? dpsNameOf(dps) : recordDpsName(g);
            const certDeps = graph.depsOf(g, "attestation").filter((d) => isKind(d.type, "dpsCertificate"));
            const names: string[] = [];
            for (const slot of ["primary", "secondary"]) {
                const p = peek(refs, slot);
                if (!p.known) {
                    pending.add(refs, slot);
                    continue;
                }
                const n = str(p.value);
                if (n !== undefined && n !== "") names.push(n);
            }
            if (names.length === 0) {
                report(`${what} is X.509 but names no CA (x509.caReferences.primary is ${show(refs.primary)}).`, g.urn);
                continue;
            }
            for (const n of names) {
                const sameName = [...new Map([...certDeps, ...certs].map((c) => [c.urn, c])).values()].filter((c) => {
                    const cn = peek(c.props, "certificateName");
                    return cn.known && lower(cn.value) === n.toLowerCase();
                });
                const onDps = sameName.filter((c) => certificateOnDps(graph, c, dps, dpsName));
                if (onDps.length === 0) {
                    report(
                        sameName.length > 0
                            ? `${what} trusts CA '${n}', but the DpsCertificate of that name is registered on another DPS than the group's (${dpsName ?? "unknown"}).`
                            : `${what} trusts CA '${n}', which no DpsCertificate in this program registers on DPS '${dpsName ?? "unknown"}'.`,
                        g.urn,
                    );
                    continue;
                }
                for (const c of onDps) {
                    const props = peek(c.props, "properties");
                    if (!props.known) {
                        pending.add(c.props, "properties");
                        continue;
                    }
                    const verified = peek(props.value, "isVerified");
                    if (!verified.known) pending.add(props.value, "isVerified");
                    else if (!isTrue(verified.value)) report(`${what} trusts CA '${n}', whose DpsCertificate '${String(c.name)}' is not verified (properties.isVerified ${show(verified.value)}).`, g.urn);
                }
            }
        }
        pending.flush();
    },
});

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

function twinFindings(v: unknown, path: string, out: string[], pending: Pending, depth = 0): void {
    if (depth > 12 || !isObj(v)) return;
    for (const key of Object.keys(v)) {
        const here = `${path}.${key}`;
        const why = secretLikeName(key);
        if (why) out.push(`${here} looks like a secret (${why})`);
        const p = peek(v, key);
        if (!p.known) {
            pending.add(v, key);
            continue;
        }
        const value = p.value;
        if (typeof value === "string") {
            const w = secretLikeValue(value);
            if (w) out.push(`${here} looks like a secret (${w})`);
        } else if (Array.isArray(value)) {
            arr<unknown>(value).forEach((e, i) => {
                if (typeof e === "string") {
                    const w = secretLikeValue(e);
                    if (w) out.push(`${here}[${i}] looks like a secret (${w})`);
                } else twinFindings(e, `${here}[${i}]`, out, pending, depth + 1);
            });
        } else twinFindings(value, here, out, pending, depth + 1);
    }
}

export const dps22NoSecretsInTwin = stackRule({
    id: "DPS-22",
    name: "dps-22-no-secrets-in-initial-twin",
    description:
        "An enrollment record's initial twin (initialTwin.tags and initialTwin.properties.desired) must not carry secrets: no property named like a password, token, key, credential or connection string, and no value that is a connection string, SAS token, private key, JWT or base64 key material. The initial twin is stored in plain text in DPS and copied into every device twin, readable by everyone who can read twins.",
    remediationSteps:
        "Remove the secret from initialTwin and deliver it to devices another way: a certificate, or a secret the device fetches with its own identity. Rename ordinary settings whose names only look secret.",
    severity: "high",
    anchors: "PSR Azure.Deployment.SecureValue analogue; beyond",
    validate({ resources, report }) {
        const pending = new Pending();
        for (const r of records(resources)) {
            const twin = peek(r.props, "initialTwin");
            if (!twin.known) {
                pending.add(r.props, "initialTwin");
                continue;
            }
            if (!isObj(twin.value)) continue;
            const found: string[] = [];
            const tags = peek(twin.value, "tags");
            if (!tags.known) pending.add(twin.value, "tags");
            else twinFindings(tags.value, "initialTwin.tags", found, pending);
            const props = peek(twin.value, "properties");
            if (!props.known) pending.add(twin.value, "properties");
            else if (isObj(props.value)) {
                const desired = peek(props.value, "desired");
                if (!desired.known) pending.add(props.value, "desired");
                else twinFindings(desired.value, "initialTwin.properties.desired", found, pending);
            }
            for (const f of found) report(`${recordLabel(r)}: ${f}.`, r.urn);
        }
        pending.flush();
    },
});

export const dps23LinkedHubsOnly = stackRule({
    id: "DPS-23",
    name: "dps-23-enrollment-allocates-to-linked-hubs",
    description:
        "An enrollment record may allocate devices only to IoT hubs its Device Provisioning Service links: every host name in iotHubs (and iotHubHostName) must be a hub in the DPS's properties.iotHubs (by hostName, or the HostName of a key link's connection string), or a hub resource the DPS's link was computed from. DPS rejects or never uses other hubs, so a record naming one fails to provision its devices.",
    remediationSteps:
        "Allocate to the stack's linked hub (leave iotHubs out in Pulumi.<stack>.yaml to use it), or link the other hub to the DPS first.",
    severity: "medium",
    anchors: "service.json EnrollmentGroup.iotHubs (a subset of the DPS's linked hubs); beyond",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        for (const r of records(resources)) {
            const what = recordLabel(r);
            const dps = dpsOfRecord(graph, r);
            const hubsP = peek(r.props, "iotHubs");
            const single = peek(r.props, "iotHubHostName");
            if (!hubsP.known) {
                pending.add(r.props, "iotHubs");
                continue;
            }
            const hosts: string[] = [];
            const list = arr<unknown>(hubsP.value);
            const known = knownElements(list);
            if (known.length < list.length) list.forEach((_, i) => known.some((k) => k.index === i) || pending.add(list, i));
            for (const { value } of known) {
                const h = lower(value);
                if (h) hosts.push(h);
            }
            if (single.known && lower(single.value)) hosts.push(String(lower(single.value)));
            if (hosts.length === 0) continue;
            if (dps === undefined) {
                report(`${what} belongs to DPS '${recordDpsName(r) ?? "unknown"}', which this program does not declare, so its linked hubs cannot be checked; declare the DPS in the program.`, r.urn);
                continue;
            }
            const linked = linkedHubsOf(graph, dps);
            const linkedHosts = new Set([...linked.hostNames, ...linked.hubs.map(hubHostName).filter((h): h is string => h !== undefined)]);
            const depHubs = graph.depsOfKind(r, "iotHubs", "iotHub");
            for (const h of hosts) {
                if (linkedHosts.has(h)) continue;
                // Host name not known on the DPS side yet: the record's own link to a hub the DPS also depends on decides.
                const viaDependency = depHubs.find((hub) => hubHostName(hub) === h);
                if (viaDependency && linked.hubs.some((x) => x.urn === viaDependency.urn)) continue;
                if (linked.unknown) {
                    pending.add(dps.props, "properties");
                    continue;
                }
                report(`${what} allocates to hub ${h}, which DPS '${dpsNameOf(dps) ?? String(dps.name)}' does not link (it links ${[...linkedHosts].join(", ") || "no hub"}).`, r.urn);
            }
        }
        pending.flush();
    },
});

/** DPS limits: MicrosoftDocs/azure-docs includes/iot-dps-limits.md (learn.microsoft.com/azure/iot-dps/about-iot-dps#quotas-and-limits). */
export const dps24GroupLimit = stackRule<{ maxX509Groups: number; maxSymmetricKeyGroups: number }>({
    id: "DPS-24",
    name: "dps-24-enrollment-group-limit",
    description:
        "A Device Provisioning Service holds at most 100 X.509 enrollment groups and 100 symmetric-key enrollment groups (DPS quotas and limits, learn.microsoft.com/azure/iot-dps/about-iot-dps#quotas-and-limits); a program that declares more fails at deployment, part-way through. Groups are counted per DPS (linked through propertyDependencies or by DPS name).",
    remediationSteps:
        "Merge groups that share a CA and settings (one group can trust a CA and its successor), move devices to individual enrollments, or split the fleet across DPS instances. Raise maxX509Groups only after Microsoft Support raised the adjustable X.509 limit.",
    severity: "medium",
    anchors: "MS DPS quotas and limits",
    config: {
        maxX509Groups: { type: "integer", minimum: 1, default: 100, description: "X.509 enrollment groups allowed per DPS (DPS limit 100, adjustable by Microsoft Support)." },
        maxSymmetricKeyGroups: { type: "integer", minimum: 1, maximum: 100, default: 100, description: "Symmetric-key enrollment groups allowed per DPS (DPS hard limit 100)." },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        const counts = new Map<string, { label: string; x509: PolicyResource[]; symmetrickey: PolicyResource[] }>();
        for (const g of records(resources).filter(isEnrollmentGroup)) {
            const att = attestationOf(g, pending);
            if (att === undefined) continue;
            const type = typeOf(att, pending);
            if (type !== "x509" && type !== "symmetrickey") continue;
            const dps = dpsOfRecord(graph, g);
            const key = dps !== undefined ? `urn:${dps.urn}` : `name:${recordDpsName(g) ?? "?"}`;
            const entry = counts.get(key) ?? { label: (dps !== undefined ? dpsNameOf(dps) : recordDpsName(g)) ?? "unknown", x509: [], symmetrickey: [] };
            entry[type].push(g);
            counts.set(key, entry);
        }
        for (const entry of counts.values()) {
            for (const [type, limit, label] of [["x509", config.maxX509Groups, "X.509"], ["symmetrickey", config.maxSymmetricKeyGroups, "symmetric-key"]] as const) {
                const list = entry[type];
                if (list.length > limit) {
                    report(`DPS '${entry.label}' would hold ${list.length} ${label} enrollment groups; it holds at most ${limit}.`, list[limit].urn);
                }
            }
        }
        pending.flush();
    },
});

export const enrollmentPolicies = [dps20VerifiedCa, dps21NoSymmetricKeys, dps22NoSecretsInTwin, dps23LinkedHubsOnly, dps24GroupLimit];
