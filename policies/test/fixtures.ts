/**
 * Compliant inputs for every resource the platform declares, written against the real SDK args
 * types (`const args: IotHubResourceArgs = {...}` is type-checked against @pulumi/azure-native), and
 * whole compliant dev/prod stacks (the shape of the program in index.ts / components/) with the
 * propertyDependencies the Pulumi SDK records. Tests copy a factory's result and apply one mutation.
 */
import type * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import type * as authorization from "@pulumi/azure-native/authorization";
import type * as cosmosdb from "@pulumi/azure-native/cosmosdb";
import type * as dpsSdk from "@pulumi/azure-native/deviceprovisioningservices";
import type * as eventhub from "@pulumi/azure-native/eventhub";
import type * as iothub from "@pulumi/azure-native/iothub";
import type * as managedidentity from "@pulumi/azure-native/managedidentity";
import type * as monitor from "@pulumi/azure-native/monitor";
import type * as network from "@pulumi/azure-native/network";
import type * as privatedns from "@pulumi/azure-native/privatedns";
import type * as resources from "@pulumi/azure-native/resources";
import type * as security from "@pulumi/azure-native/security";
import type * as storage from "@pulumi/azure-native/storage";
import type * as web from "@pulumi/azure-native/web";
import type { ApplicationApiAccessArgs } from "@pulumi/azuread/applicationApiAccess";
import type { ApplicationAppRoleArgs } from "@pulumi/azuread/applicationAppRole";
import type { ApplicationFallbackPublicClientArgs } from "@pulumi/azuread/applicationFallbackPublicClient";
import type { ApplicationFederatedIdentityCredentialArgs } from "@pulumi/azuread/applicationFederatedIdentityCredential";
import type { ApplicationIdentifierUriArgs } from "@pulumi/azuread/applicationIdentifierUri";
import type { ApplicationOwnerArgs } from "@pulumi/azuread/applicationOwner";
import type { ApplicationPermissionScopeArgs } from "@pulumi/azuread/applicationPermissionScope";
import type { ApplicationPreAuthorizedArgs } from "@pulumi/azuread/applicationPreAuthorized";
import type { ApplicationRedirectUrisArgs } from "@pulumi/azuread/applicationRedirectUris";
import type { ApplicationRegistrationArgs } from "@pulumi/azuread/applicationRegistration";
import type { ServicePrincipalArgs } from "@pulumi/azuread/servicePrincipal";
import type { Unwrap } from "@pulumi/pulumi";
import { TOKENS } from "../lib/tokens";
import { caCert } from "./certs";
import { UNKNOWN, type StackInput } from "./runPolicies";

/** Plain (unwrapped, mutable) form of an SDK args type. */
export type Plain<T> = Unwrap<T>;
function plain<T>(x: T): Plain<T> {
    return structuredClone(x) as unknown as Plain<T>;
}

export type Env = "dev" | "prod";
export const SUB = "00000000-1111-2222-3333-444444444444";
export const RG = (env: Env) => `rg-secure-iot-${env}`;
const tags = (env: Env) => ({ environment: env, managedBy: "pulumi", project: "secure-iot-platform", costCenter: "iot" });
const id = (env: Env, provider: string, name: string) => `/subscriptions/${SUB}/resourceGroups/${RG(env)}/providers/${provider}/${name}`;
export const HUB_NAME = (env: Env) => `iot-secure-${env}`;
export const COSMOS_NAME = (env: Env) => `cosmos-secure-iot-${env}`;
export const NAMESPACE_NAME = (env: Env) => `evhns-secure-iot-${env}`;
export const NAMESPACE_FQDN = (env: Env) => `${NAMESPACE_NAME(env)}.servicebus.windows.net`;
export const EVENT_HUB = "telemetry";
export const CONSUMER_GROUP = "ingest";
export const STORAGE_NAME = (env: Env) => `stsecureiot${env}deploy`;
export const PACKAGE_CONTAINER = "app-package";
export const APP_NAME = (env: Env) => `func-ingest-secure-iot-${env}`;
export const PLAN_NAME = (env: Env) => `plan-ingest-secure-iot-${env}`;
export const APP_INSIGHTS_NAME = (env: Env) => `appi-secure-iot-${env}`;
export const WORKSPACE_ID = (env: Env) => id(env, "Microsoft.OperationalInsights/workspaces", `log-secure-iot-${env}`);
export const INGEST_IDENTITY_ID = (env: Env) => id(env, "Microsoft.ManagedIdentity/userAssignedIdentities", `id-ingest-${env}`);
export const FUNCTION_SUBNET_ID = (env: Env) => `${id(env, "Microsoft.Network/virtualNetworks", `vnet-${env}`)}/subnets/functions`;
export const DEVICE_CIDR = "203.0.113.0/24";
export const OFFICE_CIDR = "198.51.100.16/28";

export function resourceGroupArgs(env: Env = "dev"): Plain<resources.ResourceGroupArgs> {
    const args: resources.ResourceGroupArgs = { resourceGroupName: RG(env), location: "westeurope", tags: tags(env) };
    return plain(args);
}

export function identityArgs(env: Env = "dev", name = "id-hub-routing"): Plain<managedidentity.UserAssignedIdentityArgs> {
    const args: managedidentity.UserAssignedIdentityArgs = { resourceGroupName: RG(env), resourceName: `${name}-${env}`, location: "westeurope", tags: tags(env) };
    return plain(args);
}

/**
 * The hub. `route` "eventHubs" (the default) is the telemetry path: device messages go to an event
 * hub through the hub's system-assigned identity (the only identity the Event Hubs trusted-services
 * exception admits); "cosmos" is the earlier shape, routing straight to Cosmos DB with a
 * user-assigned identity.
 */
export function hubArgs(env: Env = "dev", route: "eventHubs" | "cosmos" = "eventHubs"): Plain<iothub.IotHubResourceArgs> {
    const identityId = id(env, "Microsoft.ManagedIdentity/userAssignedIdentities", `id-hub-routing-${env}`);
    const args: iothub.IotHubResourceArgs = {
        resourceGroupName: RG(env),
        resourceName: HUB_NAME(env),
        location: "westeurope",
        tags: tags(env),
        sku: { name: env === "prod" ? "S2" : "S1", capacity: 1 },
        identity: { type: "UserAssigned", userAssignedIdentities: [identityId] },
        properties: {
            minTlsVersion: "1.2",
            disableLocalAuth: true,
            disableDeviceSAS: env === "prod",
            disableModuleSAS: true,
            authorizationPolicies: [],
            publicNetworkAccess: "Enabled",
            networkRuleSets: {
                defaultAction: "Deny",
                applyToBuiltInEventHubEndpoint: true,
                ipRules: [{ filterName: "devices", action: "Allow", ipMask: DEVICE_CIDR }],
            },
            ipFilterRules: [{ filterName: "devices", action: "Accept", ipMask: DEVICE_CIDR }],
            restrictOutboundNetworkAccess: true,
            allowedFqdnList: [`${COSMOS_NAME(env)}.documents.azure.com`],
            routing: {
                endpoints: {
                    cosmosDBSqlContainers: [{
                        name: "telemetry-store",
                        authenticationType: "identityBased",
                        identity: { userAssignedIdentity: identityId },
                        endpointUri: `https://${COSMOS_NAME(env)}.documents.azure.com:443/`,
                        databaseName: "iot",
                        containerName: "telemetry",
                        partitionKeyName: "deviceId",
                        partitionKeyTemplate: "{deviceid}",
                        resourceGroup: RG(env),
                        subscriptionId: SUB,
                    }],
                },
                routes: [{ name: "telemetry-to-cosmos", source: "DeviceMessages", endpointNames: ["telemetry-store"], isEnabled: true }],
                fallbackRoute: { name: "$fallback", source: "DeviceMessages", endpointNames: ["events"], isEnabled: true },
            },
        },
    };
    const hub = plain(args);
    if (route === "cosmos") return hub;
    // Typed through Plain<IotHubResourceArgs>: the assignments below are checked against the SDK.
    hub.identity = { type: "SystemAssigned" };
    hub.properties!.allowedFqdnList = [NAMESPACE_FQDN(env)];
    hub.properties!.routing = {
        endpoints: {
            eventHubs: [{
                name: "telemetry-eventhub",
                authenticationType: "identityBased",
                endpointUri: `sb://${NAMESPACE_FQDN(env)}`,
                entityPath: EVENT_HUB,
                resourceGroup: RG(env),
                subscriptionId: SUB,
            }],
        },
        routes: [{ name: "telemetry-to-eventhub", source: "DeviceMessages", condition: "true", endpointNames: ["telemetry-eventhub"], isEnabled: true }],
        fallbackRoute: { name: "$fallback", source: "DeviceMessages", condition: "true", endpointNames: ["events"], isEnabled: true },
    };
    return hub;
}

export function consumerGroupArgs(env: Env = "dev"): Plain<iothub.IotHubResourceEventHubConsumerGroupArgs> {
    const args: iothub.IotHubResourceEventHubConsumerGroupArgs = {
        resourceGroupName: RG(env),
        resourceName: HUB_NAME(env),
        eventHubEndpointName: "events",
        name: "api",
        properties: { name: "api" },
    };
    return plain(args);
}

export function hubCertificateArgs(env: Env = "dev", pem = caCert(-1, 365)): Plain<iothub.CertificateArgs> {
    const args: iothub.CertificateArgs = {
        resourceGroupName: RG(env),
        resourceName: HUB_NAME(env),
        certificateName: "device-root-ca",
        properties: { certificate: pem, isVerified: true },
    };
    return plain(args);
}

export const DPS_NAME = (env: Env) => `dps-secure-iot-${env}`;

/**
 * The typed IotDpsResource (API 2023-03-01-preview in azure-native 3.28.0). It can link a hub only
 * by connection string, which DPS-04 forbids, so its compliant form links no hub; tests add a
 * key link (`keyLink`) as a mutation.
 */
export function dpsArgs(env: Env = "dev"): Plain<dpsSdk.IotDpsResourceArgs> {
    const args: dpsSdk.IotDpsResourceArgs = {
        resourceGroupName: RG(env),
        provisioningServiceName: DPS_NAME(env),
        location: "westeurope",
        tags: tags(env),
        sku: { name: "S1", capacity: 1 },
        properties: {
            allocationPolicy: "Hashed",
            publicNetworkAccess: "Enabled",
            ipFilterRules: [
                { filterName: "devices", action: "Accept", ipMask: DEVICE_CIDR, target: "all" },
                { filterName: "reject-all", action: "Reject", ipMask: "0.0.0.0/0", target: "all" },
            ],
            iotHubs: [],
            authorizationPolicies: [],
        },
    };
    return plain(args);
}

/** A key link entry of the typed class (what today's program sends). */
export function keyLink(env: Env = "dev"): NonNullable<Plain<dpsSdk.IotDpsResourceArgs>["properties"]["iotHubs"]> {
    return [{
        connectionString: `HostName=${HUB_NAME(env)}.azure-devices.net;SharedAccessKeyName=dps-link;SharedAccessKey=c2VjcmV0LWtleS1ub3QtcmVhbA==`,
        location: "westeurope",
    }];
}

export const DPS_IDENTITY_NAME = (env: Env) => `id-dps-link-${env}`;
export const dpsIdentityId = (env: Env) => id(env, "Microsoft.ManagedIdentity/userAssignedIdentities", DPS_IDENTITY_NAME(env));
export const DPS_PRINCIPAL_ID = "22222222-aaaa-4bbb-8ccc-000000000003";

/**
 * The keyless DPS: the generic ARM resource at API 2026-08-01 (no typed class of azure-native
 * 3.28.0 has identity linking), linking the hub by its user-assigned identity
 * (azure-rest-api-specs .../DeviceProvisioningServices/examples/2026-08-01/DPSCreateWithIotHub.json)
 * with local auth off (DPSCreate_DisableLocalAuthTrue). `properties` is the ARM body, untyped in
 * the SDK; the other inputs are `resources.ResourceArgs`.
 */
export function genericDpsArgs(env: Env = "dev"): Plain<resources.ResourceArgs> & { properties: Record<string, unknown> & { iotHubs: Array<Record<string, unknown>> } } {
    const properties = {
        allocationPolicy: "Hashed",
        publicNetworkAccess: "Enabled",
        ipFilterRules: [
            { filterName: "devices", action: "Accept", ipMask: DEVICE_CIDR, target: "all" },
            { filterName: "reject-all", action: "Reject", ipMask: "0.0.0.0/0", target: "all" },
        ],
        authorizationPolicies: [],
        disableLocalAuth: true,
        iotHubs: [{
            hostName: `${HUB_NAME(env)}.azure-devices.net`,
            location: "westeurope",
            authenticationType: "UserAssigned",
            selectedUserAssignedIdentityResourceId: dpsIdentityId(env),
            allocationWeight: 1,
            applyAllocationPolicy: true,
        }] as Array<Record<string, unknown>>,
    };
    const args: resources.ResourceArgs = {
        resourceProviderNamespace: "Microsoft.Devices",
        resourceType: "provisioningServices",
        parentResourcePath: "",
        apiVersion: "2026-08-01",
        resourceName: DPS_NAME(env),
        resourceGroupName: RG(env),
        location: "westeurope",
        tags: tags(env),
        sku: { name: "S1", capacity: 1 },
        identity: { type: "UserAssigned", userAssignedIdentities: [dpsIdentityId(env)] },
        properties,
    };
    return plain(args) as ReturnType<typeof genericDpsArgs>;
}

export function dpsCertificateArgs(env: Env = "dev", pem = caCert(-1, 365)): Plain<dpsSdk.DpsCertificateArgs> {
    const args: dpsSdk.DpsCertificateArgs = {
        resourceGroupName: RG(env),
        provisioningServiceName: DPS_NAME(env),
        certificateName: "device-root-ca",
        properties: { certificate: pem, isVerified: true },
    };
    return plain(args);
}

export function cosmosArgs(env: Env = "dev"): Plain<cosmosdb.DatabaseAccountArgs> {
    const common: cosmosdb.DatabaseAccountArgs = {
        resourceGroupName: RG(env),
        accountName: COSMOS_NAME(env),
        location: "westeurope",
        tags: tags(env),
        databaseAccountOfferType: "Standard",
        kind: "GlobalDocumentDB",
        disableLocalAuth: true,
        disableKeyBasedMetadataWriteAccess: true,
        minimalTlsVersion: "Tls12",
        networkAclBypass: "None",
        backupPolicy: { type: "Continuous", continuousModeProperties: { tier: "Continuous7Days" } },
        consistencyPolicy: { defaultConsistencyLevel: "Session" },
        locations: [{ locationName: "westeurope", failoverPriority: 0, isZoneRedundant: false }],
    };
    const args: cosmosdb.DatabaseAccountArgs = env === "dev"
        ? {
            ...common,
            publicNetworkAccess: "Enabled",
            isVirtualNetworkFilterEnabled: false,
            ipRules: [{ ipAddressOrRange: OFFICE_CIDR }],
            capabilities: [{ name: "EnableServerless" }],
        }
        : {
            ...common,
            publicNetworkAccess: "Disabled",
            enableAutomaticFailover: true,
            capacity: { totalThroughputLimit: 4000 },
            locations: [
                { locationName: "westeurope", failoverPriority: 0, isZoneRedundant: true },
                { locationName: "northeurope", failoverPriority: 1, isZoneRedundant: false },
            ],
        };
    return plain(args);
}

export function sqlDatabaseArgs(env: Env = "dev"): Plain<cosmosdb.SqlResourceSqlDatabaseArgs> {
    const args: cosmosdb.SqlResourceSqlDatabaseArgs = { resourceGroupName: RG(env), accountName: COSMOS_NAME(env), databaseName: "iot", resource: { id: "iot" } };
    return plain(args);
}

export function sqlContainerArgs(env: Env = "dev"): Plain<cosmosdb.SqlResourceSqlContainerArgs> {
    const args: cosmosdb.SqlResourceSqlContainerArgs = {
        resourceGroupName: RG(env),
        accountName: COSMOS_NAME(env),
        databaseName: "iot",
        containerName: "telemetry",
        resource: { id: "telemetry", partitionKey: { paths: ["/deviceId"], kind: "Hash" }, defaultTtl: 2592000 },
        ...(env === "prod" ? { options: { autoscaleSettings: { maxThroughput: 4000 } } } : {}),
    };
    return plain(args);
}

export const cosmosAccountId = (env: Env) => id(env, "Microsoft.DocumentDB/databaseAccounts", COSMOS_NAME(env));
export const sqlRole = (env: Env, guid: string) => `${cosmosAccountId(env)}/sqlRoleDefinitions/${guid}`;

export function sqlRoleAssignmentArgs(env: Env = "dev", role: "reader" | "contributor" = "contributor"): Plain<cosmosdb.SqlResourceSqlRoleAssignmentArgs> {
    const args: cosmosdb.SqlResourceSqlRoleAssignmentArgs = {
        resourceGroupName: RG(env),
        accountName: COSMOS_NAME(env),
        roleAssignmentId: role === "contributor" ? "6f4b9a3c-0d51-4c2a-9d7e-1b2c3d4e5f60" : "7a5c0b4d-1e62-4d3b-8e8f-2c3d4e5f6071",
        roleDefinitionId: sqlRole(env, role === "contributor" ? "00000000-0000-0000-0000-000000000002" : "00000000-0000-0000-0000-000000000001"),
        principalId: role === "contributor" ? "11111111-aaaa-4bbb-8ccc-000000000001" : "11111111-aaaa-4bbb-8ccc-000000000002",
        scope: role === "contributor" ? `${cosmosAccountId(env)}/dbs/iot/colls/telemetry` : `${cosmosAccountId(env)}/dbs/iot`,
    };
    return plain(args);
}

export const IOT_HUB_DATA_READER = "b447c946-2db7-41ec-983d-d8bf3b1c77e3";
export const IOT_HUB_REGISTRY_CONTRIBUTOR = "4ea46cd5-c1b2-4a8e-910b-273211f9ce47";
export const IOT_HUB_TWIN_CONTRIBUTOR = "494bdba2-168f-4f31-a0a1-191d2f7c028c";
export const IOT_HUB_DATA_CONTRIBUTOR = "4fc6c259-987e-4a07-842e-c321cc9d413f";
export const roleDefinition = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
export const hubId = (env: Env) => id(env, "Microsoft.Devices/IotHubs", HUB_NAME(env));

/** A data role of the DPS link identity on the hub (DPS-04). */
export function dpsLinkRoleArgs(env: Env = "dev", role = IOT_HUB_REGISTRY_CONTRIBUTOR): Plain<authorization.RoleAssignmentArgs> {
    const args: authorization.RoleAssignmentArgs = {
        principalId: DPS_PRINCIPAL_ID,
        principalType: "ServicePrincipal",
        roleDefinitionId: roleDefinition(role),
        scope: hubId(env),
    };
    return plain(args);
}

export function roleAssignmentArgs(env: Env = "dev"): Plain<authorization.RoleAssignmentArgs> {
    const args: authorization.RoleAssignmentArgs = {
        principalId: "11111111-aaaa-4bbb-8ccc-000000000002",
        principalType: "ServicePrincipal",
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${IOT_HUB_DATA_READER}`,
        scope: id(env, "Microsoft.Devices/IotHubs", HUB_NAME(env)),
    };
    return plain(args);
}

// ---- Entra ID ------------------------------------------------------------------------------

export function apiAppArgs(): Plain<ApplicationRegistrationArgs> {
    const args: ApplicationRegistrationArgs = {
        displayName: "secure-iot-api",
        signInAudience: "AzureADMyOrg",
        requestedAccessTokenVersion: 2,
        implicitAccessTokenIssuanceEnabled: false,
        implicitIdTokenIssuanceEnabled: false,
    };
    return plain(args);
}
export function mobileAppArgs(): Plain<ApplicationRegistrationArgs> {
    const args: ApplicationRegistrationArgs = { displayName: "secure-iot-mobile", signInAudience: "AzureADMyOrg", requestedAccessTokenVersion: 2 };
    return plain(args);
}
export const API_CLIENT_ID = "aaaaaaaa-1111-4222-8333-444444444444";
export const MOBILE_CLIENT_ID = "bbbbbbbb-1111-4222-8333-444444444444";
export const SCOPE_ID = "cccccccc-1111-4222-8333-444444444444";
export const ROLE_ID = "dddddddd-1111-4222-8333-444444444444";

export function identifierUriArgs(): Plain<ApplicationIdentifierUriArgs> {
    const args: ApplicationIdentifierUriArgs = { applicationId: "/applications/api-object-id", identifierUri: `api://${API_CLIENT_ID}` };
    return plain(args);
}
export function permissionScopeArgs(): Plain<ApplicationPermissionScopeArgs> {
    const args: ApplicationPermissionScopeArgs = {
        applicationId: "/applications/api-object-id",
        scopeId: SCOPE_ID,
        value: "Telemetry.Read",
        type: "User",
        adminConsentDisplayName: "Read device telemetry",
        adminConsentDescription: "Allows the app to read device telemetry on behalf of the signed-in user.",
        userConsentDisplayName: "Read your devices' telemetry",
        userConsentDescription: "Allows the app to read your devices' telemetry.",
    };
    return plain(args);
}
export function appRoleArgs(): Plain<ApplicationAppRoleArgs> {
    const args: ApplicationAppRoleArgs = {
        applicationId: "/applications/api-object-id",
        roleId: ROLE_ID,
        allowedMemberTypes: ["User"],
        displayName: "Device operators",
        description: "Operators who can send commands to devices.",
        value: "Devices.Operate",
    };
    return plain(args);
}
export function servicePrincipalArgs(): Plain<ServicePrincipalArgs> {
    const args: ServicePrincipalArgs = { clientId: API_CLIENT_ID, appRoleAssignmentRequired: true };
    return plain(args);
}
export function ownerArgs(app = "/applications/api-object-id"): Plain<ApplicationOwnerArgs> {
    const args: ApplicationOwnerArgs = { applicationId: app, ownerObjectId: "eeeeeeee-1111-4222-8333-444444444444" };
    return plain(args);
}
export function redirectUrisArgs(): Plain<ApplicationRedirectUrisArgs> {
    const args: ApplicationRedirectUrisArgs = {
        applicationId: "/applications/mobile-object-id",
        type: "PublicClient",
        redirectUris: ["msauth.com.contoso.secureiot://auth", "msauth://com.contoso.secureiot/2pmj9i4rSx0yEb%2FviWBYkE%2FZQrk%3D"],
    };
    return plain(args);
}
export function fallbackPublicClientArgs(): Plain<ApplicationFallbackPublicClientArgs> {
    const args: ApplicationFallbackPublicClientArgs = { applicationId: "/applications/mobile-object-id", enabled: true };
    return plain(args);
}
export function apiAccessArgs(): Plain<ApplicationApiAccessArgs> {
    const args: ApplicationApiAccessArgs = { applicationId: "/applications/mobile-object-id", apiClientId: API_CLIENT_ID, scopeIds: [SCOPE_ID] };
    return plain(args);
}
export function preAuthorizedArgs(): Plain<ApplicationPreAuthorizedArgs> {
    const args: ApplicationPreAuthorizedArgs = { applicationId: "/applications/api-object-id", authorizedClientId: MOBILE_CLIENT_ID, permissionIds: [SCOPE_ID] };
    return plain(args);
}
export function federatedCredentialArgs(): Plain<ApplicationFederatedIdentityCredentialArgs> {
    const args: ApplicationFederatedIdentityCredentialArgs = {
        applicationId: "/applications/ci-object-id",
        displayName: "github-prod",
        issuer: "https://token.actions.githubusercontent.com",
        subject: "repo:contoso/secure-iot-platform:environment:prod",
        audiences: ["api://AzureADTokenExchange"],
    };
    return plain(args);
}

// ---- Production additions --------------------------------------------------------------------

export type PeTarget = "hub" | "dps" | "cosmos" | "eventhubs" | "storage";
const PE_GROUP: Record<PeTarget, string> = { hub: "iotHub", dps: "iotDps", cosmos: "Sql", eventhubs: "namespace", storage: "blob" };

export function privateEndpointArgs(env: Env, target: PeTarget): Plain<network.PrivateEndpointArgs> {
    const groupId = PE_GROUP[target];
    const targetId = {
        hub: id(env, "Microsoft.Devices/IotHubs", HUB_NAME(env)),
        dps: id(env, "Microsoft.Devices/provisioningServices", DPS_NAME(env)),
        cosmos: cosmosAccountId(env),
        eventhubs: id(env, "Microsoft.EventHub/namespaces", NAMESPACE_NAME(env)),
        storage: id(env, "Microsoft.Storage/storageAccounts", STORAGE_NAME(env)),
    }[target];
    const args: network.PrivateEndpointArgs = {
        resourceGroupName: RG(env),
        privateEndpointName: `pe-${target}-${env}`,
        location: "westeurope",
        tags: tags(env),
        subnet: { id: `${id(env, "Microsoft.Network/virtualNetworks", `vnet-${env}`)}/subnets/private-endpoints` },
        privateLinkServiceConnections: [{ name: `${target}-link`, privateLinkServiceId: targetId, groupIds: [groupId] }],
    };
    return plain(args);
}

export const ZONES = {
    hub: "privatelink.azure-devices.net",
    dps: "privatelink.azure-devices-provisioning.net",
    cosmos: "privatelink.documents.azure.com",
    eventhubs: "privatelink.servicebus.windows.net",
    storage: "privatelink.blob.core.windows.net",
} as const;

export function privateZoneArgs(env: Env, target: PeTarget): Plain<privatedns.PrivateZoneArgs> {
    const args: privatedns.PrivateZoneArgs = { resourceGroupName: RG(env), privateZoneName: ZONES[target], location: "Global", tags: tags(env) };
    return plain(args);
}

export function dnsZoneGroupArgs(env: Env, target: PeTarget): Plain<network.PrivateDnsZoneGroupArgs> {
    const args: network.PrivateDnsZoneGroupArgs = {
        resourceGroupName: RG(env),
        privateEndpointName: `pe-${target}-${env}`,
        privateDnsZoneGroupName: "default",
        privateDnsZoneConfigs: [{ name: "zone", privateDnsZoneId: id(env, "Microsoft.Network/privateDnsZones", ZONES[target]) }],
    };
    return plain(args);
}

export function diagnosticSettingArgs(env: Env, targetId: string): Plain<monitor.DiagnosticSettingArgs> {
    const args: monitor.DiagnosticSettingArgs = {
        name: "to-log-analytics",
        resourceUri: targetId,
        workspaceId: id(env, "Microsoft.OperationalInsights/workspaces", `log-secure-iot-${env}`),
        logs: [{ categoryGroup: "allLogs", enabled: true }],
        metrics: [{ category: "AllMetrics", enabled: true }],
    };
    return plain(args);
}

export function lockArgs(env: Env, provider: string, type: string, name: string): Plain<authorization.ManagementLockAtResourceLevelArgs> {
    const args: authorization.ManagementLockAtResourceLevelArgs = {
        apiVersion: "2020-05-01",
        level: "CanNotDelete",
        lockName: `lock-${name}`,
        notes: "Stateful resource: delete only after export.",
        parentResourcePath: "",
        resourceGroupName: RG(env),
        resourceName: name,
        resourceProviderNamespace: provider,
        resourceType: type,
    };
    return plain(args);
}

export function iotSecuritySolutionArgs(env: Env): Plain<security.IotSecuritySolutionArgs> {
    const args: security.IotSecuritySolutionArgs = {
        resourceGroupName: RG(env),
        solutionName: `defender-iot-${env}`,
        displayName: "Defender for IoT",
        iotHubs: [id(env, "Microsoft.Devices/IotHubs", HUB_NAME(env))],
        status: "Enabled",
        location: "westeurope",
        tags: tags(env),
    };
    return plain(args);
}

export function advancedThreatProtectionArgs(env: Env): Plain<security.AdvancedThreatProtectionArgs> {
    const args: security.AdvancedThreatProtectionArgs = { resourceId: cosmosAccountId(env), isEnabled: true, settingName: "current" };
    return plain(args);
}

// ---- Telemetry path: Event Hubs, Flex Consumption function, deployment storage, App Insights -----

/** Built-in Azure role definition GUIDs the telemetry path assigns. */
export const ROLES = {
    eventHubsDataSender: "2b629674-e913-4c01-ae53-ef4638d8f975",
    eventHubsDataReceiver: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;
export const roleId = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

export function eventHubNamespaceArgs(env: Env = "prod"): Plain<eventhub.NamespaceArgs> {
    const args: eventhub.NamespaceArgs = {
        resourceGroupName: RG(env),
        namespaceName: NAMESPACE_NAME(env),
        location: "westeurope",
        tags: tags(env),
        sku: { name: "Standard", tier: "Standard", capacity: 1 },
        disableLocalAuth: true,
        minimumTlsVersion: "1.2",
        publicNetworkAccess: "Enabled",
        zoneRedundant: env === "prod",
    };
    return plain(args);
}

/** Selected networks: deny by default, no IP rule, IoT Hub admitted as a trusted Microsoft service. */
export function eventHubNetworkRuleSetArgs(env: Env = "prod"): Plain<eventhub.NamespaceNetworkRuleSetArgs> {
    const args: eventhub.NamespaceNetworkRuleSetArgs = {
        resourceGroupName: RG(env),
        namespaceName: NAMESPACE_NAME(env),
        publicNetworkAccess: "Enabled",
        defaultAction: "Deny",
        trustedServiceAccessEnabled: true,
        ipRules: [],
        virtualNetworkRules: [],
    };
    return plain(args);
}

export function eventHubArgs(env: Env = "prod"): Plain<eventhub.EventHubArgs> {
    const args: eventhub.EventHubArgs = { resourceGroupName: RG(env), namespaceName: NAMESPACE_NAME(env), eventHubName: EVENT_HUB, partitionCount: 4, messageRetentionInDays: 1 };
    return plain(args);
}

export function eventHubConsumerGroupArgs(env: Env = "prod"): Plain<eventhub.ConsumerGroupArgs> {
    const args: eventhub.ConsumerGroupArgs = { resourceGroupName: RG(env), namespaceName: NAMESPACE_NAME(env), eventHubName: EVENT_HUB, consumerGroupName: CONSUMER_GROUP };
    return plain(args);
}

export function storageAccountArgs(env: Env = "prod"): Plain<storage.StorageAccountArgs> {
    const args: storage.StorageAccountArgs = {
        resourceGroupName: RG(env),
        accountName: STORAGE_NAME(env),
        location: "westeurope",
        tags: tags(env),
        kind: "StorageV2",
        sku: { name: env === "prod" ? "Standard_ZRS" : "Standard_LRS" },
        allowSharedKeyAccess: false,
        allowBlobPublicAccess: false,
        defaultToOAuthAuthentication: true,
        minimumTlsVersion: "TLS1_2",
        // prod: private endpoints only; dev: public (the package is uploaded from a hosted runner).
        ...(env === "prod" ? { publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", bypass: "None" } } : {}),
    };
    return plain(args);
}

export function blobContainerArgs(env: Env = "prod"): Plain<storage.BlobContainerArgs> {
    const args: storage.BlobContainerArgs = { resourceGroupName: RG(env), accountName: STORAGE_NAME(env), containerName: PACKAGE_CONTAINER, publicAccess: "None" };
    return plain(args);
}

export function appServicePlanArgs(env: Env = "prod"): Plain<web.AppServicePlanArgs> {
    const args: web.AppServicePlanArgs = {
        resourceGroupName: RG(env),
        name: PLAN_NAME(env),
        location: "westeurope",
        tags: tags(env),
        kind: "functionapp",
        reserved: true,
        sku: { name: "FC1", tier: "FlexConsumption" },
    };
    return plain(args);
}

export function functionAppArgs(env: Env = "prod"): Plain<web.WebAppArgs> {
    const args: web.WebAppArgs = {
        resourceGroupName: RG(env),
        name: APP_NAME(env),
        location: "westeurope",
        // No HTTP function: the main site refuses every request (FUNC-11).
        tags: { ...tags(env), httpFunctions: "false" },
        kind: "functionapp,linux",
        serverFarmId: id(env, "Microsoft.Web/serverfarms", PLAN_NAME(env)),
        httpsOnly: true,
        // prod: closed, integrated with the platform's network; dev: public, no network (advisory).
        publicNetworkAccess: env === "prod" ? "Disabled" : "Enabled",
        ...(env === "prod" ? { virtualNetworkSubnetId: FUNCTION_SUBNET_ID(env) } : {}),
        identity: { type: "UserAssigned", userAssignedIdentities: [INGEST_IDENTITY_ID(env)] },
        siteConfig: { minTlsVersion: "1.2", scmMinTlsVersion: "1.2", ftpsState: "Disabled", http20Enabled: true, ipSecurityRestrictionsDefaultAction: "Deny" },
        functionAppConfig: {
            deployment: {
                storage: {
                    type: "blobContainer",
                    value: `https://${STORAGE_NAME(env)}.blob.core.windows.net/${PACKAGE_CONTAINER}`,
                    authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: INGEST_IDENTITY_ID(env) },
                },
            },
            runtime: { name: "node", version: "20" },
            scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 },
        },
    };
    return plain(args);
}

export const INGEST_CLIENT_ID = "99999999-1111-4222-8333-444444444444";

/** Identity-based connections only (the Functions host's `<prefix>__...` settings). */
export function functionAppSettingsArgs(env: Env = "prod"): Plain<web.WebAppApplicationSettingsArgs> {
    const args: web.WebAppApplicationSettingsArgs = {
        resourceGroupName: RG(env),
        name: APP_NAME(env),
        properties: {
            AzureWebJobsStorage__accountName: STORAGE_NAME(env),
            AzureWebJobsStorage__credential: "managedidentity",
            AzureWebJobsStorage__clientId: INGEST_CLIENT_ID,
            TelemetryEventHub__fullyQualifiedNamespace: NAMESPACE_FQDN(env),
            TelemetryEventHub__credential: "managedidentity",
            TelemetryEventHub__clientId: INGEST_CLIENT_ID,
            TELEMETRY_EVENTHUB_NAME: EVENT_HUB,
            TELEMETRY_EVENTHUB_CONSUMER_GROUP: CONSUMER_GROUP,
            COSMOS_ENDPOINT: `https://${COSMOS_NAME(env)}.documents.azure.com:443/`,
            COSMOS_DATABASE: "iot",
            COSMOS_CONTAINER: "telemetry",
            AZURE_CLIENT_ID: INGEST_CLIENT_ID,
            APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=00000000-aaaa-4bbb-8ccc-000000000009;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
            APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `Authorization=AAD;ClientId=${INGEST_CLIENT_ID}`,
        },
    };
    return plain(args);
}

export function ftpAllowedArgs(env: Env = "prod"): Plain<web.WebAppFtpAllowedArgs> {
    const args: web.WebAppFtpAllowedArgs = { resourceGroupName: RG(env), name: APP_NAME(env), allow: false };
    return plain(args);
}

export function scmAllowedArgs(env: Env = "prod"): Plain<web.WebAppScmAllowedArgs> {
    const args: web.WebAppScmAllowedArgs = { resourceGroupName: RG(env), name: APP_NAME(env), allow: false };
    return plain(args);
}

export function appInsightsArgs(env: Env = "prod"): Plain<applicationinsights.ComponentArgs> {
    const args: applicationinsights.ComponentArgs = {
        resourceGroupName: RG(env),
        resourceName: APP_INSIGHTS_NAME(env),
        location: "westeurope",
        tags: tags(env),
        kind: "web",
        applicationType: "web",
        ingestionMode: "LogAnalytics",
        workspaceResourceId: WORKSPACE_ID(env),
        disableLocalAuth: true,
        // No Azure Monitor Private Link Scope in the platform: public ingestion, Entra ID only (AI-01).
        publicNetworkAccessForIngestion: "Enabled",
        publicNetworkAccessForQuery: "Enabled",
    };
    return plain(args);
}

export function telemetryRoleAssignmentArgs(role: keyof typeof ROLES, scope: string, principalId: string): Plain<authorization.RoleAssignmentArgs> {
    const args: authorization.RoleAssignmentArgs = { principalId, principalType: "ServicePrincipal", roleDefinitionId: roleId(ROLES[role]), scope };
    return plain(args);
}

// ---- The API's function app (components/apiFunction.ts) -------------------------------------------

export const TENANT_ID = "99999999-8888-7777-6666-555555555555";
export const API_APP_NAME = (env: Env) => `func-api-secure-iot-${env}`;
export const API_IDENTITY_ID = (env: Env) => id(env, "Microsoft.ManagedIdentity/userAssignedIdentities", `id-api-${env}`);
export const API_SUBNET_ID = (env: Env) => `${id(env, "Microsoft.Network/virtualNetworks", `vnet-${env}`)}/subnets/api`;
export const API_HUB_DATA_ACTIONS = ["Microsoft.Devices/IotHubs/directMethods/invoke/action", "Microsoft.Devices/IotHubs/twins/read", "Microsoft.Devices/IotHubs/twins/write"];
export const API_ROLE_GUID = "5fcbbea5-d459-5e0b-9381-d12a5335decc";

/** The API: public main site (the mobile app calls it), App Service authentication in front (FUNC-11). */
export function apiFunctionAppArgs(env: Env = "prod"): Plain<web.WebAppArgs> {
    const app = functionAppArgs(env);
    return {
        ...app,
        name: API_APP_NAME(env),
        tags: { ...tags(env), httpFunctions: "true" },
        publicNetworkAccess: "Enabled",
        virtualNetworkSubnetId: API_SUBNET_ID(env),
        identity: { type: "UserAssigned", userAssignedIdentities: [API_IDENTITY_ID(env)] },
        siteConfig: { ...app.siteConfig, ipSecurityRestrictionsDefaultAction: "Allow" },
        functionAppConfig: {
            ...app.functionAppConfig,
            deployment: { storage: { ...app.functionAppConfig!.deployment!.storage, authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: API_IDENTITY_ID(env) } } },
        },
    };
}

/** App Service authentication configured from the API registration, for token validation only. */
export function apiAuthSettingsArgs(env: Env = "prod"): Plain<web.WebAppAuthSettingsV2Args> {
    const args: web.WebAppAuthSettingsV2Args = {
        resourceGroupName: RG(env),
        name: API_APP_NAME(env),
        platform: { enabled: true, runtimeVersion: "~1" },
        globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "Return401" },
        httpSettings: { requireHttps: true },
        identityProviders: {
            azureActiveDirectory: {
                enabled: true,
                registration: { clientId: API_CLIENT_ID, openIdIssuer: `https://login.microsoftonline.com/${TENANT_ID}/v2.0` },
                validation: { allowedAudiences: [`api://${API_CLIENT_ID}`, API_CLIENT_ID], defaultAuthorizationPolicy: { allowedApplications: [MOBILE_CLIENT_ID] } },
            },
        },
        login: { tokenStore: { enabled: false } },
    };
    return plain(args);
}

/** The custom IoT Hub role of the API (components/hubDataRole.ts). */
export function hubDataRoleDefinitionArgs(env: Env = "prod"): Plain<authorization.RoleDefinitionArgs> {
    const args: authorization.RoleDefinitionArgs = {
        roleDefinitionId: API_ROLE_GUID,
        roleName: `IoT Hub API (${HUB_NAME(env)})`,
        roleType: "CustomRole",
        scope: hubId(env),
        assignableScopes: [hubId(env)],
        permissions: [{ actions: [], notActions: [], dataActions: API_HUB_DATA_ACTIONS, notDataActions: [] }],
    };
    return plain(args);
}

export function hubDataRoleAssignmentArgs(env: Env = "prod"): Plain<authorization.RoleAssignmentArgs> {
    const args: authorization.RoleAssignmentArgs = {
        principalId: "11111111-aaaa-4bbb-8ccc-000000000002",
        principalType: "ServicePrincipal",
        roleDefinitionId: roleDefinition(API_ROLE_GUID),
        scope: hubId(env),
    };
    return plain(args);
}

/** The API's hosting as the program declares it, with the SDK's propertyDependencies. */
export function apiHosting(env: Env, preview = false): StackInput[] {
    const u = <T>(known: T): T => (preview ? (UNKNOWN as unknown as T) : known);
    const auth = apiAuthSettingsArgs(env);
    const aad = auth.identityProviders!.azureActiveDirectory!;
    // The registration's client ids are Entra's outputs: unknown at preview.
    aad.registration!.clientId = u(API_CLIENT_ID);
    aad.validation!.allowedAudiences = [u(`api://${API_CLIENT_ID}`), u(API_CLIENT_ID)];
    aad.validation!.defaultAuthorizationPolicy!.allowedApplications = [u(MOBILE_CLIENT_ID)];
    auth.name = u(API_APP_NAME(env));
    const assignment = hubDataRoleAssignmentArgs(env);
    assignment.principalId = u(assignment.principalId);
    return [
        { type: t.webApp[0], name: "api-function-app", props: apiFunctionAppArgs(env), propertyDependencies: { resourceGroupName: ["rg"], identity: ["api-identity"] } },
        { type: t.webAppAuthSettingsV2[0], name: "api-auth", props: auth, propertyDependencies: { name: ["api-function-app"], identityProviders: ["api-app", "mobile-app"] } },
        { type: t.webAppFtpAllowed[0], name: "api-app-ftp", props: { ...ftpAllowedArgs(env), name: u(API_APP_NAME(env)) }, propertyDependencies: { name: ["api-function-app"] } },
        { type: t.webAppScmAllowed[0], name: "api-app-scm", props: { ...scmAllowedArgs(env), name: u(API_APP_NAME(env)) }, propertyDependencies: { name: ["api-function-app"] } },
        { type: t.roleDefinition[0], name: "api-hub-role", props: hubDataRoleDefinitionArgs(env), propertyDependencies: { scope: ["hub"], assignableScopes: ["hub"] } },
        { type: t.roleAssignment[0], name: "api-hub-role-assignment", props: assignment, propertyDependencies: { principalId: ["api-identity"], scope: ["hub"], roleDefinitionId: ["api-hub-role"] } },
    ];
}

// ---- Whole stacks ------------------------------------------------------------------------------

const t = TOKENS;

/**
 * The telemetry path as the program declares it (IoT Hub -> Event Hubs -> Flex Consumption function
 * -> Cosmos DB), with the propertyDependencies the SDK records. prod: namespace closed to selected
 * networks with the trusted-services exception and read through a private endpoint, function in the
 * virtual network and closed, deployment storage private; dev: the same identities and settings,
 * public endpoints (no virtual network).
 */
export function telemetryPath(env: Env, preview = false): StackInput[] {
    const u = <T>(known: T): T => (preview ? (UNKNOWN as unknown as T) : known);
    const eventHubId = `${id(env, "Microsoft.EventHub/namespaces", NAMESPACE_NAME(env))}/eventhubs/${EVENT_HUB}`;
    const storageId = id(env, "Microsoft.Storage/storageAccounts", STORAGE_NAME(env));
    const app = functionAppArgs(env);
    app.serverFarmId = u(app.serverFarmId);
    const settings = functionAppSettingsArgs(env);
    const props = settings.properties!;
    for (const key of ["AzureWebJobsStorage__clientId", "TelemetryEventHub__clientId", "AZURE_CLIENT_ID", "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]) props[key] = u(props[key]);
    settings.name = u(settings.name);
    const role = (name: string, r: keyof typeof ROLES, scope: string, principal: string, scopeDep: string, principalDep: string): StackInput => {
        const a = telemetryRoleAssignmentArgs(r, scope, principal);
        a.scope = u(a.scope);
        a.principalId = u(a.principalId);
        return { type: t.roleAssignment[0], name, props: a, propertyDependencies: { scope: [scopeDep], principalId: [principalDep] } };
    };
    const insights = appInsightsArgs(env);
    insights.workspaceResourceId = u(insights.workspaceResourceId);
    const out: StackInput[] = [
        { type: t.userAssignedIdentity[0], name: "ingest-identity", props: identityArgs(env, "id-ingest"), propertyDependencies: { resourceGroupName: ["rg"] } },
        { type: t.eventHubNamespace[0], name: "eventhub-namespace", props: eventHubNamespaceArgs(env), propertyDependencies: { resourceGroupName: ["rg"] } },
        { type: t.eventHub[0], name: "telemetry-eventhub", props: eventHubArgs(env), propertyDependencies: { namespaceName: ["eventhub-namespace"] } },
        { type: t.eventHubConsumerGroup[0], name: "ingest-consumer-group", props: eventHubConsumerGroupArgs(env), propertyDependencies: { namespaceName: ["eventhub-namespace"], eventHubName: ["telemetry-eventhub"] } },
        role("hub-sends-telemetry", "eventHubsDataSender", eventHubId, "11111111-aaaa-4bbb-8ccc-000000000010", "telemetry-eventhub", "hub"),
        role("ingest-receives-telemetry", "eventHubsDataReceiver", eventHubId, "11111111-aaaa-4bbb-8ccc-000000000011", "telemetry-eventhub", "ingest-identity"),
        { type: t.storageAccount[0], name: "deployment-storage", props: storageAccountArgs(env), propertyDependencies: { resourceGroupName: ["rg"] } },
        { type: t.blobContainer[0], name: "package-container", props: blobContainerArgs(env), propertyDependencies: { accountName: ["deployment-storage"] } },
        role("ingest-reads-package", "storageBlobDataContributor", storageId, "11111111-aaaa-4bbb-8ccc-000000000011", "deployment-storage", "ingest-identity"),
        { type: t.appInsights[0], name: "app-insights", props: insights, propertyDependencies: { resourceGroupName: ["rg"], workspaceResourceId: ["log-analytics"] } },
        role("ingest-publishes-telemetry", "monitoringMetricsPublisher", id(env, "Microsoft.Insights/components", APP_INSIGHTS_NAME(env)), "11111111-aaaa-4bbb-8ccc-000000000011", "app-insights", "ingest-identity"),
        { type: t.appServicePlan[0], name: "ingest-plan", props: appServicePlanArgs(env), propertyDependencies: { resourceGroupName: ["rg"] } },
        {
            type: t.webApp[0], name: "ingest-app", props: app,
            propertyDependencies: { resourceGroupName: ["rg"], serverFarmId: ["ingest-plan"], identity: ["ingest-identity"], functionAppConfig: ["ingest-identity", "package-container"] },
        },
        { type: t.webAppSettings[0], name: "ingest-app-settings", props: settings, propertyDependencies: { name: ["ingest-app"], properties: ["ingest-identity", "app-insights"] } },
        { type: t.webAppFtpAllowed[0], name: "ingest-app-ftp", props: { ...ftpAllowedArgs(env), name: u(APP_NAME(env)) }, propertyDependencies: { name: ["ingest-app"] } },
        { type: t.webAppScmAllowed[0], name: "ingest-app-scm", props: { ...scmAllowedArgs(env), name: u(APP_NAME(env)) }, propertyDependencies: { name: ["ingest-app"] } },
    ];
    if (env === "prod") {
        out.push({ type: t.eventHubNetworkRuleSet[0], name: "eventhub-network-rules", props: eventHubNetworkRuleSetArgs(env), propertyDependencies: { namespaceName: ["eventhub-namespace"] } });
    }
    return out;
}

/**
 * The compliant program as the engine sees it: inputs plus the propertyDependencies the SDK records.
 * With `preview`, values Azure computes (ids, client ids, principal ids, keys) are unknown, as in
 * `pulumi preview` of a new stack. It is the keyless program (issue 10): DPS is the generic
 * resource at API 2026-08-01 linking the hub by its user-assigned identity, which holds IoT Hub
 * Registry Contributor and Twin Contributor on the hub; the hub has local auth off and no SAS
 * policy. (Until the program makes that change, its own policy check fails IOT-05 and DPS-04.)
 */
export function stackResources(env: Env, preview = false): StackInput[] {
    const u = <T>(known: T): T => (preview ? (UNKNOWN as unknown as T) : known);
    const hub = hubArgs(env);
    // The endpoint identity id comes from the identity resource: kept known, as the baseline asks
    // (built from config and getClientConfig), so the hub's rules are not downgraded at preview.
    // The same holds for the DPS link identity's id in the DPS's identity and iotHubs[].
    const dps = genericDpsArgs(env);
    const dpsRoles = [IOT_HUB_REGISTRY_CONTRIBUTOR, IOT_HUB_TWIN_CONTRIBUTOR].map((role) => {
        const r = dpsLinkRoleArgs(env, role);
        r.principalId = u(r.principalId);
        r.scope = u(r.scope);
        return r;
    });
    const readerAssignment = sqlRoleAssignmentArgs(env, "reader");
    const writerAssignment = sqlRoleAssignmentArgs(env, "contributor");
    readerAssignment.principalId = u(readerAssignment.principalId);
    writerAssignment.principalId = u(writerAssignment.principalId);
    const identifierUri = identifierUriArgs();
    identifierUri.identifierUri = u(identifierUri.identifierUri);
    identifierUri.applicationId = u(identifierUri.applicationId);
    const sp = servicePrincipalArgs();
    sp.clientId = u(sp.clientId);
    const apiAccess = apiAccessArgs();
    apiAccess.apiClientId = u(apiAccess.apiClientId);
    const preAuth = preAuthorizedArgs();
    preAuth.authorizedClientId = u(preAuth.authorizedClientId);
    const withAppId = <T extends { applicationId?: unknown }>(x: T): T => ({ ...x, applicationId: u(x.applicationId) });
    // dev generates its CA with @pulumi/tls (PEM unknown at preview); prod registers the company PKI's PEM.
    const ca = <T extends { properties?: { certificate?: string } }>(x: T): T =>
        env === "dev" ? { ...x, properties: { ...x.properties, certificate: u(x.properties?.certificate) } } : x;
    const caDeps: Record<string, string[]> = env === "dev" ? { properties: ["dev-ca-cert"] } : {};

    const out: StackInput[] = [
        { type: t.resourceGroup[0], name: "rg", props: resourceGroupArgs(env) },
        { type: t.userAssignedIdentity[0], name: "api-identity", props: identityArgs(env, "id-api"), propertyDependencies: { resourceGroupName: ["rg"] } },
        // principalId is the identity's output: unknown at preview, known after deployment.
        { type: t.userAssignedIdentity[0], name: "dps-link-identity", props: { ...identityArgs(env, "id-dps-link"), principalId: u(DPS_PRINCIPAL_ID) }, propertyDependencies: { resourceGroupName: ["rg"] } },
        // The hub routes to the event hub with its system-assigned identity (the Event Hubs
        // trusted-services exception admits no other); its inputs stay known at preview.
        { type: t.iotHub[0], name: "hub", props: hub, protect: env === "prod", propertyDependencies: { resourceGroupName: ["rg"] } },
        { type: "azure-native:iothub:IotHubResourceEventHubConsumerGroup", name: "api-consumer-group", props: consumerGroupArgs(env), propertyDependencies: { resourceName: ["hub"], resourceGroupName: ["rg"] } },
        ...(env === "dev" ? [{ type: t.tlsSelfSignedCert[0], name: "dev-ca-cert", props: { isCaCertificate: true, validityPeriodHours: 365 * 24, earlyRenewalHours: 30 * 24, allowedUses: ["cert_signing", "crl_signing"], privateKeyPem: u("-----BEGIN PRIVATE KEY-----") }, propertyDependencies: {} }] : []),
        { type: t.iotHubCertificate[0], name: "hub-ca", props: ca(hubCertificateArgs(env)), propertyDependencies: { resourceName: ["hub"], ...caDeps } },
        {
            type: t.genericResource[0], name: "dps", props: dps, protect: env === "prod",
            propertyDependencies: { resourceGroupName: ["rg"], identity: ["dps-link-identity"], properties: ["dps-link-identity"] },
        },
        ...dpsRoles.map((props, i): StackInput => ({
            type: t.roleAssignment[0], name: `dps-link-role-${i}`, props,
            propertyDependencies: { principalId: ["dps-link-identity"], scope: ["hub"] },
        })),
        { type: t.dpsCertificate[0], name: "dps-ca", props: ca(dpsCertificateArgs(env)), propertyDependencies: { provisioningServiceName: ["dps"], ...caDeps } },
        { type: t.cosmosAccount[0], name: "cosmos", props: cosmosArgs(env), protect: env === "prod", propertyDependencies: { resourceGroupName: ["rg"] } },
        { type: t.cosmosSqlDatabase[0], name: "cosmos-db", props: sqlDatabaseArgs(env), propertyDependencies: { accountName: ["cosmos"] } },
        { type: t.cosmosSqlContainer[0], name: "cosmos-container", props: sqlContainerArgs(env), propertyDependencies: { accountName: ["cosmos"], databaseName: ["cosmos-db"] } },
        {
            type: t.cosmosSqlRoleAssignment[0], name: "ingest-writes-telemetry", props: writerAssignment,
            propertyDependencies: { principalId: ["ingest-identity"], scope: ["cosmos-container"], accountName: ["cosmos"] },
        },
        {
            type: t.cosmosSqlRoleAssignment[0], name: "api-reads-telemetry", props: readerAssignment,
            propertyDependencies: { principalId: ["api-identity"], scope: ["cosmos-db"], accountName: ["cosmos"] },
        },
        { type: t.aadApplicationRegistration[0], name: "api-app", props: apiAppArgs() },
        { type: t.aadIdentifierUri[0], name: "api-identifier-uri", props: identifierUri, propertyDependencies: { applicationId: ["api-app"], identifierUri: ["api-app"] } },
        { type: t.aadPermissionScope[0], name: "api-scope", props: withAppId(permissionScopeArgs()), propertyDependencies: { applicationId: ["api-app"] } },
        { type: t.aadAppRole[0], name: "api-role", props: withAppId(appRoleArgs()), propertyDependencies: { applicationId: ["api-app"] } },
        { type: t.aadServicePrincipal[0], name: "api-sp", props: sp, propertyDependencies: { clientId: ["api-app"] } },
        { type: t.aadOwner[0], name: "api-owner", props: withAppId(ownerArgs()), propertyDependencies: { applicationId: ["api-app"] } },
        { type: t.aadApplicationRegistration[0], name: "mobile-app", props: mobileAppArgs() },
        { type: t.aadOwner[0], name: "mobile-owner", props: withAppId(ownerArgs("/applications/mobile-object-id")), propertyDependencies: { applicationId: ["mobile-app"] } },
        { type: t.aadRedirectUris[0], name: "mobile-redirects", props: withAppId(redirectUrisArgs()), propertyDependencies: { applicationId: ["mobile-app"] } },
        { type: t.aadFallbackPublicClient[0], name: "mobile-public-client", props: withAppId(fallbackPublicClientArgs()), propertyDependencies: { applicationId: ["mobile-app"] } },
        { type: t.aadApiAccess[0], name: "mobile-calls-api", props: withAppId(apiAccess), propertyDependencies: { applicationId: ["mobile-app"], apiClientId: ["api-app"], scopeIds: ["api-scope"] } },
        { type: t.aadPreAuthorized[0], name: "api-preauthorizes-mobile", props: withAppId(preAuth), propertyDependencies: { applicationId: ["api-app"], authorizedClientId: ["mobile-app"] } },
        { type: t.stack[0], name: `secure-iot-platform-${env}`, props: { hubHostName: `${HUB_NAME(env)}.azure-devices.net`, apiClientId: u(API_CLIENT_ID) } },
        { type: "azure-native:operationalinsights:Workspace", name: "log-analytics", props: { resourceGroupName: RG(env), workspaceName: `log-secure-iot-${env}`, location: "westeurope", tags: tags(env), retentionInDays: env === "prod" ? 90 : 30 }, propertyDependencies: { resourceGroupName: ["rg"] } },
        ...telemetryPath(env, preview),
        ...apiHosting(env, preview),
    ];
    if (env === "prod") {
        const pe = (target: PeTarget, targetName: string): StackInput[] => [
            { type: t.privateEndpoint[0], name: `pe-${target}`, props: { ...privateEndpointArgs(env, target), privateLinkServiceConnections: [{ ...privateEndpointArgs(env, target).privateLinkServiceConnections![0], privateLinkServiceId: u(privateEndpointArgs(env, target).privateLinkServiceConnections![0].privateLinkServiceId) }] }, propertyDependencies: { privateLinkServiceConnections: [targetName], resourceGroupName: ["rg"] } },
            { type: t.privateZone[0], name: `zone-${target}`, props: privateZoneArgs(env, target), propertyDependencies: { resourceGroupName: ["rg"] } },
            { type: t.privateDnsZoneGroup[0], name: `pe-${target}-dns`, props: { ...dnsZoneGroupArgs(env, target), privateDnsZoneConfigs: [{ name: "zone", privateDnsZoneId: u(dnsZoneGroupArgs(env, target).privateDnsZoneConfigs![0].privateDnsZoneId) }] }, propertyDependencies: { privateEndpointName: [`pe-${target}`], privateDnsZoneConfigs: [`zone-${target}`] } },
        ];
        const diag = (targetName: string, targetId: string): StackInput => ({
            type: t.diagnosticSetting[0], name: `diag-${targetName}`, props: { ...diagnosticSettingArgs(env, targetId), resourceUri: u(targetId), workspaceId: u(diagnosticSettingArgs(env, targetId).workspaceId) },
            propertyDependencies: { resourceUri: [targetName], workspaceId: ["log-analytics"] },
        });
        const lock = (targetName: string, provider: string, type: string, armName: string): StackInput => ({
            type: t.lockAtResource[0], name: `lock-${targetName}`, props: lockArgs(env, provider, type, armName), protect: true,
            propertyDependencies: { resourceName: [targetName], resourceGroupName: ["rg"] },
        });
        out.push(
            ...pe("hub", "hub"),
            ...pe("dps", "dps"),
            ...pe("cosmos", "cosmos"),
            ...pe("eventhubs", "eventhub-namespace"),
            ...pe("storage", "deployment-storage"),
            diag("hub", id(env, "Microsoft.Devices/IotHubs", HUB_NAME(env))),
            diag("dps", id(env, "Microsoft.Devices/provisioningServices", DPS_NAME(env))),
            diag("cosmos", cosmosAccountId(env)),
            lock("hub", "Microsoft.Devices", "IotHubs", HUB_NAME(env)),
            lock("dps", "Microsoft.Devices", "provisioningServices", DPS_NAME(env)),
            lock("cosmos", "Microsoft.DocumentDB", "databaseAccounts", COSMOS_NAME(env)),
            { type: t.iotSecuritySolution[0], name: "defender-iot", props: { ...iotSecuritySolutionArgs(env), iotHubs: [u(iotSecuritySolutionArgs(env).iotHubs[0])] }, propertyDependencies: { iotHubs: ["hub"], resourceGroupName: ["rg"] } },
            { type: t.advancedThreatProtection[0], name: "defender-cosmos", props: { ...advancedThreatProtectionArgs(env), resourceId: u(cosmosAccountId(env)) }, propertyDependencies: { resourceId: ["cosmos"] } },
        );
    }
    return out;
}
