/**
 * What the offline plan shows of each resource: the settings a security reviewer checks, read
 * from the inputs the program registered (wire form). Secrets are masked and values unknown
 * until Azure creates the resource are shown as such.
 */
import { X509Certificate } from "node:crypto";
import { SECRET_SIG, SIG_KEY, UNKNOWN, type CapturedResource } from "./types";

export const UNKNOWN_TEXT = "(known after apply)";
export const SECRET_TEXT = "[secret]";

export function isSecret(v: unknown): v is { value: unknown } {
    return v !== null && typeof v === "object" && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Reads a dotted path through wire values; secrets are opened only when `reveal` is set. */
export function at(value: unknown, path: string, reveal = false): unknown {
    let cur: unknown = value;
    for (const part of path.split(".")) {
        if (isSecret(cur)) {
            if (!reveal) return cur;
            cur = cur.value;
        }
        if (cur === UNKNOWN || cur === undefined || cur === null || typeof cur !== "object") return cur === UNKNOWN ? UNKNOWN : undefined;
        cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
}

export function show(v: unknown): string {
    if (v === UNKNOWN) return UNKNOWN_TEXT;
    if (isSecret(v)) return SECRET_TEXT;
    if (v === undefined) return "(not set)";
    if (Array.isArray(v)) return v.length === 0 ? "[]" : v.map(show).join(", ");
    if (v !== null && typeof v === "object") return JSON.stringify(v);
    return String(v);
}

type Line = [string, string];

/** Days from now until `iso`, for certificate expiry. */
export function daysLeft(iso: string, now = new Date()): number {
    return Math.floor((new Date(iso).getTime() - now.getTime()) / 86_400_000);
}

function certificateLines(pem: unknown): Line[] {
    if (pem === UNKNOWN) return [["certificate", `generated ${UNKNOWN_TEXT}`]];
    const text = isSecret(pem) ? pem.value : pem;
    if (typeof text !== "string") return [["certificate", show(pem)]];
    try {
        const cert = new X509Certificate(text);
        const expiry = new Date(cert.validTo).toISOString();
        return [
            ["subject", cert.subject.replace(/\n/g, ", ")],
            ["expires", `${expiry.slice(0, 10)} (${daysLeft(expiry)} days left)`],
        ];
    } catch {
        return [["certificate", "not a parsable PEM"]];
    }
}

export function describe(r: CapturedResource): Line[] {
    const i = r.inputs;
    const p = (path: string) => show(at(i, path));
    switch (r.type) {
        case "azure-native:resources:ResourceGroup":
            return [["name", p("resourceGroupName")], ["location", p("location")], ["tags", p("tags")]];
        case "azure-native:managedidentity:UserAssignedIdentity":
            return [["name", p("resourceName")]];
        case "azure-native:iothub:IotHubResource": {
            const policies = at(i, "properties.authorizationPolicies");
            const endpoints = at(i, "properties.routing.endpoints.cosmosDBSqlContainers");
            return [
                ["name", p("resourceName")],
                ["sku", `${p("sku.name")} x${p("sku.capacity")}`],
                ["minTlsVersion", p("properties.minTlsVersion")],
                ["publicNetworkAccess", p("properties.publicNetworkAccess")],
                ["networkRuleSets", `default ${p("properties.networkRuleSets.defaultAction")}, allow ${show(Array.isArray(at(i, "properties.networkRuleSets.ipRules")) ? (at(i, "properties.networkRuleSets.ipRules") as unknown[]).map((x) => at(x, "ipMask")) : at(i, "properties.networkRuleSets.ipRules"))}, built-in endpoint ${p("properties.networkRuleSets.applyToBuiltInEventHubEndpoint")}`],
                ["ipFilterRules", Array.isArray(at(i, "properties.ipFilterRules")) ? (at(i, "properties.ipFilterRules") as unknown[]).map((x) => `${show(at(x, "action"))} ${show(at(x, "ipMask"))}`).join(", ") || "[]" : p("properties.ipFilterRules")],
                ["sasPolicies", Array.isArray(policies) ? policies.map((x) => `${show(at(x, "keyName"))} (${show(at(x, "rights"))})`).join("; ") || "none" : show(policies)],
                ["disableLocalAuth", p("properties.disableLocalAuth")],
                ["disableDeviceSAS", p("properties.disableDeviceSAS")],
                ["disableModuleSAS", p("properties.disableModuleSAS")],
                ["restrictOutbound", `${p("properties.restrictOutboundNetworkAccess")} -> ${p("properties.allowedFqdnList")}`],
                ["identity", `${p("identity.type")} ${p("identity.userAssignedIdentities")}`],
                ["routing", Array.isArray(endpoints) ? endpoints.map((e) => `${show(at(e, "name"))}: ${show(at(e, "endpointUri"))} ${show(at(e, "databaseName"))}/${show(at(e, "containerName"))} auth ${show(at(e, "authenticationType"))}`).join("; ") : show(endpoints)],
                ["fallbackRoute", `${p("properties.routing.fallbackRoute.name")} -> ${p("properties.routing.fallbackRoute.endpointNames")}`],
            ];
        }
        case "azure-native:iothub:IotHubResourceEventHubConsumerGroup":
            return [["consumerGroup", p("name")]];
        case "azure-native:iothub:Certificate":
        case "azure-native:deviceprovisioningservices:DpsCertificate":
            return [["name", p("certificateName")], ["isVerified", p("properties.isVerified")], ...certificateLines(at(i, "properties.certificate"))];
        case "azure-native:deviceprovisioningservices:IotDpsResource": {
            const hubs = at(i, "properties.iotHubs");
            return [
                ["name", p("provisioningServiceName")],
                ["allocationPolicy", p("properties.allocationPolicy")],
                ["publicNetworkAccess", p("properties.publicNetworkAccess")],
                ["ipFilterRules", Array.isArray(at(i, "properties.ipFilterRules")) ? (at(i, "properties.ipFilterRules") as unknown[]).map((x) => `${show(at(x, "action"))} ${show(at(x, "ipMask"))}`).join(", ") : p("properties.ipFilterRules")],
                ["sasPolicies", show(at(i, "properties.authorizationPolicies")) === "[]" ? "none" : p("properties.authorizationPolicies")],
                ["linkedHubs", Array.isArray(hubs) ? hubs.map((h) => `${show(at(h, "location"))} via ${show(at(h, "connectionString"))}`).join("; ") : show(hubs)],
            ];
        }
        case "azure-native:cosmosdb:DatabaseAccount":
            return [
                ["name", p("accountName")],
                ["disableLocalAuth", p("disableLocalAuth")],
                ["disableKeyBasedMetadataWriteAccess", p("disableKeyBasedMetadataWriteAccess")],
                ["minimalTlsVersion", p("minimalTlsVersion")],
                ["publicNetworkAccess", p("publicNetworkAccess")],
                ["ipRules", Array.isArray(at(i, "ipRules")) ? (at(i, "ipRules") as unknown[]).map((x) => show(at(x, "ipAddressOrRange"))).join(", ") || "[]" : p("ipRules")],
                ["networkAclBypass", p("networkAclBypass")],
                ["backup", p("backupPolicy.type")],
                ["capacity", show(at(i, "capabilities")).includes("EnableServerless") ? "serverless" : `provisioned, cap ${p("capacity.totalThroughputLimit")} RU/s`],
                ["locations", Array.isArray(at(i, "locations")) ? (at(i, "locations") as unknown[]).map((l) => `${show(at(l, "locationName"))}${at(l, "isZoneRedundant") === true ? " (zone-redundant)" : ""}`).join(", ") : p("locations")],
            ];
        case "azure-native:cosmosdb:SqlResourceSqlContainer":
            return [["container", p("containerName")], ["partitionKey", p("resource.partitionKey.paths")], ["defaultTtl", `${p("resource.defaultTtl")} s`], ["autoscaleMax", p("options.autoscaleSettings.maxThroughput")]];
        case "azure-native:cosmosdb:SqlResourceSqlRoleAssignment": {
            const role = String(at(i, "roleDefinitionId") ?? "");
            const name = role.endsWith("0001") ? "Data Reader" : role.endsWith("0002") ? "Data Contributor" : show(role);
            return [["role", name], ["principal", p("principalId")], ["scope", p("scope")]];
        }
        case "azure-native:authorization:RoleAssignment":
            return [["role", p("description")], ["principal", p("principalId")], ["scope", p("scope")]];
        case "azuread:index/applicationRegistration:ApplicationRegistration":
            return [
                ["displayName", p("displayName")],
                ["signInAudience", p("signInAudience")],
                ["accessTokenVersion", p("requestedAccessTokenVersion")],
                ["implicitGrant", `access ${p("implicitAccessTokenIssuanceEnabled")}, id ${p("implicitIdTokenIssuanceEnabled")}`],
            ];
        case "azuread:index/applicationIdentifierUri:ApplicationIdentifierUri":
            return [["identifierUri", p("identifierUri")]];
        case "azuread:index/applicationPermissionScope:ApplicationPermissionScope":
            return [["scope", `${p("value")} (consent: ${p("type")})`]];
        case "azuread:index/applicationAppRole:ApplicationAppRole":
            return [["appRole", `${p("value")} for ${p("allowedMemberTypes")}`]];
        case "azuread:index/servicePrincipal:ServicePrincipal":
            return [["appRoleAssignmentRequired", p("appRoleAssignmentRequired")], ["owners", p("owners")]];
        case "azuread:index/applicationRedirectUris:ApplicationRedirectUris":
            return [["type", p("type")], ["redirectUris", p("redirectUris")]];
        case "azuread:index/applicationOwner:ApplicationOwner":
            return [["owner", p("ownerObjectId")]];
        case "azuread:index/applicationPreAuthorized:ApplicationPreAuthorized":
        case "azuread:index/applicationApiAccess:ApplicationApiAccess":
            return [["scopes", show(at(i, "permissionIds") ?? at(i, "scopeIds"))]];
        case "tls:index/selfSignedCert:SelfSignedCert":
            return [["subject", p("subject.commonName")], ["isCa", p("isCaCertificate")], ["validity", `${Number(at(i, "validityPeriodHours")) / 24} days`]];
        case "tls:index/privateKey:PrivateKey":
            return [["algorithm", `${p("algorithm")} ${p("ecdsaCurve")}`]];
        default:
            return [];
    }
}
