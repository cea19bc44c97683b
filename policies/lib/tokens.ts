/**
 * Type tokens the rules match on: the v3 token of each resource class and, where the module was
 * renamed between v2 and v3 of @pulumi/azure-native, the v2 token a v2 program still registers
 * (`azure-native:devices:IotHubResource` for `azure-native:iothub:IotHubResource`, ...).
 *
 * The rules match on strings rather than on the resource classes so the pack does not load
 * @pulumi/azure-native or @pulumi/azuread at start (start time matters: the engine starts the pack
 * on every preview). `test/tokens.test.ts` proves every v3 token here is the `__pulumiType` of the real
 * class and every v2 token is one of the aliases the class registers.
 *
 * A resource can also be the generic ARM resource (`azure-native:resources:Resource`), which a
 * program uses for an API version no typed class offers. `resolveKind` maps it to a kind by its
 * `resourceProviderNamespace`/`resourceType` (case-insensitive, as ARM compares them), and
 * `typedProps` shows its inputs in the typed class's shape, so every rule of the kind (resource
 * rules through `define.ts`, stack rules through `StackGraph`) evaluates it exactly as the typed
 * resource, once, here.
 */

import { PROXY_TARGET, peek, proxyTarget } from "./unknowns";

export const TOKENS = {
    // IoT Hub
    iotHub: ["azure-native:iothub:IotHubResource", "azure-native:devices:IotHubResource"],
    iotHubCertificate: ["azure-native:iothub:Certificate", "azure-native:devices:Certificate"],
    // Device Provisioning Service
    dps: ["azure-native:deviceprovisioningservices:IotDpsResource", "azure-native:devices:IotDpsResource"],
    dpsCertificate: ["azure-native:deviceprovisioningservices:DpsCertificate", "azure-native:devices:DpsCertificate"],
    // Cosmos DB
    cosmosAccount: ["azure-native:cosmosdb:DatabaseAccount", "azure-native:documentdb:DatabaseAccount"],
    cosmosSqlDatabase: ["azure-native:cosmosdb:SqlResourceSqlDatabase", "azure-native:documentdb:SqlResourceSqlDatabase"],
    cosmosSqlContainer: ["azure-native:cosmosdb:SqlResourceSqlContainer", "azure-native:documentdb:SqlResourceSqlContainer"],
    cosmosSqlRoleAssignment: [
        "azure-native:cosmosdb:SqlResourceSqlRoleAssignment",
        "azure-native:documentdb:SqlResourceSqlRoleAssignment",
    ],
    cosmosSqlRoleDefinition: [
        "azure-native:cosmosdb:SqlResourceSqlRoleDefinition",
        "azure-native:documentdb:SqlResourceSqlRoleDefinition",
    ],
    // Monitoring
    diagnosticSetting: ["azure-native:monitor:DiagnosticSetting", "azure-native:insights:DiagnosticSetting"],
    // Networking
    privateEndpoint: ["azure-native:network:PrivateEndpoint"],
    privateDnsZoneGroup: ["azure-native:network:PrivateDnsZoneGroup"],
    privateZone: ["azure-native:privatedns:PrivateZone", "azure-native:network:PrivateZone"],
    // Authorization
    roleAssignment: ["azure-native:authorization:RoleAssignment"],
    roleDefinition: ["azure-native:authorization:RoleDefinition"],
    lockAtResource: ["azure-native:authorization:ManagementLockAtResourceLevel"],
    lockByScope: ["azure-native:authorization:ManagementLockByScope"],
    lockAtResourceGroup: ["azure-native:authorization:ManagementLockAtResourceGroupLevel"],
    // Defender for Cloud
    iotSecuritySolution: ["azure-native:security:IotSecuritySolution"],
    advancedThreatProtection: ["azure-native:security:AdvancedThreatProtection"],
    defenderPricing: ["azure-native:security:Pricing"],
    // Telemetry path: Event Hubs, Service Bus (a routing target IoT Hub supports), Functions, Storage,
    // Application Insights. None of these modules was renamed between v2 and v3 except
    // applicationinsights (v2: insights).
    eventHubNamespace: ["azure-native:eventhub:Namespace"],
    eventHub: ["azure-native:eventhub:EventHub"],
    eventHubConsumerGroup: ["azure-native:eventhub:ConsumerGroup"],
    eventHubNetworkRuleSet: ["azure-native:eventhub:NamespaceNetworkRuleSet"],
    eventHubNamespaceAuthRule: ["azure-native:eventhub:NamespaceAuthorizationRule"],
    eventHubAuthRule: ["azure-native:eventhub:EventHubAuthorizationRule"],
    serviceBusNamespace: ["azure-native:servicebus:Namespace"],
    serviceBusNetworkRuleSet: ["azure-native:servicebus:NamespaceNetworkRuleSet"],
    appServicePlan: ["azure-native:web:AppServicePlan"],
    webApp: ["azure-native:web:WebApp"],
    webAppFtpAllowed: ["azure-native:web:WebAppFtpAllowed"],
    webAppScmAllowed: ["azure-native:web:WebAppScmAllowed"],
    webAppSettings: ["azure-native:web:WebAppApplicationSettings"],
    webAppConnectionStrings: ["azure-native:web:WebAppConnectionStrings"],
    webAppAuthSettingsV2: ["azure-native:web:WebAppAuthSettingsV2"],
    storageAccount: ["azure-native:storage:StorageAccount"],
    blobContainer: ["azure-native:storage:BlobContainer"],
    appInsights: ["azure-native:applicationinsights:Component", "azure-native:insights:Component"],
    // Resources, identities
    resourceGroup: ["azure-native:resources:ResourceGroup"],
    userAssignedIdentity: ["azure-native:managedidentity:UserAssignedIdentity"],
    // Entra ID (@pulumi/azuread)
    aadApplication: ["azuread:index/application:Application"],
    aadApplicationRegistration: ["azuread:index/applicationRegistration:ApplicationRegistration"],
    aadIdentifierUri: ["azuread:index/applicationIdentifierUri:ApplicationIdentifierUri"],
    aadRedirectUris: ["azuread:index/applicationRedirectUris:ApplicationRedirectUris"],
    aadApiAccess: ["azuread:index/applicationApiAccess:ApplicationApiAccess"],
    aadPermissionScope: ["azuread:index/applicationPermissionScope:ApplicationPermissionScope"],
    aadAppRole: ["azuread:index/applicationAppRole:ApplicationAppRole"],
    aadOwner: ["azuread:index/applicationOwner:ApplicationOwner"],
    aadKnownClients: ["azuread:index/applicationKnownClients:ApplicationKnownClients"],
    aadPreAuthorized: ["azuread:index/applicationPreAuthorized:ApplicationPreAuthorized"],
    aadFallbackPublicClient: ["azuread:index/applicationFallbackPublicClient:ApplicationFallbackPublicClient"],
    aadFederatedCredential: [
        "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
    ],
    aadApplicationPassword: ["azuread:index/applicationPassword:ApplicationPassword"],
    aadServicePrincipalPassword: ["azuread:index/servicePrincipalPassword:ServicePrincipalPassword"],
    aadApplicationCertificate: ["azuread:index/applicationCertificate:ApplicationCertificate"],
    aadServicePrincipalCertificate: ["azuread:index/servicePrincipalCertificate:ServicePrincipalCertificate"],
    aadServicePrincipal: ["azuread:index/servicePrincipal:ServicePrincipal"],
    // @pulumi/tls certificates (a generated CA's PEM is unknown at preview; its validity is an input).
    tlsSelfSignedCert: ["tls:index/selfSignedCert:SelfSignedCert"],
    tlsLocallySignedCert: ["tls:index/locallySignedCert:LocallySignedCert"],
    // The root stack resource: its props are the stack outputs.
    stack: ["pulumi:pulumi:Stack"],
    // The generic ARM resource: a program uses it for an API version no typed class has (a DPS that
    // links its hub by managed identity). `resolveKind` maps it to the kind of its ARM type.
    genericResource: ["azure-native:resources:Resource"],
} as const satisfies Record<string, readonly string[]>;

export type TokenKind = keyof typeof TOKENS;

/** Kind of a typed token (v3 or v2 alias); the generic resource's token maps to no kind here. */
const KIND_OF_TOKEN = new Map<string, TokenKind>();
for (const [kind, tokens] of Object.entries(TOKENS) as Array<[TokenKind, readonly string[]]>) {
    if (kind === "genericResource") continue;
    for (const t of tokens) KIND_OF_TOKEN.set(t, kind);
}

/** True when `type` is the v3 token or the v2 alias of the resource kind. */
export function isKind(type: unknown, kind: TokenKind): boolean {
    return typeof type === "string" && (TOKENS[kind] as readonly string[]).includes(type);
}

/** True when `type` is any of the given kinds. */
export function isAnyKind(type: unknown, kinds: readonly TokenKind[]): boolean {
    return kinds.some((k) => isKind(type, k));
}

/** The three stateful, internet-facing services the baseline is about. */
export const CORE_SERVICE_KINDS = ["iotHub", "dps", "cosmosAccount"] as const satisfies readonly TokenKind[];

/** Human label of a kind for messages. */
export function kindLabel(kind: TokenKind): string {
    if (kind === "iotHub") return "IoT Hub";
    if (kind === "dps") return "Device Provisioning Service";
    if (kind === "cosmosAccount") return "Cosmos DB account";
    return TOKENS[kind][0];
}

// ---- The generic ARM resource ------------------------------------------------------------------

/**
 * Kinds a generic `azure-native:resources:Resource` can stand for, by ARM type. Only kinds whose
 * typed class has the ARM body's shape (name, location, sku, identity, properties) are listed, so
 * the rules read a generic resource exactly as the typed one.
 */
export const GENERIC_ARM_TYPES = {
    iotHub: { namespace: "Microsoft.Devices", resourceType: "IotHubs" },
    dps: { namespace: "Microsoft.Devices", resourceType: "provisioningServices" },
} as const satisfies Partial<Record<TokenKind, { namespace: string; resourceType: string }>>;

export type GenericKind = keyof typeof GENERIC_ARM_TYPES;

/**
 * Azure REST API version of each typed class in @pulumi/azure-native 3.28.0 (the class's doc
 * comment; `test/tokens.spec.ts` checks it). Only the v3 token: a v2 program's class used an older
 * version.
 */
export const TYPED_API_VERSIONS: Partial<Record<TokenKind, string>> = {
    iotHub: "2023-06-30",
    dps: "2023-03-01-preview",
};

/** Input names of the typed class that the generic resource spells differently (typed -> generic). */
const TYPED_INPUT_ALIASES: Partial<Record<TokenKind, Record<string, string>>> = {
    dps: { provisioningServiceName: "resourceName" },
};

/** API version of a resource: a known value (possibly absent), or unknown at preview. */
export type ApiVersion = { known: true; value: string | undefined } | { known: false };

export interface ResolvedKind {
    kind: TokenKind;
    /** True for the generic resource (`azure-native:resources:Resource`). */
    generic: boolean;
    apiVersion: ApiVersion;
}

/** The generic inputs that name the ARM type, in the order they are checked. */
const GENERIC_TYPE_INPUTS = ["resourceProviderNamespace", "resourceType", "parentResourcePath"] as const;

/**
 * The kind of a resource: the typed token's kind, or for the generic resource the kind of its ARM
 * type (`resourceProviderNamespace`/`resourceType`, compared case-insensitively as ARM does, with
 * an empty `parentResourcePath`: a child resource is another type). Undefined when it is none of
 * the pack's kinds, or when the generic resource's type is unknown at preview (see
 * `unresolvedGenericInput`). Never throws.
 */
export function resolveKind(type: unknown, props: unknown): ResolvedKind | undefined {
    if (typeof type !== "string") return undefined;
    const typed = KIND_OF_TOKEN.get(type);
    if (typed !== undefined) {
        const v = TYPED_API_VERSIONS[typed];
        return { kind: typed, generic: false, apiVersion: { known: true, value: type === TOKENS[typed][0] ? v : undefined } };
    }
    if (!isKind(type, "genericResource")) return undefined;
    const values: string[] = [];
    for (const key of GENERIC_TYPE_INPUTS) {
        const p = peek(props, key);
        if (!p.known) return undefined;
        values.push(typeof p.value === "string" ? p.value.trim().toLowerCase() : p.value === undefined || p.value === null ? "" : "\u0000");
    }
    const [namespace, resourceType, parent] = values;
    if (parent !== "") return undefined;
    for (const [kind, arm] of Object.entries(GENERIC_ARM_TYPES) as Array<[GenericKind, { namespace: string; resourceType: string }]>) {
        if (namespace === arm.namespace.toLowerCase() && resourceType === arm.resourceType.toLowerCase()) {
            const v = peek(props, "apiVersion");
            const apiVersion: ApiVersion = v.known ? { known: true, value: typeof v.value === "string" ? v.value.trim() : undefined } : { known: false };
            return { kind, generic: true, apiVersion };
        }
    }
    return undefined;
}

/**
 * For a generic resource whose ARM type is unknown at preview: the first input that is unknown
 * (a rule then reads it, and CrossGuard reports that it could not run). Undefined otherwise.
 */
export function unresolvedGenericInput(type: unknown, props: unknown): string | undefined {
    if (!isKind(type, "genericResource")) return undefined;
    for (const key of GENERIC_TYPE_INPUTS) {
        if (!peek(props, key).known) return key;
    }
    return undefined;
}

/** True when the resource (typed, v2 alias, or generic of the kind's ARM type) is of the kind. */
export function isKindOf(r: { type: unknown; props: unknown }, kind: TokenKind): boolean {
    if (kind === "genericResource") return isKind(r.type, kind);
    return resolveKind(r.type, r.props)?.kind === kind;
}

/**
 * The resource's inputs in the typed class's shape: for a generic resource, a view that also
 * answers the typed input names it spells differently (a generic DPS's `resourceName` as
 * `provisioningServiceName`). Reads go through the original (CrossGuard's unknown-checking proxy),
 * so an unknown value is still caught; `peek` sees the same aliases. Typed resources are returned
 * as they are.
 */
export function typedProps(resolved: ResolvedKind, props: Record<string, unknown>): Record<string, unknown> {
    const aliases = resolved.generic ? TYPED_INPUT_ALIASES[resolved.kind] : undefined;
    if (aliases === undefined) return props;
    const own = (key: string): boolean => {
        const raw = proxyTarget(props);
        return typeof raw === "object" && raw !== null && Object.prototype.hasOwnProperty.call(raw, key);
    };
    const aliasOf = (key: PropertyKey): string | undefined =>
        typeof key === "string" && Object.prototype.hasOwnProperty.call(aliases, key) && !own(key) ? aliases[key] : undefined;
    return new Proxy(props, {
        get(t, key) {
            if (key === PROXY_TARGET) {
                const raw = proxyTarget(t);
                if (typeof raw !== "object" || raw === null) return raw;
                const view: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
                for (const [typedKey, genericKey] of Object.entries(aliases)) {
                    if (!(typedKey in view) && genericKey in view) view[typedKey] = view[genericKey];
                }
                return view;
            }
            const alias = aliasOf(key);
            return alias !== undefined ? Reflect.get(t, alias) : Reflect.get(t, key);
        },
        has(t, key) {
            const alias = aliasOf(key);
            return alias !== undefined ? Reflect.has(t, alias) : Reflect.has(t, key);
        },
        ownKeys(t) {
            const keys = Reflect.ownKeys(t);
            for (const [typedKey, genericKey] of Object.entries(aliases)) {
                if (!keys.includes(typedKey) && keys.includes(genericKey)) keys.push(typedKey);
            }
            return keys;
        },
        getOwnPropertyDescriptor(t, key) {
            const alias = aliasOf(key);
            if (alias === undefined) return Reflect.getOwnPropertyDescriptor(t, key);
            const d = Reflect.getOwnPropertyDescriptor(t, alias);
            return d === undefined ? undefined : { ...d, configurable: true };
        },
    });
}
