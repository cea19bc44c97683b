/** DPS-20, rule family `enrollments` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { certificateOnDps, dpsNameOf, dpsOfRecord, isEnrollmentGroup, recordDpsName, recordLabel } from "../../lib/enrollments";
import { StackGraph } from "../../lib/graph";
import { attestationOf, Pending, records, typeOf } from "../../lib/rules/enrollments";
import { isKind } from "../../lib/tokens";
import { peek } from "../../lib/unknowns";
import { isObj, isTrue, lower, show, str } from "../../lib/values";

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
