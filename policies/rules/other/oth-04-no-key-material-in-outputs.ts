/** OTH-04, rule family `crossCutting` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { isKind } from "../../lib/tokens";
import { peek } from "../../lib/unknowns";

const KEY_MATERIAL: Array<[RegExp, string]> = [
    [/SharedAccessKey\s*=\s*[^;\s]+/i, "a shared access key"],
    [/AccountKey\s*=\s*[^;\s]+/i, "a storage or Cosmos DB account key"],
    [/SharedAccessSignature\s*=|[?&]sig=[A-Za-z0-9%+/=]{10,}/i, "a SAS token"],
    [/-----BEGIN (?:RSA |EC |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/, "a private key"],
];

/** Finds key material in a value tree (unknown values are skipped: they are not in the state yet). */
function findKeyMaterial(x: unknown, path: string, out: string[], depth = 0): void {
    if (depth > 30 || out.length > 20) return;
    if (typeof x === "string") {
        for (const [re, what] of KEY_MATERIAL) if (re.test(x)) out.push(`${path || "(output)"} holds ${what}`);
        return;
    }
    if (typeof x !== "object" || x === null) return;
    for (const k of Object.keys(x)) {
        const p = peek(x, k);
        if (p.known) findKeyMaterial(p.value, Array.isArray(x) ? `${path}[${k}]` : path ? `${path}.${k}` : k, out, depth + 1);
    }
}

export const oth04NoSecretOutputs = stackRule({
    id: "OTH-04",
    name: "oth-04-no-key-material-in-outputs",
    description:
        "Stack outputs must not contain credentials: no connection string with a key, no account key, SAS token or private key. Consumers use Entra ID RBAC, so no key needs exporting. CrossGuard receives secrets unwrapped and cannot tell a secret output from a plain one, so the rule forbids key material in outputs altogether (secret or not); keys in resource inputs are covered by IOT-08, IOT-10 and DPS-06.",
    remediationSteps: "Remove the output, or export only non-secret identifiers (host names, resource ids) and grant the consumer an RBAC role instead.",
    severity: "high",
    anchors: "PSR Azure.Deployment.SecretLeak analogue",
    validate({ resources, report }) {
        for (const stack of resources.filter((r) => isKind(r.type, "stack"))) {
            const found: string[] = [];
            findKeyMaterial(stack.props, "", found);
            for (const f of found) report(`stack output ${f}.`, stack.urn);
        }
    },
});
