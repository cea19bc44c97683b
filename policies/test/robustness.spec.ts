/**
 * Property-based robustness: no rule throws on odd but legal input. fast-check generates thousands
 * of property trees, both mutations of the compliant resources (a value replaced by null, a string
 * in unexpected casing, a number as a string, an empty array, an object where a string was
 * expected, a value unknown at preview, a deleted key) and free-form trees built from the property
 * names the rules read (the telemetry path's included: Event Hubs, Service Bus, storage, function
 * apps, Application Insights); every resource rule runs on every tree under every resource type it
 * matches, with random configuration, and every stack rule runs on generated stacks with random
 * propertyDependencies. The harness rethrows anything that is not CrossGuard's UnknownValueError
 * (which CrossGuard itself turns into an advisory), so a single throw fails the property.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { PackResourcePolicy, PackStackPolicy } from "../lib/define";
import { TOKENS } from "../lib/tokens";
import { allPolicies } from "../policies";
import { caCert } from "./certs";
import { stackResources } from "./fixtures";
import { buildStack, isStackPolicy, runResource, runStack, UNKNOWN, type StackInput } from "./runPolicies";

const resourcePolicies = allPolicies.filter((p): p is PackResourcePolicy => !isStackPolicy(p));
const stackPolicies: PackStackPolicy[] = allPolicies.filter(isStackPolicy);

const KEYS = [
    "properties", "publicNetworkAccess", "networkRuleSets", "defaultAction", "applyToBuiltInEventHubEndpoint", "ipRules", "ipFilterRules",
    "ipMask", "action", "target", "filterName", "authorizationPolicies", "keyName", "rights", "primaryKey", "secondaryKey", "disableLocalAuth",
    "disableDeviceSAS", "disableModuleSAS", "minTlsVersion", "restrictOutboundNetworkAccess", "allowedFqdnList", "routing", "endpoints",
    "cosmosDBSqlContainers", "eventHubs", "storageEndpoints", "authenticationType", "connectionString", "endpointUri", "identity", "type",
    "userAssignedIdentities", "sku", "name", "iotHubs", "location", "certificate", "isVerified", "capabilities", "capacity",
    "totalThroughputLimit", "locations", "locationName", "failoverPriority", "isZoneRedundant", "backupPolicy", "ipAddressOrRange", "cors",
    "allowedOrigins", "networkAclBypass", "networkAclBypassResourceIds", "minimalTlsVersion", "options", "throughput", "autoscaleSettings",
    "maxThroughput", "logs", "metrics", "category", "categoryGroup", "enabled", "workspaceId", "resourceUri", "privateLinkServiceConnections",
    "groupIds", "privateLinkServiceId", "privateDnsZoneConfigs", "privateDnsZoneId", "privateEndpointName", "level", "resourceName", "scope",
    "roleDefinitionId", "principalId", "permissions", "dataActions", "tags", "environment", "signInAudience", "requestedAccessTokenVersion",
    "api", "web", "implicitGrant", "redirectUris", "identifierUris", "identifierUri", "applicationId", "appRoles", "allowedMemberTypes",
    "value", "oauth2PermissionScopes", "owners", "fallbackPublicClientEnabled", "password", "endDate", "endDateRelative", "startDate",
    "encoding", "audiences", "issuer", "subject", "apiClientId", "roleIds", "requiredResourceAccesses", "resourceAccesses", "id",
    "knownClientIds", "authorizedClientId", "clientId", "appRoleAssignmentRequired", "iotHubs", "status", "isEnabled", "pricingName",
    "pricingTier", "resourceGroupName", "privateEndpointConnections", "privateLinkServiceConnectionState",
    // the generic ARM resource and the identity link of DPS
    "resourceProviderNamespace", "resourceType", "parentResourcePath", "apiVersion", "hostName", "selectedUserAssignedIdentityResourceId",
    "principalType", "provisioningServiceName",
    // Telemetry path: Event Hubs, Service Bus, storage, function apps, Application Insights.
    "namespaceName", "eventHubName", "entityPath", "userAssignedIdentity", "serviceBusQueues", "serviceBusTopics", "storageContainers",
    "minimumTlsVersion", "trustedServiceAccessEnabled", "virtualNetworkRules", "authorizationRuleName", "accountName",
    "allowSharedKeyAccess", "allowBlobPublicAccess", "enableHttpsTrafficOnly", "networkRuleSet", "bypass", "iPAddressOrRange",
    "resourceAccessRules", "resourceId", "publicAccess", "containerName", "httpsOnly", "siteConfig", "scmMinTlsVersion", "ftpsState",
    "remoteDebuggingEnabled", "appSettings", "connectionStrings", "virtualNetworkSubnetId", "functionAppConfig", "deployment", "storage",
    "authentication", "userAssignedIdentityResourceId", "storageAccountConnectionStringName", "allow", "workspaceResourceId",
    "publicNetworkAccessForIngestion", "isVirtualNetworkFilterEnabled", "AzureWebJobsStorage", "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "APPINSIGHTS_INSTRUMENTATIONKEY",
    "__proto__", "constructor",
];

const CERT = caCert(-1, 100);
const oddLeaf = fc.oneof(
    fc.constantFrom<unknown>(
        null, true, false, 0, -1, 1.2, 2, 1e308, "", " ", "true", "FALSE", "2", "-1", "1.2", "disabled", "DISABLED", "Enabled", "Deny", "allow",
        "0.0.0.0", "0.0.0.0/0", "10.0.0.0/33", "1.2.3", "*", "api://*", "http://x", "https://x.example.com", "msauth.x://auth", "Tls12", "tls",
        "iothubowner", "RegistryWrite, ServiceConnect", "RegistryRead,,DeviceConnect", "identityBased", "keyBased", "UserAssigned", "None",
        "allLogs", "AllMetrics", "CanNotDelete", "ReadOnly", "iotHub", "Sql", "iotDps", "Continuous", "EnableServerless", "F1", "Admin",
        "namespace", "blob", "SecuredByPerimeter", "TLS1_2", "TLS1_0", "FtpsOnly", "AllAllowed", "UserAssignedIdentity", "SystemAssignedIdentity",
        "StorageAccountConnectionString", "SystemAssigned, UserAssigned", "AzureServices", "Logging, Metrics", "sb://x.servicebus.windows.net",
        "https://a.documents.azure.com:443/", "https://st.blob.core.windows.net/", "AccountName=a;AccountKey=b", "Authorization=AAD;ClientId=x",
        "InstrumentationKey=x", "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b",
        "00000000-0000-0000-0000-000000000002", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "/subscriptions/x", "/", "9000h", "bad-duration",
        "HostName=h.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=x", "2024-13-45", CERT, "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----",
        UNKNOWN, [], {}, [null], [UNKNOWN], { "": null },
        "Microsoft.Devices", "microsoft.devices", "provisioningServices", "IotHubs", "2026-08-01", "2026-06-01-preview", "2023-03-01-preview",
        "SystemAssigned", "SystemAssigned, UserAssigned", "KeyBased", "ServicePrincipal", "4ea46cd5-c1b2-4a8e-910b-273211f9ce47",
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/iot-secure-prod", "iot-secure-prod.azure-devices.net",
    ),
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.double({ noNaN: false }),
);

const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        oddLeaf,
        fc.array(tie("tree"), { maxLength: 4 }),
        fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), tie("tree"), { maxKeys: 6 }),
    ),
}));

type Path = Array<string | number>;
function paths(x: unknown, prefix: Path = [], out: Path[] = []): Path[] {
    if (typeof x === "object" && x !== null) {
        for (const [k, v] of Object.entries(x)) {
            const p = [...prefix, Array.isArray(x) ? Number(k) : k];
            out.push(p);
            paths(v, p, out);
        }
    }
    return out;
}
function applyMutation(root: unknown, path: Path, value: unknown, remove: boolean): unknown {
    if (path.length === 0) return value;
    const copy = structuredClone(root) as Record<string | number, unknown>;
    let cur: Record<string | number, unknown> = copy;
    for (const k of path.slice(0, -1)) {
        const next = cur[k];
        if (typeof next !== "object" || next === null) return copy;
        cur = next as Record<string | number, unknown>;
    }
    const last = path[path.length - 1];
    if (remove && !Array.isArray(cur)) delete cur[last];
    else cur[last] = value;
    return copy;
}

const fixtures: StackInput[] = [...stackResources("prod", false), ...stackResources("prod", true), ...stackResources("dev", false)];
const mutation = fc.record({ pick: fc.nat(), value: tree, remove: fc.boolean() });
const mutatedFixture = fc.record({ index: fc.nat({ max: fixtures.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) }).map(({ index, mutations }) => {
    const base = fixtures[index];
    let props: unknown = base.props;
    for (const m of mutations) {
        const all = paths(props);
        props = all.length === 0 ? m.value : applyMutation(props, all[m.pick % all.length], m.value, m.remove);
    }
    return { type: base.type, props };
});

/** Every type a resource rule matches (v3 and v2), plus a few it must ignore. */
const ALL_TYPES = [...new Set(Object.values(TOKENS).flat()), "azure-native:network:VirtualNetwork", "random:index/randomUuid:RandomUuid"];
/** Generic ARM resources whose type is (or is almost, or is unknown to be) a DPS or a hub. */
const genericResource = fc.record({
    type: fc.constant(TOKENS.genericResource[0]),
    props: fc.record({
        resourceProviderNamespace: fc.constantFrom<unknown>("Microsoft.Devices", "MICROSOFT.DEVICES", "Microsoft.Storage", UNKNOWN, null, 7),
        resourceType: fc.constantFrom<unknown>("provisioningServices", "iothubs", "certificates", UNKNOWN, undefined, {}),
        parentResourcePath: fc.constantFrom<unknown>("", undefined, "IotHubs/x", UNKNOWN, null),
        apiVersion: fc.oneof(fc.constantFrom<unknown>("2026-08-01", "2026-06-01-preview", "2022-12-12", "latest", UNKNOWN, undefined), tree),
        resourceName: fc.oneof(fc.constantFrom<unknown>("dps-secure-iot-prod", UNKNOWN), tree),
        identity: tree,
        properties: tree,
    }, { requiredKeys: [] }),
});
const resourceInput = fc.oneof(
    mutatedFixture,
    genericResource,
    fc.record({ type: fc.constantFrom(...ALL_TYPES), props: tree }),
    fc.record({ type: fc.constantFrom(...ALL_TYPES), props: fc.dictionary(fc.constantFrom(...KEYS), tree, { maxKeys: 8 }) }),
);
const config = fc.option(fc.oneof(tree, fc.dictionary(fc.constantFrom("allowedRights", "minPrefixLength", "requirement", "allowedLocations", "requiredTags", "throughputMax", "maxLifetimeDays", "subjectPatterns", "nativeSchemePatterns", "privilegedScopePatterns", "acceptedRoleSets", "allowExternal", "forbiddenSkus", "allowDpsLinkException", "requireDisabled", "required", "allowPublicIngestion", "writerResourceNames"), tree)), { nil: undefined });

describe("robustness (fast-check)", () => {
    it("no resource rule throws on generated property trees", () => {
        let validations = 0;
        fc.assert(
            fc.property(resourceInput, config, (input, cfg) => {
                for (const p of resourcePolicies) {
                    runResource(p, { type: input.type, name: "generated", props: input.props }, cfg);
                    validations++;
                }
            }),
            { numRuns: 2000, seed: Number(process.env.FC_SEED ?? 42) },
        );
        assert.ok(validations >= 2000 * resourcePolicies.length);
    });

    it("no stack rule throws on generated stacks with random propertyDependencies", () => {
        const stackArb = fc.array(
            fc.record({
                resource: fc.oneof({ weight: 3, arbitrary: mutatedFixture }, { weight: 1, arbitrary: genericResource }, { weight: 1, arbitrary: fc.record({ type: fc.constantFrom(...ALL_TYPES), props: tree }) }),
                deps: fc.dictionary(fc.constantFrom(...KEYS), fc.array(fc.nat({ max: 40 }), { maxLength: 3 }), { maxKeys: 4 }),
                protect: fc.boolean(),
            }),
            { minLength: 1, maxLength: 40 },
        ).map((items) => items.map((it, i): StackInput => ({
            type: it.resource.type,
            name: `r${i}`,
            props: it.resource.props,
            protect: it.protect,
            propertyDependencies: Object.fromEntries(Object.entries(it.deps).map(([k, refs]) => [k, refs.filter((n) => n < items.length).map((n) => `r${n}`)])),
        })));
        fc.assert(
            fc.property(stackArb, config, (stack, cfg) => {
                const built = buildStack(stack); // built once per stack, as the server builds it per policy
                for (const p of stackPolicies) runStack(p, built, cfg);
            }),
            { numRuns: 300, seed: Number(process.env.FC_SEED ?? 42) },
        );
    });

    it("the compliant stacks mutated one value at a time never make a stack rule throw", () => {
        const base = stackResources("prod", true);
        fc.assert(
            fc.property(fc.nat({ max: base.length - 1 }), mutation, (index, m) => {
                const all = paths(base[index].props);
                const stack = base.map((r, i) => (i === index && all.length > 0 ? { ...r, props: applyMutation(r.props, all[m.pick % all.length], m.value, m.remove) } : r));
                const built = buildStack(stack);
                for (const p of stackPolicies) runStack(p, built);
            }),
            { numRuns: 400, seed: Number(process.env.FC_SEED ?? 42) },
        );
    });
});
