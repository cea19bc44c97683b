/**
 * Every policy of the pack, grouped by rule family. Importing this module has no side effect (it
 * does not start the analyzer), so tests and tools can use the policies directly; `index.ts` serves
 * them as a PolicyPack.
 */
import type { PackPolicy } from "./lib/define";
import { ai01LocalAuth } from "./rules/appInsights/ai-01-appinsights-local-auth-disabled";
import { ai02WorkspaceBased } from "./rules/appInsights/ai-02-appinsights-workspace-based";
import { ai03PublicIngestion } from "./rules/appInsights/ai-03-appinsights-public-ingestion";
import { cos01LocalAuth } from "./rules/cosmos/cos-01-cosmos-local-auth-disabled";
import { cos02MetadataWrites } from "./rules/cosmos/cos-02-cosmos-key-metadata-writes-disabled";
import { cos03PublicAccess } from "./rules/cosmos/cos-03-cosmos-public-network-access-disabled";
import { cos04FirewallRules } from "./rules/cosmos/cos-04-cosmos-firewall-rules-exist";
import { cos05BroadIpRules } from "./rules/cosmos/cos-05-cosmos-no-broad-ip-rules";
import { cos06AclBypass } from "./rules/cosmos/cos-06-cosmos-network-acl-bypass-off";
import { cos07CosmosPrivateEndpoint } from "./rules/cosmos/cos-07-cosmos-private-endpoint";
import { cos09MinTls } from "./rules/cosmos/cos-09-cosmos-min-tls-12";
import { cos10CustomerManagedKey } from "./rules/cosmos/cos-10-cosmos-customer-managed-key";
import { cos11ContinuousBackup } from "./rules/cosmos/cos-11-cosmos-continuous-backup";
import { cos12FreeTier } from "./rules/cosmos/cos-12-cosmos-no-free-tier";
import { cos13ZoneRedundant } from "./rules/cosmos/cos-13-cosmos-zone-redundant";
import { cos14Failover } from "./rules/cosmos/cos-14-cosmos-automatic-failover-multi-region";
import { cos15DefenderForCosmos } from "./rules/cosmos/cos-15-defender-for-cosmos-enabled";
import { cos16Locations } from "./rules/cosmos/cos-16-cosmos-allowed-locations";
import { cos17Throughput } from "./rules/cosmos/cos-17-cosmos-throughput-capped";
import { cos19DataPlaneRbac } from "./rules/cosmos/cos-19-cosmos-least-privilege-data-rbac";
import { cos20Cors } from "./rules/cosmos/cos-20-cosmos-no-wildcard-cors";
import { cos21AccountName } from "./rules/cosmos/cos-21-cosmos-account-name-valid";
import { diag01IotHubLogs } from "./rules/diagnostics/diag-01-iot-hub-resource-logs";
import { diag02DpsLogs } from "./rules/diagnostics/diag-02-dps-resource-logs";
import { diag03CosmosLogs } from "./rules/diagnostics/diag-03-cosmos-resource-logs";
import { diag04Hygiene } from "./rules/diagnostics/diag-04-diagnostic-setting-hygiene";
import { dps01PublicAccess } from "./rules/dps/dps-01-public-network-access";
import { dps02DpsPrivateEndpoint } from "./rules/dps/dps-02-dps-private-endpoint";
import { dps03IpFilter } from "./rules/dps/dps-03-ip-filter-scoped";
import { dps04LinkIdentityRole } from "./rules/dps/dps-04-link-identity-has-hub-data-role";
import { dps04LinkedByIdentity } from "./rules/dps/dps-04-linked-hubs-by-identity";
import { dps05SameGroup } from "./rules/dps/dps-05-linked-hub-same-group-and-region";
import { dps06SecretLinks } from "./rules/dps/dps-06-link-keys-from-hub-not-literals";
import { dps07SasPolicies } from "./rules/dps/dps-07-least-privilege-sas-policies";
import { dps07LocalAuth } from "./rules/dps/dps-07-local-auth-disabled";
import { dps11CaCertificates } from "./rules/dps/dps-11-ca-certificate-verified-not-expiring";
import { dps20VerifiedCa } from "./rules/dps/dps-20-enrollment-group-verified-ca";
import { dps21NoSymmetricKeys } from "./rules/dps/dps-21-no-symmetric-key-enrollments";
import { dps22NoSecretsInTwin } from "./rules/dps/dps-22-no-secrets-in-initial-twin";
import { dps23LinkedHubsOnly } from "./rules/dps/dps-23-enrollment-allocates-to-linked-hubs";
import { dps24GroupLimit } from "./rules/dps/dps-24-enrollment-group-limit";
import { aad01ImplicitGrant } from "./rules/entra/aad-01-implicit-grant-off";
import { aad02TokenVersion } from "./rules/entra/aad-02-access-token-v2";
import { aad03IdentifierUris } from "./rules/entra/aad-03-safe-identifier-uris";
import { aad04RedirectUris } from "./rules/entra/aad-04-safe-redirect-uris";
import { aad05NoPasswords } from "./rules/entra/aad-05-no-password-credentials";
import { aad06CredentialLifetime } from "./rules/entra/aad-06-bounded-credential-lifetime";
import { aad07ApiNotPublicClient } from "./rules/entra/aad-07-api-app-not-public-client";
import { aad08SignInAudience } from "./rules/entra/aad-08-single-tenant-audience";
import { aad09AssignmentRequired } from "./rules/entra/aad-09-api-service-principal-assignment-required";
import { aad10Owners } from "./rules/entra/aad-10-application-owners-set";
import { aad11ApiPermissions } from "./rules/entra/aad-11-no-high-privilege-graph-permissions";
import { aad12ScopesAndRoles } from "./rules/entra/aad-12-well-formed-scopes-and-roles";
import { aad13FederatedCredential } from "./rules/entra/aad-13-federated-credential-pinned";
import { evh01LocalAuth } from "./rules/eventHubs/evh-01-namespace-local-auth-disabled";
import { evh02MinTls } from "./rules/eventHubs/evh-02-namespace-min-tls-12";
import { evh03PublicAccess } from "./rules/eventHubs/evh-03-namespace-public-access-closed";
import { evh04NoSasRules } from "./rules/eventHubs/evh-04-no-sas-authorization-rules";
import { evh05PrivateEndpoint } from "./rules/eventHubs/evh-05-namespace-private-endpoint";
import { func01HttpsOnly } from "./rules/functionApp/func-01-app-https-only";
import { func02MinTls } from "./rules/functionApp/func-02-app-min-tls-12";
import { func03FtpDisabled } from "./rules/functionApp/func-03-app-ftp-disabled";
import { func04ManagedIdentity } from "./rules/functionApp/func-04-app-managed-identity";
import { func05BasicPublishingCredentials } from "./rules/functionApp/func-05-app-basic-publishing-credentials-off";
import { func06RemoteDebugging } from "./rules/functionApp/func-06-app-remote-debugging-off";
import { func07PublicNetworkAccess } from "./rules/functionApp/func-07-app-public-network-access";
import { func08VnetIntegration } from "./rules/functionApp/func-08-app-vnet-integration";
import { func09NoSecretsInSettings } from "./rules/functionApp/func-09-app-settings-no-keys";
import { func10DeploymentStorageIdentity } from "./rules/functionApp/func-10-flex-deployment-storage-identity";
import { func11HttpAppsGuarded } from "./rules/functionApp/func-11-http-apps-behind-app-service-authentication";
import { iot01MinTls } from "./rules/iotHub/iot-01-hub-min-tls-12";
import { iot02PublicAccess } from "./rules/iotHub/iot-02-hub-public-network-access";
import { iot03HubPrivateEndpoint } from "./rules/iotHub/iot-03-hub-private-endpoint";
import { iot04IpFilter } from "./rules/iotHub/iot-04-hub-ip-filter-default-deny";
import { iot05LocalAuth } from "./rules/iotHub/iot-05-hub-local-auth-disabled";
import { iot06DeviceSas } from "./rules/iotHub/iot-06-hub-device-sas-matches-attestation";
import { iot07ModuleSas } from "./rules/iotHub/iot-07-hub-module-sas-disabled";
import { iot08SasPolicies } from "./rules/iotHub/iot-08-hub-least-privilege-sas-policies";
import { iot09Outbound } from "./rules/iotHub/iot-09-hub-outbound-restricted";
import { iot10EndpointAuth } from "./rules/iotHub/iot-10-hub-endpoints-identity-auth";
import { iot11Identity } from "./rules/iotHub/iot-11-hub-managed-identity";
import { iot14DefenderForIot } from "./rules/iotHub/iot-14-defender-for-iot-enabled";
import { iot15Sku } from "./rules/iotHub/iot-15-hub-sku-has-sla";
import { oth02PrivateDns } from "./rules/other/oth-02-private-endpoint-dns-zone-group";
import { oth03ControlPlaneRbac } from "./rules/other/oth-03-control-plane-rbac-least-privilege";
import { oth04NoSecretOutputs } from "./rules/other/oth-04-no-key-material-in-outputs";
import { oth05RegionsAndTags } from "./rules/other/oth-05-allowed-regions-and-required-tags";
import { oth06Locks } from "./rules/other/oth-06-stateful-resources-locked-and-protected";
import { oth07CustomRoles } from "./rules/other/oth-07-custom-roles-least-privilege";
import { route01Reachability } from "./rules/routing/route-01-iot-hub-routing-endpoint-reachable";
import { stg01SharedKey } from "./rules/storage/stg-01-storage-shared-key-disabled";
import { stg02MinTls } from "./rules/storage/stg-02-storage-min-tls-12";
import { stg03NoPublicBlobAccess } from "./rules/storage/stg-03-storage-no-anonymous-blob-access";
import { stg04HttpsOnly } from "./rules/storage/stg-04-storage-https-only";
import { stg05NetworkClosed } from "./rules/storage/stg-05-storage-network-closed";

export const PACK_NAME = "secure-iot-platform-baseline";

export const ruleFamilies: Record<string, readonly PackPolicy[]> = {
    /**
     * IoT Hub transport and network exposure: IOT-01 (TLS 1.2), IOT-02 (public network access),
     * IOT-04 (IP filter quality when public), IOT-09 (outbound restriction).
     */
    iotHubNetwork: [iot01MinTls, iot02PublicAccess, iot04IpFilter, iot09Outbound],
    /**
     * IoT Hub authentication and authorization: IOT-05 (local auth off, no SAS policy),
     * IOT-06 (device SAS), IOT-07 (module SAS), IOT-08 (least-privilege SAS policies), IOT-10 (endpoints
     * authenticate with managed identity), IOT-11 (managed identity enabled).
     */
    iotHubAuth: [iot05LocalAuth, iot06DeviceSas, iot07ModuleSas, iot08SasPolicies, iot10EndpointAuth, iot11Identity],
    /**
     * IoT Hub service tier: IOT-15 (a production hub runs on a tier with an SLA).
     */
    iotHubSku: [iot15Sku],
    /**
     * Device Provisioning Service settings on the DPS resource itself: DPS-01 (public network
     * access), DPS-03 (IP filter rules scoped), DPS-04 (every hub linked by managed identity),
     * DPS-07 (least-privilege DPS SAS policies, local auth off where the API version offers it).
     *
     * DPS IP filtering has no default action: with no rule, or no matching rule, a connection is
     * accepted. An allow list is the accepted ranges followed by a Reject of 0.0.0.0/0.
     *
     * Every rule here also evaluates the generic `azure-native:resources:Resource` of type
     * Microsoft.Devices/provisioningServices (lib/tokens.ts), which a program uses to reach an API
     * version with identity linking: the typed IotDpsResource of @pulumi/azure-native 3.28.0 uses API
     * 2023-03-01-preview, whose iotHubs[] entry has only connectionString, location, allocationWeight
     * and applyAllocationPolicy.
     */
    dps: [dps01PublicAccess, dps03IpFilter, dps04LinkedByIdentity, dps07SasPolicies, dps07LocalAuth],
    /**
     * The link between a Device Provisioning Service and its IoT hubs (stack rules): DPS-04 (the
     * identity DPS links a hub with holds an IoT Hub data role on exactly that hub), DPS-05 (same
     * resource group and region), DPS-06 (a key link's connection string is read from the hub, never
     * pasted; no keys in the program).
     *
     * A DPS (typed, or the generic azure-native:resources:Resource of type
     * Microsoft.Devices/provisioningServices: StackGraph resolves both) links a hub through an
     * `properties.iotHubs[]` entry. The linked hub is found by the entry's hostName (identity links,
     * API 2026-03-01-preview on) or its connection string's HostName (key links), when known, else
     * through the propertyDependencies of the DPS's `properties`.
     *
     * Which role DPS's identity needs on a linked hub: Microsoft documents "IoT Hub Data Contributor
     * (or a custom role with RegistryWrite and ServiceConnect permissions)" (MicrosoftDocs/azure-docs
     * articles/iot-dps/how-to-manage-linked-iot-hubs.md, "Link an IoT hub by using managed identity
     * (preview)"). DPS registers the device identity and sets its initial twin (same article), i.e. the
     * data actions Microsoft.Devices/IotHubs/devices/* and IotHubs/twins/*, which are exactly IoT Hub
     * Registry Contributor (4ea46cd5-...) plus IoT Hub Twin Contributor (494bdba2-...)
     * (articles/role-based-access-control/built-in-roles/internet-of-things.md); that narrower pair is
     * inferred, not documented. Both sets are accepted by default (config `acceptedRoleSets`).
     */
    dpsLinkedHub: [dps04LinkIdentityRole, dps05SameGroup, dps06SecretLinks],
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
    enrollments: [dps20VerifiedCa, dps21NoSymmetricKeys, dps22NoSecretsInTwin, dps23LinkedHubsOnly, dps24GroupLimit],
    /**
     * CA certificates uploaded to DPS and IoT Hub (stack rule): DPS-11, verified and valid for at
     * least the configured number of days. The validity is read from the certificate itself (PEM or
     * base64 DER). A CA generated in the program (@pulumi/tls) has no PEM yet at preview: the rule then
     * follows the certificate input's propertyDependencies to the generating SelfSignedCert /
     * LocallySignedCert and reads its validityPeriodHours, so the verdict does not wait for `pulumi up`.
     */
    certificates: [dps11CaCertificates],
    /**
     * Cosmos DB account network exposure and transport (flattened args): COS-03 (public network
     * access disabled), COS-04 (firewall rules exist when public), COS-05 (no all-datacenters or broad
     * IP rules), COS-06 (network ACL bypass off), COS-09 (TLS 1.2).
     */
    cosmosNetwork: [cos03PublicAccess, cos04FirewallRules, cos05BroadIpRules, cos06AclBypass, cos09MinTls],
    /**
     * Cosmos DB data protection and account settings: COS-01 (local auth off), COS-02 (key-based
     * metadata writes off), COS-10 (customer-managed key, configurable), COS-11 (continuous backup),
     * COS-17 (throughput capped), COS-20 (no wildcard CORS), COS-21 (valid account name).
     */
    cosmosData: [cos01LocalAuth, cos02MetadataWrites, cos10CustomerManagedKey, cos11ContinuousBackup, cos17Throughput, cos20Cors, cos21AccountName],
    /**
     * Cosmos DB availability and placement: COS-12 (no free tier in production), COS-13 (zone
     * redundancy), COS-14 (automatic failover / several regions), COS-16 (allowed locations).
     * COS-12..14 are production concerns: advisory in development stacks.
     */
    cosmosResilience: [cos12FreeTier, cos13ZoneRedundant, cos14Failover, cos16Locations],
    /**
     * Cosmos DB data-plane RBAC (stack rule): COS-19. Readers get Built-in Data Reader; only writers
     * get Data Contributor (or a custom role that writes); every assignment is scoped to a database or
     * container, not the whole account.
     *
     * Who is a writer is read from the program, not from ids (principal ids are unknown at preview):
     * a writer is a managed identity an IoT hub uses (the hub's `identity` input depends on it: the
     * routing identity that writes telemetry to Cosmos DB when the hub routes there), a managed identity
     * a function app runs as (the web.WebApp's `identity` input depends on it: the ingest function of
     * the Event Hubs telemetry path writes the documents), or a resource named in `writerResourceNames`,
     * or a literal principal id in `writerPrincipalIds`.
     */
    cosmosDataPlaneRbac: [cos19DataPlaneRbac],
    /**
     * Entra ID application settings checked on each resource (@pulumi/azuread 6.x, both the
     * monolithic `Application` and the split `ApplicationRegistration` family): AAD-01 (implicit grant
     * off), AAD-02 (v2 access tokens), AAD-04 (safe redirect URIs), AAD-05 (no passwords), AAD-06
     * (bounded credential lifetime), AAD-08 (single-tenant audience), AAD-11 (no high-privilege Graph
     * application permissions), AAD-13 (pinned CI federated credentials).
     */
    entraApplications: [aad01ImplicitGrant, aad02TokenVersion, aad04RedirectUris, aad05NoPasswords, aad06CredentialLifetime, aad08SignInAudience, aad11ApiPermissions, aad13FederatedCredential],
    /**
     * Entra ID rules that need the relationships between application resources (stack rules):
     * AAD-03 (identifier URIs), AAD-07 (the API app is not a public client), AAD-09 (assignment
     * required on the API's service principal), AAD-10 (owners set), AAD-12 (well-formed scopes, roles,
     * known and pre-authorized clients).
     *
     * The split resources (`ApplicationIdentifierUri`, `ApplicationPermissionScope`, ...) point at their
     * application with `applicationId`; the link is followed through propertyDependencies because the
     * application's id is unknown at preview.
     *
     * Which application is "the API": an application *exposes an API* when it has an identifier URI,
     * an OAuth2 permission scope, an app role, known clients or pre-authorized clients (attached
     * through the split resources, or inline on `Application`). The mobile app exposes none of these:
     * it is a public client that only calls the API, so it may enable fallbackPublicClient and
     * register PublicClient redirect URIs.
     */
    entraApiExposure: [aad03IdentifierUris, aad07ApiNotPublicClient, aad09AssignmentRequired, aad10Owners, aad12ScopesAndRoles],
    /**
     * Resource logs: DIAG-01 (IoT Hub, also IOT-13), DIAG-02 (DPS, also DPS-10), DIAG-03 (Cosmos DB)
     * as stack rules that find each service's diagnostic setting through the propertyDependencies of
     * its `resourceUri` (the id is unknown at preview); DIAG-04 (diagnostic-setting hygiene) per setting.
     */
    diagnostics: [diag01IotHubLogs, diag02DpsLogs, diag03CosmosLogs, diag04Hygiene],
    /**
     * Private connectivity (stack rules): IOT-03 (hub, groupId iotHub), DPS-02 (DPS, groupId iotDps),
     * COS-07 (Cosmos DB, groupId Sql) require a network PrivateEndpoint whose private-link connection
     * targets the service; OTH-02 requires a PrivateDnsZoneGroup with the matching privatelink zone on
     * every private endpoint. Endpoints are linked to services through propertyDependencies (the
     * service id is unknown at preview), or through a known ARM id (lib/privateEndpoints.ts).
     */
    privateNetworking: [iot03HubPrivateEndpoint, dps02DpsPrivateEndpoint, cos07CosmosPrivateEndpoint, oth02PrivateDns],
    /**
     * Microsoft Defender for Cloud coverage (stack rules): IOT-14 (Defender for IoT: an
     * IotSecuritySolution lists the hub), COS-15 (Defender for Azure Cosmos DB: AdvancedThreatProtection
     * on the account, or the subscription's CosmosDbs plan on Standard). Production concerns: advisory
     * in development stacks.
     */
    defender: [iot14DefenderForIot, cos15DefenderForCosmos],
    /**
     * Deletion protection of stateful resources (stack rule): OTH-06. In production the IoT hub
     * (device registry), the DPS (enrollments) and the Cosmos DB account (data) carry the Pulumi
     * `protect` option and a CanNotDelete management lock, found through propertyDependencies.
     */
    locks: [oth06Locks],
    /**
     * Azure control-plane RBAC (stack rule): OTH-03. Role assignments made by the program grant no
     * Owner / Contributor / User Access Administrator / RBAC Administrator role and are scoped to a
     * resource or resource group, never a subscription, management group or the tenant root.
     */
    controlPlaneRbac: [oth03ControlPlaneRbac],
    /**
     * Custom Azure role definitions (stack rule): OTH-07. A custom role the program defines grants only
     * data actions from an allow list (by default exactly the IoT Hub data actions the API's routes
     * call), no wildcard, no control-plane action unless allowed, is assignable on an IoT hub only,
     * and every assignment of it is scoped to one of its assignable scopes.
     *
     * Sources: the IoT Hub data actions per service API operation (MicrosoftDocs/azure-docs
     * articles/iot-hub/authenticate-authorize-azure-ad.md, "Permissions for IoT Hub service APIs");
     * role definitions, `DataActions` and `AssignableScopes` (articles/role-based-access-control/role-definitions.md).
     */
    customRoles: [oth07CustomRoles],
    /**
     * Cross-cutting rules: OTH-05 (allowed regions and required tags on every Azure resource; covers
     * IOT-16 for the hub) and OTH-04 (no key material in stack outputs).
     */
    crossCutting: [oth05RegionsAndTags, oth04NoSecretOutputs],
    // Telemetry path: IoT Hub -> Event Hubs -> Flex Consumption function -> Cosmos DB.
    /**
     * IoT Hub routing reachability (stack rule): ROUTE-01. A routing endpoint is only useful if the
     * store it targets accepts IoT Hub's connections; this rule fails every endpoint whose target, in
     * the same program, would refuse them by its own network rules.
     *
     * What the services document (MicrosoftDocs/azure-docs):
     * - IoT Hub reaches customer resources over their public endpoints. Behind a firewall it gets in
     *   only through the "trusted Microsoft services" exception, which exists for Storage, Event Hubs
     *   and Service Bus (articles/iot-hub/virtual-network-support.md, "Egress connectivity from IoT Hub
     *   to other Azure resources"), requires identity-based endpoint authentication, and works only with
     *   the hub's system-assigned identity: "Only system-assigned managed identity gives IoT Hub access
     *   to private resources. If you want to use user-assigned managed identity, then the public access
     *   on those private resources needs to be enabled" (articles/iot-hub/iot-hub-managed-identity.md).
     *   The exception is the "selected networks" firewall (Event Hubs/Service Bus network rule set with
     *   defaultAction Deny and trustedServiceAccessEnabled; Storage networkAcls Deny with bypass
     *   AzureServices). With publicNetworkAccess "Disabled", "operations are restricted to private
     *   links only" (articles/event-hubs/event-hubs-ip-filtering.md), and IoT Hub does not route through
     *   private endpoints.
     * - IoT Hub has no fixed egress address: its addresses are the AzureIoTHub service tag's prefixes,
     *   which change (articles/iot-hub/iot-hub-understand-ip-address.md), so an IP firewall cannot name
     *   it.
     * - Cosmos DB is not on IoT Hub's trusted-service list; an account with publicNetworkAccess
     *   "Disabled", or with private endpoints and no IP or virtual network rule, accepts private
     *   endpoint traffic only (articles/cosmos-db/how-to-configure-private-endpoints.md). Only the
     *   "0.0.0.0" IP rule (all Azure datacenters, which COS-05 forbids) would let IoT Hub in.
     *
     * Endpoints are matched to stores by the host of their endpointUri (or the connection string's
     * Endpoint/AccountName) against the stores' ARM names: <account>.documents.azure.com,
     * <namespace>.servicebus.windows.net, <account>.blob.core.windows.net. Stores outside the program
     * are not judged.
     */
    iotHubRouting: [route01Reachability],
    /**
     * Event Hubs namespaces of the telemetry path (IoT Hub routes device messages to an event hub; the
     * ingest function reads them): EVH-01 (local auth off), EVH-02 (TLS 1.2), EVH-03 (public network
     * access closed, stack rule over the namespace and its network rule set), EVH-04 (no SAS
     * authorization rules), EVH-05 (private endpoint for the readers).
     *
     * Azure Policy built-ins (Azure/azure-policy, built-in-policies/policyDefinitions/Event Hub/):
     * DisableLocalAuth_AuditDeny.json, AuditPublicNetworkAccess.json, AuditNamespaceAccessRules_Audit.json,
     * PrivateEndpoint_Audit.json. The TLS setting has no built-in; its meaning is in MicrosoftDocs/azure-docs
     * articles/event-hubs/transport-layer-security-enforce-minimum-version.md.
     */
    eventHubs: [evh01LocalAuth, evh02MinTls, evh03PublicAccess, evh04NoSasRules, evh05PrivateEndpoint],
    /**
     * Function (App Service) apps, such as the Flex Consumption ingest function: FUNC-01 (HTTPS only),
     * FUNC-02 (TLS 1.2 for the app and its SCM site), FUNC-03 (FTP off), FUNC-04 (managed identity),
     * FUNC-05 (basic publishing credentials off, stack rule), FUNC-06 (no remote debugging), FUNC-07
     * (public network access per stack), FUNC-08 (virtual network integration), FUNC-09 (no keys in app
     * settings or connection strings), FUNC-10 (Flex deployment storage reached by identity), FUNC-11
     * (every app declares whether it serves HTTP functions; one that does has App Service
     * authentication in front, one that does not refuses every request on its main site).
     *
     * Azure Policy built-ins (Azure/azure-policy, built-in-policies/policyDefinitions/App Service/):
     * FunctionApp_AuditHTTP_Audit.json, RequireLatestTls_FunctionApp_Audit.json,
     * AuditFTPS_FunctionApp_Audit.json, UseManagedIdentity_FunctionApp_Audit.json,
     * FTP_BasicAuthEnabled_AINE.json, SCM_BasicAuthEnabled_AINE.json,
     * DisableRemoteDebugging_FunctionApp_Audit.json, FunctionApp_PublicNetworkAccess_Audit.json.
     *
     * Preview: the SDK passes `siteConfig` through an apply (it fills defaults such as http20Enabled),
     * so a single value unknown at preview inside siteConfig (an identity's client id in appSettings)
     * makes all of siteConfig unknown and every siteConfig rule waits. Keep siteConfig known and put
     * settings computed from other resources in a web.WebAppApplicationSettings resource, whose
     * properties are sent value by value.
     */
    functionApp: [func01HttpsOnly, func02MinTls, func03FtpDisabled, func04ManagedIdentity, func05BasicPublishingCredentials, func06RemoteDebugging, func07PublicNetworkAccess, func08VnetIntegration, func09NoSecretsInSettings, func10DeploymentStorageIdentity, func11HttpAppsGuarded],
    /**
     * Storage accounts (the Flex Consumption app's deployment package and host storage): STG-01
     * (shared keys off), STG-02 (TLS 1.2), STG-03 (no anonymous blob access, account and containers),
     * STG-04 (HTTPS only), STG-05 (public network access closed or default-deny ACL).
     *
     * Azure Policy built-ins (Azure/azure-policy, built-in-policies/policyDefinitions/Storage/):
     * StorageAccountAllowSharedKeyAccess_Audit.json, StorageAccountMinimumTLSVersion_Audit.json,
     * ASC_Storage_DisallowPublicBlobAccess_Audit.json, Storage_AuditForHTTPSEnabled_Audit.json,
     * StoragePublicNetworkAccess_AuditDeny.json, Storage_NetworkAcls_Audit.json.
     *
     * SDK input names differ from ARM's: `enableHttpsTrafficOnly` is ARM `supportsHttpsTrafficOnly`,
     * `networkRuleSet` is ARM `networkAcls`. The SDK fills `networkRuleSet.defaultAction` with "Allow"
     * and `bypass` with "AzureServices" when a networkRuleSet is given without them.
     */
    storageAccounts: [stg01SharedKey, stg02MinTls, stg03NoPublicBlobAccess, stg04HttpsOnly, stg05NetworkClosed],
    /**
     * Application Insights components (the ingest function's telemetry): AI-01 (Entra ID-only
     * ingestion), AI-02 (workspace-based), AI-03 (public ingestion as the stack's config allows).
     *
     * Azure Policy built-ins (Azure/azure-policy, built-in-policies/policyDefinitions/Monitoring/):
     * ApplicationInsightsComponents_DisableLocalAuth_Deny.json,
     * ApplicationInsightsComponent_WorkspaceAssociation_Deny.json,
     * ApplicationInsightsComponents_NetworkAccessEnabled_Deny.json. The SDK defaults
     * publicNetworkAccessForIngestion and publicNetworkAccessForQuery to "Enabled".
     */
    appInsights: [ai01LocalAuth, ai02WorkspaceBased, ai03PublicIngestion],
};

export const allPolicies: readonly PackPolicy[] = Object.values(ruleFamilies).flat();
