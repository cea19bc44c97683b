/**
 * Function apps of the telemetry path (Flex Consumption, user-assigned identity): FUNC-01..10.
 * Built from the compliant factories in fixtures.ts, one mutation per test.
 */
import { describe, it } from "node:test";
import { TOKENS } from "../lib/tokens";
import { func01HttpsOnly } from "../rules/functionApp/func-01-app-https-only";
import { func02MinTls } from "../rules/functionApp/func-02-app-min-tls-12";
import { func03FtpDisabled } from "../rules/functionApp/func-03-app-ftp-disabled";
import { func04ManagedIdentity } from "../rules/functionApp/func-04-app-managed-identity";
import { func05BasicPublishingCredentials } from "../rules/functionApp/func-05-app-basic-publishing-credentials-off";
import { func06RemoteDebugging } from "../rules/functionApp/func-06-app-remote-debugging-off";
import { func07PublicNetworkAccess } from "../rules/functionApp/func-07-app-public-network-access";
import { func08VnetIntegration } from "../rules/functionApp/func-08-app-vnet-integration";
import { func09NoSecretsInSettings } from "../rules/functionApp/func-09-app-settings-no-keys";
import { func10DeploymentStorageIdentity } from "../rules/functionApp/func-10-flex-deployment-storage-identity";
import { func11HttpAppsGuarded } from "../rules/functionApp/func-11-http-apps-behind-app-service-authentication";
import { apiAuthSettingsArgs, apiFunctionAppArgs, apiHosting, API_APP_NAME, APP_NAME, ftpAllowedArgs, functionAppArgs, functionAppSettingsArgs, RG, scmAllowedArgs, stackResources, TENANT_ID } from "./fixtures";
import { UNKNOWN, unknown, type StackInput } from "./runPolicies";
import { assertCannotRun, assertPasses, assertSomeViolation, assertViolation, check, checkStack, mutate } from "./util";

const T = TOKENS;
type App = ReturnType<typeof functionAppArgs>;
const app = (f: (a: App) => void = () => {}) => mutate(functionAppArgs("prod"), f);
const sc = (a: App) => a.siteConfig!;

describe("FUNC-01 HTTPS only", () => {
    it("passes httpsOnly true", () => assertPasses(check(func01HttpsOnly, "webApp", app())));
    it("fails when absent (false)", () => assertViolation(check(func01HttpsOnly, "webApp", app((a) => delete a.httpsOnly)), func01HttpsOnly, /httpsOnly is absent \(false\); it must be true/));
    it("fails false", () => assertViolation(check(func01HttpsOnly, "webApp", app((a) => (a.httpsOnly = false))), func01HttpsOnly, /httpsOnly is false/));
});

describe("FUNC-02 TLS 1.2 on the app and its SCM site", () => {
    it("passes 1.2 on both", () => assertPasses(check(func02MinTls, "webApp", app())));
    it("passes 1.3", () => assertPasses(check(func02MinTls, "webApp", app((a) => { sc(a).minTlsVersion = "1.3"; sc(a).scmMinTlsVersion = "1.3"; }))));
    it("fails an absent minTlsVersion", () =>
        assertViolation(check(func02MinTls, "webApp", app((a) => delete sc(a).minTlsVersion)), func02MinTls, /siteConfig\.minTlsVersion is absent; it must be "1\.2" or later\./));
    it("fails minTlsVersion 1.0", () => assertViolation(check(func02MinTls, "webApp", app((a) => (sc(a).minTlsVersion = "1.0"))), func02MinTls, /siteConfig\.minTlsVersion is "1\.0"/));
    it("fails scmMinTlsVersion 1.1 (the SCM site receives deployments)", () =>
        assertViolation(check(func02MinTls, "webApp", app((a) => (sc(a).scmMinTlsVersion = "1.1"))), func02MinTls, /siteConfig\.scmMinTlsVersion is "1\.1"; .*the SCM site receives deployments/));
    it("waits at preview when siteConfig is unknown (the SDK applies defaults to it)", () =>
        assertCannotRun(check(func02MinTls, "webApp", app((a) => (a.siteConfig = unknown()))), /siteConfig/));
});

describe("FUNC-03 FTP off", () => {
    it("passes Disabled", () => assertPasses(check(func03FtpDisabled, "webApp", app())));
    it("fails when absent (platform default)", () =>
        assertViolation(check(func03FtpDisabled, "webApp", app((a) => delete sc(a).ftpsState)), func03FtpDisabled, /ftpsState is absent \(platform default, FTP allowed\)/));
    it("fails FtpsOnly (Azure Policy accepts it; the platform deploys without FTP)", () =>
        assertViolation(check(func03FtpDisabled, "webApp", app((a) => (sc(a).ftpsState = "FtpsOnly"))), func03FtpDisabled, /"FtpsOnly"; it must be "Disabled"/));
    it("fails AllAllowed", () => assertViolation(check(func03FtpDisabled, "webApp", app((a) => (sc(a).ftpsState = "AllAllowed"))), func03FtpDisabled, /"AllAllowed"/));
});

describe("FUNC-04 managed identity", () => {
    it("passes a user-assigned identity", () => assertPasses(check(func04ManagedIdentity, "webApp", app())));
    it("passes SystemAssigned", () => assertPasses(check(func04ManagedIdentity, "webApp", app((a) => (a.identity = { type: "SystemAssigned" })))));
    it("fails without identity", () => assertViolation(check(func04ManagedIdentity, "webApp", app((a) => delete a.identity)), func04ManagedIdentity, /identity\.type is absent/));
    it("fails None", () => assertViolation(check(func04ManagedIdentity, "webApp", app((a) => (a.identity = { type: "None" }))), func04ManagedIdentity, /"None"/));
    it("fails UserAssigned without identities", () =>
        assertViolation(check(func04ManagedIdentity, "webApp", app((a) => (a.identity!.userAssignedIdentities = []))), func04ManagedIdentity, /userAssignedIdentities is empty/));
});

describe("FUNC-05 basic publishing credentials off (stack)", () => {
    function stack(o: { ftp?: ((p: ReturnType<typeof ftpAllowedArgs>) => void) | null; scm?: ((p: ReturnType<typeof scmAllowedArgs>) => void) | null; deps?: boolean } = {}): StackInput[] {
        const deps: Record<string, string[]> = o.deps === false ? {} : { name: ["app"] };
        const out: StackInput[] = [{ type: T.webApp[0], name: "app", props: app() }];
        if (o.ftp !== null) out.push({ type: T.webAppFtpAllowed[0], name: "app-ftp", props: mutate(ftpAllowedArgs("prod"), o.ftp ?? (() => {})), propertyDependencies: deps });
        if (o.scm !== null) out.push({ type: T.webAppScmAllowed[0], name: "app-scm", props: mutate(scmAllowedArgs("prod"), o.scm ?? (() => {})), propertyDependencies: deps });
        return out;
    }
    it("passes with both policies off", () => assertPasses(checkStack(func05BasicPublishingCredentials, stack())));
    it("passes the whole prod stack at preview (app name unknown, followed through the dependency)", () => assertPasses(checkStack(func05BasicPublishingCredentials, stackResources("prod", true))));
    it("links the policies by the app's known name without a dependency", () => assertPasses(checkStack(func05BasicPublishingCredentials, stack({ deps: false }))));
    it("fails without the FTP policy", () =>
        assertViolation(checkStack(func05BasicPublishingCredentials, stack({ ftp: null })), func05BasicPublishingCredentials, /app 'app' has no FTP \(web\.WebAppFtpAllowed\) policy with allow false/));
    it("fails without the SCM policy", () =>
        assertViolation(checkStack(func05BasicPublishingCredentials, stack({ scm: null })), func05BasicPublishingCredentials, /has no SCM \(web\.WebAppScmAllowed\) policy/));
    it("fails a policy that allows basic credentials", () =>
        assertViolation(checkStack(func05BasicPublishingCredentials, stack({ scm: (p) => (p.allow = true) })), func05BasicPublishingCredentials, /SCM \(web\.WebAppScmAllowed\) 'app-scm' has allow true; it must be false/));
    it("fails a policy of another app", () =>
        assertViolation(checkStack(func05BasicPublishingCredentials, stack({ ftp: (p) => (p.name = "other-app"), deps: false })), func05BasicPublishingCredentials, /no FTP/));
    it("waits for an unknown allow", () =>
        assertCannotRun(checkStack(func05BasicPublishingCredentials, stack({ ftp: (p) => (p.allow = unknown()) })), /allow/));
});

describe("FUNC-06 remote debugging off", () => {
    it("passes when absent (platform default off)", () => assertPasses(check(func06RemoteDebugging, "webApp", app())));
    it("passes false", () => assertPasses(check(func06RemoteDebugging, "webApp", app((a) => (sc(a).remoteDebuggingEnabled = false)))));
    it("fails true", () => assertViolation(check(func06RemoteDebugging, "webApp", app((a) => (sc(a).remoteDebuggingEnabled = true))), func06RemoteDebugging, /remoteDebuggingEnabled is true/));
});

describe("FUNC-07 public network access per stack", () => {
    it("passes Disabled (prod)", () => assertPasses(check(func07PublicNetworkAccess, "webApp", app())));
    it("fails Enabled", () =>
        assertViolation(check(func07PublicNetworkAccess, "webApp", app((a) => (a.publicNetworkAccess = "Enabled"))), func07PublicNetworkAccess, /publicNetworkAccess is "Enabled"; the stack requires "Disabled"/));
    it("fails when absent (Enabled)", () =>
        assertViolation(check(func07PublicNetworkAccess, "webApp", app((a) => delete a.publicNetworkAccess)), func07PublicNetworkAccess, /publicNetworkAccess is absent \(Enabled\)/));
    it("passes Enabled when the stack does not require it closed", () =>
        assertPasses(check(func07PublicNetworkAccess, "webApp", app((a) => (a.publicNetworkAccess = "Enabled")), { config: { requireDisabled: false } })));
    it("exempts a public HTTP API (tag httpFunctions true): FUNC-11 guards it instead", () => assertPasses(check(func07PublicNetworkAccess, "webApp", apiFunctionAppArgs("prod"))));
    it("does not exempt an app that only says it has no HTTP functions", () =>
        assertViolation(check(func07PublicNetworkAccess, "webApp", app((a) => (a.publicNetworkAccess = "Enabled"))), func07PublicNetworkAccess, /the stack requires "Disabled"/));
});

describe("FUNC-08 virtual network integration", () => {
    it("passes a subnet id", () => assertPasses(check(func08VnetIntegration, "webApp", app())));
    it("passes a subnet id unknown at preview (a set value)", () => assertPasses(check(func08VnetIntegration, "webApp", app((a) => (a.virtualNetworkSubnetId = unknown())))));
    it("fails without integration", () =>
        assertViolation(check(func08VnetIntegration, "webApp", app((a) => delete a.virtualNetworkSubnetId)), func08VnetIntegration, /virtualNetworkSubnetId is absent/));
    it("passes without integration when not required", () =>
        assertPasses(check(func08VnetIntegration, "webApp", app((a) => delete a.virtualNetworkSubnetId), { config: { required: false } })));
});

describe("FUNC-09 no keys in app settings", () => {
    type Settings = ReturnType<typeof functionAppSettingsArgs>;
    const settings = (f: (s: Record<string, string>) => void = () => {}) => mutate(functionAppSettingsArgs("prod"), (s: Settings) => f(s.properties!));
    const withSettings = (appSettings: Array<{ name: string; value: string }>) => app((a) => (sc(a).appSettings = appSettings));
    it("passes identity-based settings", () => assertPasses(check(func09NoSecretsInSettings, "webAppSettings", settings())));
    it("passes at preview: client ids and the Application Insights strings are unknown", () =>
        assertPasses(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => {
            for (const k of ["AzureWebJobsStorage__clientId", "TelemetryEventHub__clientId", "AZURE_CLIENT_ID", "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]) s[k] = UNKNOWN;
        }))));
    it("passes the app without app settings", () => assertPasses(check(func09NoSecretsInSettings, "webApp", app())));
    it("fails an Event Hubs connection string with a key", () =>
        assertViolation(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => (s["TelemetryEventHub"] = "Endpoint=sb://evhns.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=a2V5"))), func09NoSecretsInSettings, /app setting "TelemetryEventHub" holds a shared access key/));
    it("fails a storage account key", () =>
        assertViolation(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => (s["DEPLOYMENT_STORAGE_CONNECTION_STRING"] = "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=a2V5;EndpointSuffix=core.windows.net"))), func09NoSecretsInSettings, /"DEPLOYMENT_STORAGE_CONNECTION_STRING" holds a storage account key/));
    it("fails a SAS token", () =>
        assertViolation(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => (s["PACKAGE_URL"] = "https://st.blob.core.windows.net/p/app.zip?sv=2022-11-02&sig=abcdef"))), func09NoSecretsInSettings, /holds a SAS token/));
    it("fails AzureWebJobsStorage as a connection string (key-based host storage)", () =>
        assertViolation(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => (s["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=a2V5"))), func09NoSecretsInSettings, /"AzureWebJobsStorage" is a connection string \(key-based host storage\)/));
    it("fails APPINSIGHTS_INSTRUMENTATIONKEY", () =>
        assertViolation(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => (s["APPINSIGHTS_INSTRUMENTATIONKEY"] = "00000000-aaaa-4bbb-8ccc-000000000009"))), func09NoSecretsInSettings, /sends telemetry with the instrumentation key/));
    it("fails an Application Insights connection string without Entra ID authentication", () =>
        assertViolation(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => delete s["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"])), func09NoSecretsInSettings, /with the instrumentation key only; add APPLICATIONINSIGHTS_AUTHENTICATION_STRING/));
    it("fails an instrumentation key in another setting without Entra ID authentication", () =>
        assertViolation(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => {
            delete s["APPLICATIONINSIGHTS_CONNECTION_STRING"];
            delete s["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
            s["TELEMETRY"] = "InstrumentationKey=00000000-aaaa-4bbb-8ccc-000000000009";
        })), func09NoSecretsInSettings, /instrumentation key only/));
    it("fails an authentication string that is not Entra ID", () =>
        assertViolation(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => (s["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Authorization=Key"))), func09NoSecretsInSettings, /it must start with "Authorization=AAD"/));
    it("fails a key in siteConfig.appSettings of the app", () =>
        assertViolation(check(func09NoSecretsInSettings, "webApp", withSettings([{ name: "COSMOS_KEY", value: "AccountEndpoint=https://c.documents.azure.com:443/;AccountKey=a2V5" }])), func09NoSecretsInSettings, /siteConfig app setting "COSMOS_KEY" holds a storage account key/));
    it("fails a password in siteConfig.connectionStrings", () =>
        assertViolation(check(func09NoSecretsInSettings, "webApp", app((a) => (sc(a).connectionStrings = [{ name: "db", connectionString: "Server=x;User Id=u;Password=p", type: "SQLAzure" }]))), func09NoSecretsInSettings, /connection string "db" holds a password/));
    it("fails a key in web.WebAppConnectionStrings", () =>
        assertViolation(check(func09NoSecretsInSettings, "webAppConnectionStrings", { resourceGroupName: RG("prod"), name: APP_NAME("prod"), properties: { cosmos: { value: "AccountEndpoint=https://c/;AccountKey=a2V5", type: "Custom" } } }), func09NoSecretsInSettings, /connection string "cosmos" holds a storage account key/));
    it("waits for an unknown value of a setting that does not name an identifier", () =>
        assertCannotRun(check(func09NoSecretsInSettings, "webAppSettings", settings((s) => (s["TelemetryEventHub"] = UNKNOWN))), /TelemetryEventHub/));
    it("waits for an unknown connection string", () =>
        assertCannotRun(check(func09NoSecretsInSettings, "webAppConnectionStrings", { resourceGroupName: RG("prod"), name: APP_NAME("prod"), properties: { cosmos: { value: UNKNOWN, type: "Custom" } } }), /value/));
});

describe("FUNC-10 Flex deployment storage read by identity", () => {
    type Auth = NonNullable<NonNullable<NonNullable<NonNullable<App["functionAppConfig"]>["deployment"]>["storage"]>["authentication"]>;
    const auth = (a: App): Auth => a.functionAppConfig!.deployment!.storage!.authentication!;
    it("passes a user-assigned identity of the app", () => assertPasses(check(func10DeploymentStorageIdentity, "webApp", app())));
    it("passes the system-assigned identity when the app has one", () =>
        assertPasses(check(func10DeploymentStorageIdentity, "webApp", app((a) => {
            a.identity = { type: "SystemAssigned, UserAssigned", userAssignedIdentities: a.identity!.userAssignedIdentities };
            a.functionAppConfig!.deployment!.storage!.authentication = { type: "SystemAssignedIdentity" };
        }))));
    it("does not apply to an app without functionAppConfig", () => assertPasses(check(func10DeploymentStorageIdentity, "webApp", app((a) => delete a.functionAppConfig))));
    it("fails the storage connection string", () =>
        assertViolation(check(func10DeploymentStorageIdentity, "webApp", app((a) => (a.functionAppConfig!.deployment!.storage!.authentication = { type: "StorageAccountConnectionString", storageAccountConnectionStringName: "DEPLOYMENT_STORAGE_CONNECTION_STRING" }))), func10DeploymentStorageIdentity, /authentication\.type is "StorageAccountConnectionString"; it must be "UserAssignedIdentity" or "SystemAssignedIdentity"/));
    it("fails an absent authentication (the connection string default)", () =>
        assertViolation(check(func10DeploymentStorageIdentity, "webApp", app((a) => delete a.functionAppConfig!.deployment!.storage!.authentication)), func10DeploymentStorageIdentity, /authentication\.type is absent \(connection string\)/));
    it("fails UserAssignedIdentity without the identity's id", () =>
        assertViolation(check(func10DeploymentStorageIdentity, "webApp", app((a) => delete auth(a).userAssignedIdentityResourceId)), func10DeploymentStorageIdentity, /userAssignedIdentityResourceId is absent/));
    it("fails an identity the app does not have", () =>
        assertViolation(check(func10DeploymentStorageIdentity, "webApp", app((a) => (auth(a).userAssignedIdentityResourceId = "/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other"))), func10DeploymentStorageIdentity, /is not one of the app's identities/));
    it("compares identity ids case-insensitively", () =>
        assertPasses(check(func10DeploymentStorageIdentity, "webApp", app((a) => (auth(a).userAssignedIdentityResourceId = auth(a).userAssignedIdentityResourceId!.toUpperCase())))));
    it("fails SystemAssignedIdentity when the app has only a user-assigned identity", () =>
        assertViolation(check(func10DeploymentStorageIdentity, "webApp", app((a) => (a.functionAppConfig!.deployment!.storage!.authentication = { type: "SystemAssignedIdentity" }))), func10DeploymentStorageIdentity, /the app has no system-assigned identity/));
    it("fails a connection-string setting name next to an identity type", () =>
        assertSomeViolation(check(func10DeploymentStorageIdentity, "webApp", app((a) => (auth(a).storageAccountConnectionStringName = "DEPLOYMENT_STORAGE_CONNECTION_STRING"))), func10DeploymentStorageIdentity, /storageAccountConnectionStringName is set/));
    it("waits at preview for an unknown authentication type", () =>
        assertCannotRun(check(func10DeploymentStorageIdentity, "webApp", app((a) => (auth(a).type = unknown()))), /type/));
});

describe("FUNC-11 HTTP apps behind App Service authentication (stack)", () => {
    type Api = ReturnType<typeof apiFunctionAppArgs>;
    type Auth = ReturnType<typeof apiAuthSettingsArgs>;
    const aad = (a: Auth) => a.identityProviders!.azureActiveDirectory!;
    function stack(o: { api?: (a: Api) => void; auth?: ((a: Auth) => void) | null; ingest?: (a: App) => void; deps?: boolean } = {}): StackInput[] {
        const out: StackInput[] = [
            { type: T.webApp[0], name: "ingest-app", props: app(o.ingest) },
            { type: T.webApp[0], name: "api-app", props: mutate(apiFunctionAppArgs("prod"), o.api ?? (() => {})) },
        ];
        if (o.auth !== null) out.push({ type: T.webAppAuthSettingsV2[0], name: "api-auth", props: mutate(apiAuthSettingsArgs("prod"), o.auth ?? (() => {})), propertyDependencies: o.deps === false ? {} : { name: ["api-app"] } });
        return out;
    }
    it("passes an API behind authentication and an event-driven app with its main site closed", () => assertPasses(checkStack(func11HttpAppsGuarded, stack())));
    it("passes the whole prod and dev stacks at preview (the registration's ids unknown, followed through the dependency)", () => {
        assertPasses(checkStack(func11HttpAppsGuarded, stackResources("prod", true)));
        assertPasses(checkStack(func11HttpAppsGuarded, apiHosting("dev", true)));
    });
    it("links the settings by the app's known name without a dependency", () => assertPasses(checkStack(func11HttpAppsGuarded, stack({ deps: false }))));
    it("passes an issuer of an allowed tenant", () => assertPasses(checkStack(func11HttpAppsGuarded, stack(), { allowedTenantIds: [TENANT_ID.toUpperCase()] })));
    it("fails an app that does not declare its HTTP functions", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ ingest: (a) => delete (a.tags as Record<string, string>).httpFunctions })), func11HttpAppsGuarded, /app 'ingest-app' does not declare whether it serves HTTP functions \(tag httpFunctions is absent\)/));
    it("fails a tag that is neither true nor false", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ ingest: (a) => ((a.tags as Record<string, string>).httpFunctions = "maybe") })), func11HttpAppsGuarded, /tag httpFunctions is "maybe"/));
    it("fails an app without HTTP functions whose main site answers", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ ingest: (a) => (sc(a).ipSecurityRestrictionsDefaultAction = "Allow") })), func11HttpAppsGuarded, /tagged httpFunctions "false" but its main site answers \(siteConfig\.ipSecurityRestrictionsDefaultAction "Allow"\)/));
    it("fails an app without HTTP functions and no default action (Allow)", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ ingest: (a) => delete sc(a).ipSecurityRestrictionsDefaultAction })), func11HttpAppsGuarded, /ipSecurityRestrictionsDefaultAction absent, Allow/));
    it("fails an app without HTTP functions that allows some callers in", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ ingest: (a) => (sc(a).ipSecurityRestrictions = [{ name: "office", ipAddress: "198.51.100.0/24", action: "Allow", priority: 100 }]) })), func11HttpAppsGuarded, /main site has the Allow rule "office"/));
    it("fails an HTTP app without App Service authentication", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: null })), func11HttpAppsGuarded, /app 'api-app' serves HTTP functions \(tag httpFunctions "true"\) but has no App Service authentication/));
    it("fails authentication settings of another app", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (a.name = "func-other"), deps: false })), func11HttpAppsGuarded, /has no App Service authentication/));
    it("fails the feature turned off", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (a.platform = { enabled: false }) })), func11HttpAppsGuarded, /platform\.enabled is false; it must be true/));
    it("fails anonymous access", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (a.globalValidation!.requireAuthentication = false) })), func11HttpAppsGuarded, /globalValidation\.requireAuthentication is false; it must be true/));
    it("fails a redirect to a login page (an API answers 401)", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (a.globalValidation!.unauthenticatedClientAction = "RedirectToLoginPage") })), func11HttpAppsGuarded, /unauthenticatedClientAction is "RedirectToLoginPage"; it must be "Return401"/));
    it("fails a disabled Microsoft provider", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (aad(a).enabled = false) })), func11HttpAppsGuarded, /azureActiveDirectory\.enabled is false; the Microsoft provider must be enabled/));
    it("fails a multi-tenant issuer", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (aad(a).registration!.openIdIssuer = "https://login.microsoftonline.com/common/v2.0") })), func11HttpAppsGuarded, /openIdIssuer is "https:\/\/login\.microsoftonline\.com\/common\/v2\.0"; it must be .* of a single tenant/));
    it("fails a v1 issuer", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (aad(a).registration!.openIdIssuer = `https://sts.windows.net/${TENANT_ID}/`) })), func11HttpAppsGuarded, /openIdIssuer is "https:\/\/sts\.windows\.net\//));
    it("fails an issuer of a tenant the stack does not allow", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack(), { allowedTenantIds: ["00000000-0000-0000-0000-000000000001"] }), func11HttpAppsGuarded, /of one of 00000000-0000-0000-0000-000000000001/));
    it("fails no allowed audiences", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (aad(a).validation!.allowedAudiences = []) })), func11HttpAppsGuarded, /allowedAudiences is \[\]; list the API's audiences/));
    it("fails a wildcard audience", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (aad(a).validation!.allowedAudiences = ["*"]) })), func11HttpAppsGuarded, /allowed audience "\*" is empty or a wildcard/));
    it("fails HTTP allowed for authentication responses", () =>
        assertViolation(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (a.httpSettings = { requireHttps: false }) })), func11HttpAppsGuarded, /httpSettings\.requireHttps is false/));
    it("waits for an unknown tag", () => assertCannotRun(checkStack(func11HttpAppsGuarded, stack({ ingest: (a) => (a.tags = unknown()) })), /tags/));
    it("waits for an unknown issuer", () => assertCannotRun(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (aad(a).registration!.openIdIssuer = unknown()) })), /openIdIssuer/));
    it("waits for unknown audiences that do not come from a registration", () =>
        assertCannotRun(checkStack(func11HttpAppsGuarded, stack({ auth: (a) => (aad(a).validation!.allowedAudiences = unknown()) })), /allowedAudiences/));
    it("the fixture app is the API's", () => assertPasses(check(func01HttpsOnly, "webApp", { ...apiFunctionAppArgs("prod"), name: API_APP_NAME("prod") })));
});
