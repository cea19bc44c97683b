/** OTH-05, rule family `crossCutting` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { TOKENS } from "../../lib/tokens";
import { peek } from "../../lib/unknowns";
import { isObj, normRegion, show, str } from "../../lib/values";

/** Azure resource types of this platform that accept tags (v3 tokens and v2 aliases). */
const TAGGABLE_TYPES = [
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
