/**
 * The rules match type strings (so the pack does not load the SDKs at start). This proves, against
 * the installed SDK sources, that every v3 token is the `__pulumiType` of the real resource class
 * and every v2 token is an alias the class registers, so a v2 program's resources are matched too.
 * (The class files are read as text: loading @pulumi/azure-native and @pulumi/azuread at run time
 * would cost seconds of test time for the same fact.) The type-only imports make the compiler
 * check that each class exists.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import type * as authorization from "@pulumi/azure-native/authorization";
import type * as cosmosdb from "@pulumi/azure-native/cosmosdb";
import type * as dps from "@pulumi/azure-native/deviceprovisioningservices";
import type * as eventhub from "@pulumi/azure-native/eventhub";
import type * as iothub from "@pulumi/azure-native/iothub";
import type * as managedidentity from "@pulumi/azure-native/managedidentity";
import type * as monitor from "@pulumi/azure-native/monitor";
import type * as network from "@pulumi/azure-native/network";
import type * as privatedns from "@pulumi/azure-native/privatedns";
import type * as resources from "@pulumi/azure-native/resources";
import type * as security from "@pulumi/azure-native/security";
import type * as servicebus from "@pulumi/azure-native/servicebus";
import type * as storage from "@pulumi/azure-native/storage";
import type * as web from "@pulumi/azure-native/web";
import type * as azuread from "@pulumi/azuread";
import type * as tls from "@pulumi/tls";
import { GENERIC_ARM_TYPES, resolveKind, TOKENS, TYPED_API_VERSIONS, typedProps, unresolvedGenericInput, type TokenKind } from "../lib/tokens";
import { peek } from "../lib/unknowns";
import { toWire, UNKNOWN, unknownCheckingProxy, UnknownValueError } from "./runPolicies";

/** Package-relative module file of each class (the compiler checks the class through its type). */
type Cls<T> = { file: string; _?: T };
const CLASSES: Record<Exclude<TokenKind, "stack">, Cls<unknown>> = {
    iotHub: { file: "@pulumi/azure-native/iothub/iotHubResource" } satisfies Cls<iothub.IotHubResource>,
    iotHubCertificate: { file: "@pulumi/azure-native/iothub/certificate" } satisfies Cls<iothub.Certificate>,
    dps: { file: "@pulumi/azure-native/deviceprovisioningservices/iotDpsResource" } satisfies Cls<dps.IotDpsResource>,
    dpsCertificate: { file: "@pulumi/azure-native/deviceprovisioningservices/dpsCertificate" } satisfies Cls<dps.DpsCertificate>,
    cosmosAccount: { file: "@pulumi/azure-native/cosmosdb/databaseAccount" } satisfies Cls<cosmosdb.DatabaseAccount>,
    cosmosSqlDatabase: { file: "@pulumi/azure-native/cosmosdb/sqlResourceSqlDatabase" } satisfies Cls<cosmosdb.SqlResourceSqlDatabase>,
    cosmosSqlContainer: { file: "@pulumi/azure-native/cosmosdb/sqlResourceSqlContainer" } satisfies Cls<cosmosdb.SqlResourceSqlContainer>,
    cosmosSqlRoleAssignment: { file: "@pulumi/azure-native/cosmosdb/sqlResourceSqlRoleAssignment" } satisfies Cls<cosmosdb.SqlResourceSqlRoleAssignment>,
    cosmosSqlRoleDefinition: { file: "@pulumi/azure-native/cosmosdb/sqlResourceSqlRoleDefinition" } satisfies Cls<cosmosdb.SqlResourceSqlRoleDefinition>,
    diagnosticSetting: { file: "@pulumi/azure-native/monitor/diagnosticSetting" } satisfies Cls<monitor.DiagnosticSetting>,
    privateEndpoint: { file: "@pulumi/azure-native/network/privateEndpoint" } satisfies Cls<network.PrivateEndpoint>,
    privateDnsZoneGroup: { file: "@pulumi/azure-native/network/privateDnsZoneGroup" } satisfies Cls<network.PrivateDnsZoneGroup>,
    privateZone: { file: "@pulumi/azure-native/privatedns/privateZone" } satisfies Cls<privatedns.PrivateZone>,
    roleAssignment: { file: "@pulumi/azure-native/authorization/roleAssignment" } satisfies Cls<authorization.RoleAssignment>,
    roleDefinition: { file: "@pulumi/azure-native/authorization/roleDefinition" } satisfies Cls<authorization.RoleDefinition>,
    lockAtResource: { file: "@pulumi/azure-native/authorization/managementLockAtResourceLevel" } satisfies Cls<authorization.ManagementLockAtResourceLevel>,
    lockByScope: { file: "@pulumi/azure-native/authorization/managementLockByScope" } satisfies Cls<authorization.ManagementLockByScope>,
    lockAtResourceGroup: { file: "@pulumi/azure-native/authorization/managementLockAtResourceGroupLevel" } satisfies Cls<authorization.ManagementLockAtResourceGroupLevel>,
    iotSecuritySolution: { file: "@pulumi/azure-native/security/iotSecuritySolution" } satisfies Cls<security.IotSecuritySolution>,
    advancedThreatProtection: { file: "@pulumi/azure-native/security/advancedThreatProtection" } satisfies Cls<security.AdvancedThreatProtection>,
    defenderPricing: { file: "@pulumi/azure-native/security/pricing" } satisfies Cls<security.Pricing>,
    eventHubNamespace: { file: "@pulumi/azure-native/eventhub/namespace" } satisfies Cls<eventhub.Namespace>,
    eventHub: { file: "@pulumi/azure-native/eventhub/eventHub" } satisfies Cls<eventhub.EventHub>,
    eventHubConsumerGroup: { file: "@pulumi/azure-native/eventhub/consumerGroup" } satisfies Cls<eventhub.ConsumerGroup>,
    eventHubNetworkRuleSet: { file: "@pulumi/azure-native/eventhub/namespaceNetworkRuleSet" } satisfies Cls<eventhub.NamespaceNetworkRuleSet>,
    eventHubNamespaceAuthRule: { file: "@pulumi/azure-native/eventhub/namespaceAuthorizationRule" } satisfies Cls<eventhub.NamespaceAuthorizationRule>,
    eventHubAuthRule: { file: "@pulumi/azure-native/eventhub/eventHubAuthorizationRule" } satisfies Cls<eventhub.EventHubAuthorizationRule>,
    serviceBusNamespace: { file: "@pulumi/azure-native/servicebus/namespace" } satisfies Cls<servicebus.Namespace>,
    serviceBusNetworkRuleSet: { file: "@pulumi/azure-native/servicebus/namespaceNetworkRuleSet" } satisfies Cls<servicebus.NamespaceNetworkRuleSet>,
    appServicePlan: { file: "@pulumi/azure-native/web/appServicePlan" } satisfies Cls<web.AppServicePlan>,
    webApp: { file: "@pulumi/azure-native/web/webApp" } satisfies Cls<web.WebApp>,
    webAppFtpAllowed: { file: "@pulumi/azure-native/web/webAppFtpAllowed" } satisfies Cls<web.WebAppFtpAllowed>,
    webAppScmAllowed: { file: "@pulumi/azure-native/web/webAppScmAllowed" } satisfies Cls<web.WebAppScmAllowed>,
    webAppSettings: { file: "@pulumi/azure-native/web/webAppApplicationSettings" } satisfies Cls<web.WebAppApplicationSettings>,
    webAppConnectionStrings: { file: "@pulumi/azure-native/web/webAppConnectionStrings" } satisfies Cls<web.WebAppConnectionStrings>,
    webAppAuthSettingsV2: { file: "@pulumi/azure-native/web/webAppAuthSettingsV2" } satisfies Cls<web.WebAppAuthSettingsV2>,
    storageAccount: { file: "@pulumi/azure-native/storage/storageAccount" } satisfies Cls<storage.StorageAccount>,
    blobContainer: { file: "@pulumi/azure-native/storage/blobContainer" } satisfies Cls<storage.BlobContainer>,
    appInsights: { file: "@pulumi/azure-native/applicationinsights/component" } satisfies Cls<applicationinsights.Component>,
    resourceGroup: { file: "@pulumi/azure-native/resources/resourceGroup" } satisfies Cls<resources.ResourceGroup>,
    userAssignedIdentity: { file: "@pulumi/azure-native/managedidentity/userAssignedIdentity" } satisfies Cls<managedidentity.UserAssignedIdentity>,
    aadApplication: { file: "@pulumi/azuread/application" } satisfies Cls<azuread.Application>,
    aadApplicationRegistration: { file: "@pulumi/azuread/applicationRegistration" } satisfies Cls<azuread.ApplicationRegistration>,
    aadIdentifierUri: { file: "@pulumi/azuread/applicationIdentifierUri" } satisfies Cls<azuread.ApplicationIdentifierUri>,
    aadRedirectUris: { file: "@pulumi/azuread/applicationRedirectUris" } satisfies Cls<azuread.ApplicationRedirectUris>,
    aadApiAccess: { file: "@pulumi/azuread/applicationApiAccess" } satisfies Cls<azuread.ApplicationApiAccess>,
    aadPermissionScope: { file: "@pulumi/azuread/applicationPermissionScope" } satisfies Cls<azuread.ApplicationPermissionScope>,
    aadAppRole: { file: "@pulumi/azuread/applicationAppRole" } satisfies Cls<azuread.ApplicationAppRole>,
    aadOwner: { file: "@pulumi/azuread/applicationOwner" } satisfies Cls<azuread.ApplicationOwner>,
    aadKnownClients: { file: "@pulumi/azuread/applicationKnownClients" } satisfies Cls<azuread.ApplicationKnownClients>,
    aadPreAuthorized: { file: "@pulumi/azuread/applicationPreAuthorized" } satisfies Cls<azuread.ApplicationPreAuthorized>,
    aadFallbackPublicClient: { file: "@pulumi/azuread/applicationFallbackPublicClient" } satisfies Cls<azuread.ApplicationFallbackPublicClient>,
    aadFederatedCredential: { file: "@pulumi/azuread/applicationFederatedIdentityCredential" } satisfies Cls<azuread.ApplicationFederatedIdentityCredential>,
    aadApplicationPassword: { file: "@pulumi/azuread/applicationPassword" } satisfies Cls<azuread.ApplicationPassword>,
    aadServicePrincipalPassword: { file: "@pulumi/azuread/servicePrincipalPassword" } satisfies Cls<azuread.ServicePrincipalPassword>,
    aadApplicationCertificate: { file: "@pulumi/azuread/applicationCertificate" } satisfies Cls<azuread.ApplicationCertificate>,
    aadServicePrincipalCertificate: { file: "@pulumi/azuread/servicePrincipalCertificate" } satisfies Cls<azuread.ServicePrincipalCertificate>,
    aadServicePrincipal: { file: "@pulumi/azuread/servicePrincipal" } satisfies Cls<azuread.ServicePrincipal>,
    tlsSelfSignedCert: { file: "@pulumi/tls/selfSignedCert" } satisfies Cls<tls.SelfSignedCert>,
    tlsLocallySignedCert: { file: "@pulumi/tls/locallySignedCert" } satisfies Cls<tls.LocallySignedCert>,
    genericResource: { file: "@pulumi/azure-native/resources/resource" } satisfies Cls<resources.Resource>,
};

describe("type tokens", () => {
    for (const [kind, cls] of Object.entries(CLASSES) as Array<[Exclude<TokenKind, "stack">, Cls<unknown>]>) {
        const [v3, ...aliases] = TOKENS[kind] as readonly string[];
        const source = () => readFileSync(require.resolve(`${cls.file}.js`), "utf8");
        it(`${kind}: ${v3} is the class's __pulumiType`, () => {
            assert.ok(source().includes(`static __pulumiType = '${v3}';`), `${cls.file} does not declare ${v3}`);
        });
        for (const alias of aliases) {
            it(`${kind}: ${alias} is an alias the class registers`, () => {
                assert.ok(source().includes(`type: "${alias}"`), `${alias} is not among ${cls.file}'s aliases`);
            });
        }
    }
    it("covers the v2 module renames of the baseline table", () => {
        for (const [kind, v2] of [["iotHub", "azure-native:devices:IotHubResource"], ["dps", "azure-native:devices:IotDpsResource"], ["dpsCertificate", "azure-native:devices:DpsCertificate"], ["cosmosAccount", "azure-native:documentdb:DatabaseAccount"], ["diagnosticSetting", "azure-native:insights:DiagnosticSetting"], ["appInsights", "azure-native:insights:Component"]] as const) {
            assert.ok((TOKENS[kind] as readonly string[]).includes(v2), `${kind} misses ${v2}`);
        }
    });
});

describe("typed API versions", () => {
    for (const [kind, version] of Object.entries(TYPED_API_VERSIONS) as Array<[Exclude<TokenKind, "stack">, string]>) {
        it(`${kind}: the class of @pulumi/azure-native uses API ${version}`, () => {
            const dts = readFileSync(require.resolve(`${CLASSES[kind].file}.d.ts`), "utf8");
            assert.ok(dts.includes(`Uses Azure REST API version ${version}.`), `${CLASSES[kind].file} does not use ${version}`);
        });
    }
});

describe("the generic ARM resource resolves to the kind of its ARM type", () => {
    const generic = TOKENS.genericResource[0];
    const proxy = (x: unknown) => unknownCheckingProxy(toWire(x) as Record<string, unknown>);
    const dps = { resourceProviderNamespace: "Microsoft.Devices", resourceType: "provisioningServices", parentResourcePath: "", apiVersion: "2026-08-01", resourceName: "dps-1", resourceGroupName: "rg" };
    it("maps Microsoft.Devices/provisioningServices and Microsoft.Devices/IotHubs, case-insensitively", () => {
        assert.deepEqual(resolveKind(generic, proxy(dps)), { kind: "dps", generic: true, apiVersion: { known: true, value: "2026-08-01" } });
        assert.equal(resolveKind(generic, proxy({ ...dps, resourceProviderNamespace: " microsoft.DEVICES ", resourceType: "PROVISIONINGSERVICES" }))?.kind, "dps");
        assert.equal(resolveKind(generic, proxy({ ...dps, resourceType: "iothubs" }))?.kind, "iotHub");
        for (const [kind, arm] of Object.entries(GENERIC_ARM_TYPES)) {
            assert.equal(resolveKind(generic, proxy({ ...dps, resourceProviderNamespace: arm.namespace, resourceType: arm.resourceType }))?.kind, kind);
        }
    });
    it("an absent parentResourcePath is top level; a child resource or another type is no kind", () => {
        const { parentResourcePath: _omitted, ...top } = dps;
        assert.equal(resolveKind(generic, proxy(top))?.kind, "dps");
        assert.equal(resolveKind(generic, proxy({ ...dps, parentResourcePath: "IotHubs/hub-1", resourceType: "certificates" })), undefined);
        assert.equal(resolveKind(generic, proxy({ ...dps, resourceType: "IotHubs", parentResourcePath: "x" })), undefined);
        assert.equal(resolveKind(generic, proxy({ ...dps, resourceProviderNamespace: "Microsoft.Storage", resourceType: "storageAccounts" })), undefined);
        assert.equal(resolveKind(generic, proxy({ ...dps, resourceType: 42 })), undefined);
    });
    it("typed tokens keep their kind and carry the class's API version (a v2 alias: an older, unknown one)", () => {
        assert.deepEqual(resolveKind(TOKENS.dps[0], proxy({})), { kind: "dps", generic: false, apiVersion: { known: true, value: "2023-03-01-preview" } });
        assert.deepEqual(resolveKind(TOKENS.dps[1], proxy({})), { kind: "dps", generic: false, apiVersion: { known: true, value: undefined } });
        assert.equal(resolveKind("azure-native:network:VirtualNetwork", proxy({})), undefined);
    });
    it("an ARM type or API version unknown at preview is reported, never guessed", () => {
        assert.equal(resolveKind(generic, proxy({ ...dps, resourceType: UNKNOWN })), undefined);
        assert.equal(unresolvedGenericInput(generic, proxy({ ...dps, resourceType: UNKNOWN })), "resourceType");
        assert.equal(unresolvedGenericInput(generic, proxy(dps)), undefined);
        assert.equal(unresolvedGenericInput(TOKENS.dps[0], proxy({ resourceType: UNKNOWN })), undefined);
        assert.deepEqual(resolveKind(generic, proxy({ ...dps, apiVersion: UNKNOWN }))?.apiVersion, { known: false });
    });
    it("typedProps answers the typed input names, through CrossGuard's proxy and through peek", () => {
        const props = proxy({ ...dps, properties: { iotHubs: UNKNOWN } });
        const view = typedProps(resolveKind(generic, props)!, props);
        assert.equal(view["provisioningServiceName"], "dps-1");
        assert.equal(view["resourceName"], "dps-1");
        assert.ok("provisioningServiceName" in view);
        assert.ok(Object.keys(view).includes("provisioningServiceName"));
        assert.deepEqual(peek(view, "provisioningServiceName"), { known: true, value: "dps-1" });
        assert.deepEqual(peek(view["properties"], "iotHubs"), { known: false });
        assert.throws(() => (view["properties"] as Record<string, unknown>)["iotHubs"], UnknownValueError);
        const unknownName = proxy({ ...dps, resourceName: UNKNOWN });
        assert.deepEqual(peek(typedProps(resolveKind(generic, unknownName)!, unknownName), "provisioningServiceName"), { known: false });
        // A typed resource is passed through as it is.
        const typed = proxy({ provisioningServiceName: "x" });
        assert.equal(typedProps(resolveKind(TOKENS.dps[0], typed)!, typed), typed);
    });
});
