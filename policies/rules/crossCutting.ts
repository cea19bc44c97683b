/**
 * Cross-cutting rules: OTH-05 (allowed regions and required tags on every Azure resource; covers
 * IOT-16 for the hub) and OTH-04 (no key material in stack outputs).
 */
import { resourceRule, stackRule } from "../lib/define";
import { isKind, TOKENS } from "../lib/tokens";
import { peek } from "../lib/unknowns";
import { isObj, normRegion, show, str } from "../lib/values";

/** Azure resource types of this platform that accept tags (v3 tokens and v2 aliases). */
export const TAGGABLE_TYPES = [
    "azure-native:resources:ResourceGroup",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:iothub:IotHubResource",
    "azure-native:devices:IotHubResource",
    "azure-native:deviceprovisioningservices:IotDpsResource",
    "azure-native:devices:IotDpsResource",
    "azure-native:cosmosdb:DatabaseAccount",
    "azure-native:documentdb:DatabaseAccount",
    "azure-native:network:PrivateEndpoint",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:privatedns:PrivateZone",
    "azure-native:network:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:network:VirtualNetworkLink",
    "azure-native:operationalinsights:Workspace",
    "azure-native:security:IotSecuritySolution",
    "azure-native:keyvault:Vault",
    "azure-native:storage:StorageAccount",
    // Telemetry path (tracked ARM resources, all of which take tags).
    "azure-native:eventhub:Namespace",
    "azure-native:servicebus:Namespace",
    "azure-native:web:AppServicePlan",
    "azure-native:web:WebApp",
    "azure-native:applicationinsights:Component",
    "azure-native:insights:Component",
];

export const oth05RegionsAndTags = resourceRule<{ allowedLocations: string[]; requiredTags: Record<string, string>; taggableTypes: string[] }>({
    id: "OTH-05",
    name: "oth-05-allowed-regions-and-required-tags",
    description:
        "Every Azure resource must be placed in an allowed region (its location; \"global\" resources such as private DNS zones are exempt) and every taggable resource must carry the required tags with the expected values (\"*\" accepts any non-empty value). Also covers IOT-16 for the IoT hub. Region names are compared lower-case without spaces.",
    remediationSteps:
        "Set location to an allowed region and merge the standard tags (environment, managedBy: pulumi, project) into every taggable resource, e.g. through a stack transform.",
    severity: "low",
    anchors: "PSR Azure.Resource.*",
    kinds: "azure-native",
    config: {
        allowedLocations: {
            type: "array",
            items: { type: "string" },
            default: ["westeurope", "northeurope"],
            description: "Allowed Azure regions.",
        },
        requiredTags: {
            type: "object",
            additionalProperties: { type: "string" },
            default: { environment: "*", managedBy: "pulumi", project: "secure-iot-platform" },
            description: "Tag name -> required value (\"*\" = any non-empty value).",
        },
        taggableTypes: {
            type: "array",
            items: { type: "string" },
            default: TAGGABLE_TYPES,
            description: "Resource types that must carry the required tags.",
        },
    },
    validate(props, { args, resolved, config, report }) {
        const loc = peek(props, "location");
        if (loc.known && loc.value !== undefined && loc.value !== null) {
            const region = normRegion(loc.value);
            const allowed = config.allowedLocations.map((l) => normRegion(l));
            if (region !== "global" && (region === undefined || !allowed.includes(region))) {
                report(`location ${show(loc.value)} is not an allowed region (${config.allowedLocations.join(", ")}).`);
            }
        }
        // A generic resource (azure-native:resources:Resource) of a known kind is tagged like its typed class.
        const taggableAs = resolved?.generic ? TOKENS[resolved.kind][0] : String(args.type);
        if (!config.taggableTypes.includes(taggableAs)) return;
        const tags = peek(props, "tags");
        if (!tags.known) return; // tags computed from other outputs; checked at `pulumi up`.
        const t = isObj(tags.value) ? tags.value : {};
        const missing: string[] = [];
        for (const [key, expected] of Object.entries(config.requiredTags)) {
            const actualKey = Object.keys(t).find((k) => k.toLowerCase() === key.toLowerCase());
            const v = actualKey === undefined ? undefined : peek(t, actualKey);
            if (v !== undefined && !v.known) continue;
            const value = v === undefined ? undefined : str(v.value);
            if (value === undefined || value.trim() === "") missing.push(`${key} (missing)`);
            else if (expected !== "*" && value !== expected) missing.push(`${key} = ${show(value)} (expected ${show(expected)})`);
        }
        if (missing.length > 0) report(`required tags are missing or wrong: ${missing.join(", ")}.`);
    },
});

const KEY_MATERIAL: Array<[RegExp, string]> = [
    [/SharedAccessKey\s*=\s*[^;\s]+/i, "a shared access key"],
    [/AccountKey\s*=\s*[^;\s]+/i, "a storage or Cosmos DB account key"],
    [/SharedAccessSignature\s*=|[?&]sig=[A-Za-z0-9%+/=]{10,}/i, "a SAS token"],
    [/-----BEGIN (?:RSA |EC |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/, "a private key"],
];

/** Finds key material in a value tree (unknown values are skipped: they are not in the state yet). */
export function findKeyMaterial(x: unknown, path: string, out: string[], depth = 0): void {
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

export const crossCuttingPolicies = [oth05RegionsAndTags, oth04NoSecretOutputs];
