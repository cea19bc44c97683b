/**
 * Type tokens the rules match on: the v3 token of each resource class and, where the module was
 * renamed between v2 and v3 of @pulumi/azure-native, the v2 token a v2 program still registers
 * (`azure-native:devices:IotHubResource` for `azure-native:iothub:IotHubResource`, ...).
 *
 * The rules match on strings rather than on the resource classes so the pack does not load
 * @pulumi/azure-native or @pulumi/azuread at start (start time matters: the engine starts the pack
 * on every preview). `test/tokens.test.ts` proves every v3 token here is the `__pulumiType` of the real
 * class and every v2 token is one of the aliases the class registers.
 */

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
} as const satisfies Record<string, readonly string[]>;

export type TokenKind = keyof typeof TOKENS;

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

/** Human label for messages. */
export function kindLabel(type: string): string {
    if (isKind(type, "iotHub")) return "IoT Hub";
    if (isKind(type, "dps")) return "Device Provisioning Service";
    if (isKind(type, "cosmosAccount")) return "Cosmos DB account";
    return type;
}
