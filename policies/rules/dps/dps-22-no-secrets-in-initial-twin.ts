/** DPS-22, rule family `enrollments` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { recordLabel } from "../../lib/enrollments";
import { secretLikeName, secretLikeValue } from "../../lib/secretLike";
import { Pending, records } from "../../lib/rules/enrollments";
import { peek } from "../../lib/unknowns";
import { arr, isObj } from "../../lib/values";

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
