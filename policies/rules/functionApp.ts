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
import type { WebAppArgs } from "@pulumi/azure-native/web";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule, stackRule } from "../lib/define";
import { StackGraph, armIdNames, armNames } from "../lib/graph";
import { isKind, type TokenKind } from "../lib/tokens";
import { isSetAt, knownElements, needValue, peek, Pending, showAt } from "../lib/unknowns";
import { arr, bool, eqi, isObj, isTrue, lower, num, obj, show, str, strings } from "../lib/values";

export type WebAppProps = Unwrap<WebAppArgs>;
type SiteConfig = NonNullable<WebAppProps["siteConfig"]>;

function tlsAtLeast12(v: unknown): boolean {
    const n = num(v);
    return n !== undefined && n >= 1.2;
}

export const func01HttpsOnly = resourceRule({
    id: "FUNC-01",
    name: "func-01-app-https-only",
    description:
        "Function and web apps must accept HTTPS only (httpsOnly = true; plain HTTP requests are redirected). Absent is false (Azure Policy \"Function apps should only be accessible over HTTPS\", 6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab, flags absent and false).",
    remediationSteps: "Set httpsOnly: true on the web.WebApp.",
    severity: "high",
    anchors: "AP \"Function apps should only be accessible over HTTPS\" (6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const v = (props as WebAppProps).httpsOnly;
        if (!isTrue(v)) report(`httpsOnly is ${show(v)}${v === undefined ? " (false)" : ""}; it must be true.`);
    },
});

export const func02MinTls = resourceRule({
    id: "FUNC-02",
    name: "func-02-app-min-tls-12",
    description:
        "Function and web apps must require TLS 1.2 or later on the app (siteConfig.minTlsVersion) and on its SCM (deployment) site (siteConfig.scmMinTlsVersion), stated in the program: siteConfig is not returned by reads, so an absent value is whatever the platform default of the day is (Azure Policy \"Function apps should use the latest TLS version\", f9d614c5-c173-4d56-95a7-b4437057d193, requires 1.2 or later).",
    remediationSteps: "Set siteConfig.minTlsVersion: \"1.2\" and siteConfig.scmMinTlsVersion: \"1.2\" (or \"1.3\").",
    severity: "high",
    anchors: "AP \"Function apps should use the latest TLS version\" (f9d614c5-c173-4d56-95a7-b4437057d193)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const sc = obj((props as WebAppProps).siteConfig);
        for (const key of ["minTlsVersion", "scmMinTlsVersion"] as const) {
            const v = sc[key];
            if (!tlsAtLeast12(v)) report(`siteConfig.${key} is ${show(v)}; it must be "1.2" or later${key === "scmMinTlsVersion" ? " (the SCM site receives deployments)" : ""}.`);
        }
    },
});

export const func03FtpDisabled = resourceRule({
    id: "FUNC-03",
    name: "func-03-app-ftp-disabled",
    description:
        "Function and web apps must turn FTP and FTPS off (siteConfig.ftpsState = \"Disabled\"): deployments go through the SCM site with Entra ID, never FTP. Absent is the platform default, which allows FTP. Stricter than Azure Policy \"Function apps should require FTPS only\" (399b2637-a50f-4f95-96f8-3a145476eb15), which also accepts FtpsOnly.",
    remediationSteps: "Set siteConfig.ftpsState: \"Disabled\".",
    severity: "medium",
    anchors: "AP \"Function apps should require FTPS only\" (399b2637-a50f-4f95-96f8-3a145476eb15)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const v = obj((props as WebAppProps).siteConfig).ftpsState;
        if (!eqi(v, "Disabled")) report(`siteConfig.ftpsState is ${show(v)}${v === undefined ? " (platform default, FTP allowed)" : ""}; it must be "Disabled".`);
    },
});

export const func04ManagedIdentity = resourceRule({
    id: "FUNC-04",
    name: "func-04-app-managed-identity",
    description:
        "Function and web apps must have a managed identity (identity.type UserAssigned, preferred, or SystemAssigned), which they use for Event Hubs, Cosmos DB, storage and Application Insights instead of keys; a UserAssigned type needs at least one identity (Azure Policy \"Function apps should use managed identity\", 0da106f2-4ca3-48e8-bc85-c638fe6aea8f).",
    remediationSteps: "Set identity: { type: \"UserAssigned\", userAssignedIdentities: [<identity id>] } and grant that identity its data-plane roles.",
    severity: "medium",
    anchors: "AP \"Function apps should use managed identity\" (0da106f2-4ca3-48e8-bc85-c638fe6aea8f)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const identity = obj((props as WebAppProps).identity);
        const type = lower(identity.type) ?? "";
        const user = type.includes("userassigned");
        if (!user && !type.includes("systemassigned")) {
            report(`identity.type is ${show(identity.type)}; the app needs a UserAssigned (preferred) or SystemAssigned identity.`);
            return;
        }
        if (user) {
            const ids = peek(identity, "userAssignedIdentities");
            if (!ids.known) return;
            const v: unknown = ids.value;
            const count = Array.isArray(v) ? v.length : isObj(v) ? Object.keys(v).length : 0;
            if (count === 0) report("identity.type is UserAssigned but identity.userAssignedIdentities is empty.");
        }
    },
});

/** The publishing-credential policy resources of an app (their `name` input is the app's name). */
function credentialPolicies(graph: StackGraph, app: ReturnType<StackGraph["of"]>[number], kind: TokenKind) {
    const names = armNames(app, "webApp");
    return graph.of(kind).filter((p) => {
        if (graph.refersTo(p, "name", app, "webApp")) return true;
        const v = peek(p.props, "name");
        const n = v.known ? lower(v.value) : undefined;
        return n !== undefined && armIdNames(n, "webApp", names);
    });
}

export const func05BasicPublishingCredentials = stackRule({
    id: "FUNC-05",
    name: "func-05-app-basic-publishing-credentials-off",
    description:
        "Every function or web app must have basic (user name and password) publishing credentials turned off for both FTP and the SCM site: the program declares web.WebAppFtpAllowed and web.WebAppScmAllowed (the app's basicPublishingCredentialsPolicies \"ftp\" and \"scm\") with allow false for it, linked through their name input. Without them the platform default allows basic authentication (Azure Policy \"App Service apps should have local authentication methods disabled for FTP deployments\", 871b205b-57cf-4e1e-a234-492616998bf7, and \"... for SCM site deployments\", aede300b-d67f-480a-ae26-4b3dfb1a1fdc).",
    remediationSteps:
        "For each app add new web.WebAppFtpAllowed(\"<app>-ftp\", { resourceGroupName, name: app.name, allow: false }) and new web.WebAppScmAllowed(\"<app>-scm\", { resourceGroupName, name: app.name, allow: false }); deploy with Entra ID (OneDeploy, az functionapp deploy).",
    severity: "high",
    anchors: "AP \"App Service apps should have local authentication methods disabled for FTP deployments\" (871b205b-57cf-4e1e-a234-492616998bf7); AP \"... for SCM site deployments\" (aede300b-d67f-480a-ae26-4b3dfb1a1fdc)",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const pending: Array<() => unknown> = [];
        for (const app of graph.of("webApp")) {
            for (const [kind, what] of [["webAppFtpAllowed", "FTP (web.WebAppFtpAllowed)"], ["webAppScmAllowed", "SCM (web.WebAppScmAllowed)"]] as const) {
                const policies = credentialPolicies(graph, app, kind);
                if (policies.length === 0) {
                    report(`app '${String(app.name)}' has no ${what} policy with allow false: basic publishing credentials stay enabled by default.`, app.urn);
                    continue;
                }
                for (const p of policies) {
                    const allow = peek(p.props, "allow");
                    if (!allow.known) pending.push(() => needValue(p.props, "allow"));
                    else if (bool(allow.value) !== false) report(`app '${String(app.name)}': ${what} '${String(p.name)}' has allow ${show(allow.value)}; it must be false.`, app.urn);
                }
            }
        }
        for (const p of pending) p();
    },
});

export const func06RemoteDebugging = resourceRule({
    id: "FUNC-06",
    name: "func-06-app-remote-debugging-off",
    description:
        "Function and web apps must not enable remote debugging (siteConfig.remoteDebuggingEnabled true opens debugger ports on the app). Absent passes: the platform default is off (Azure Policy \"Function apps should have remote debugging turned off\", 0e60b895-3786-45da-8377-9c6b4b6ac5f9).",
    remediationSteps: "Remove siteConfig.remoteDebuggingEnabled or set it to false.",
    severity: "medium",
    anchors: "AP \"Function apps should have remote debugging turned off\" (0e60b895-3786-45da-8377-9c6b4b6ac5f9)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const v = obj((props as WebAppProps).siteConfig).remoteDebuggingEnabled;
        if (v !== undefined && v !== null && bool(v) !== false) report(`siteConfig.remoteDebuggingEnabled is ${show(v)}; remote debugging must stay off.`);
    },
});

/** The tag an app declares its HTTP functions with (components/flexFunctionApp.ts HTTP_FUNCTIONS_TAG). */
export const HTTP_FUNCTIONS_TAG = "httpFunctions";

/** The app's httpFunctions tag: "true", "false", another string, undefined (absent) or null (unknown at preview). */
export function httpFunctionsTag(props: unknown): string | undefined | null {
    const tags = peek(props, "tags");
    if (!tags.known) return null;
    if (!isObj(tags.value)) return undefined;
    const v = peek(tags.value, HTTP_FUNCTIONS_TAG);
    if (!v.known) return null;
    const s = lower(v.value);
    return s === undefined ? undefined : s.trim();
}

export const func07PublicNetworkAccess = resourceRule<{ requireDisabled: boolean }>({
    id: "FUNC-07",
    name: "func-07-app-public-network-access",
    description:
        "Function apps must disable public network access (publicNetworkAccess = \"Disabled\", which closes the app and its SCM site to the internet; absent is Enabled) when the stack's policy config says so (requireDisabled): an Event Hubs-triggered function needs no inbound traffic, but a deployment from a runner outside the virtual network needs the SCM site, so development stacks report this as advice (Azure Policy \"Function apps should disable public network access\", 969ac98b-88a8-449f-883c-2e9adb123127). An app tagged httpFunctions \"true\" serves a public API (the mobile app calls it over the internet) and is exempt: FUNC-11 requires App Service authentication in front of it instead.",
    remediationSteps:
        "Set publicNetworkAccess: \"Disabled\" and deploy from inside the virtual network (a private endpoint for the app, groupId \"sites\", and a self-hosted runner), or set requireDisabled: false for a stack deployed from the internet.",
    severity: "medium",
    anchors: "AP \"Function apps should disable public network access\" (969ac98b-88a8-449f-883c-2e9adb123127)",
    kinds: ["webApp"],
    config: {
        requireDisabled: {
            type: "boolean",
            default: true,
            description: "Require publicNetworkAccess \"Disabled\" on apps.",
        },
    },
    validate(props, { config, report }) {
        if (!config.requireDisabled) return;
        if (httpFunctionsTag(props) === "true") return; // a public API: FUNC-11 guards it
        const v = (props as WebAppProps).publicNetworkAccess;
        if (!eqi(v, "Disabled")) report(`publicNetworkAccess is ${show(v)}${v === undefined || v === "" ? " (Enabled)" : ""}; the stack requires "Disabled".`);
    },
});

export const func08VnetIntegration = resourceRule<{ required: boolean }>({
    id: "FUNC-08",
    name: "func-08-app-vnet-integration",
    description:
        "Function apps must be integrated with the platform's virtual network (virtualNetworkSubnetId set) when the stack's policy config requires it, so their outbound calls to Event Hubs, Cosmos DB and storage use the private endpoints (a value unknown at preview, computed from the subnet, is set). Flex Consumption supports regional virtual network integration on a subnet delegated to it (MicrosoftDocs/azure-docs articles/azure-functions/flex-consumption-how-to.md).",
    remediationSteps: "Set virtualNetworkSubnetId to a subnet delegated to Microsoft.App/environments (Flex Consumption) that no private endpoint or service endpoint uses.",
    severity: "medium",
    anchors: "MS Flex Consumption virtual network integration; AP \"Function apps should enable outbound application traffic routing to Azure Virtual Network\" (32a913ec-5ed7-4b31-a5b0-198450d8fb13) analogue",
    kinds: ["webApp"],
    config: {
        required: {
            type: "boolean",
            default: true,
            description: "Require virtual network integration (virtualNetworkSubnetId).",
        },
    },
    validate(props, { config, report }) {
        if (!config.required) return;
        if (!isSetAt(props, "virtualNetworkSubnetId")) report("virtualNetworkSubnetId is absent: the app is not integrated with a virtual network, so it cannot reach private endpoints.");
    },
});

const KEY_MATERIAL: Array<[RegExp, string]> = [
    [/AccountKey\s*=\s*[^;\s]+/i, "a storage account key"],
    [/SharedAccessKey\s*=\s*[^;\s]+/i, "a shared access key"],
    [/SharedAccessSignature\s*=|[?&]sig=[^&\s]+/i, "a SAS token"],
    [/(^|;)\s*(Password|Pwd)\s*=\s*[^;\s]+/i, "a password"],
];

/**
 * Setting names whose values are identifiers, never secrets, and are often unknown at preview (an
 * identity's client id, an endpoint built from another resource): they are not waited for. The
 * identity-based connection suffixes are the Functions host's (`<prefix>__clientId`,
 * `__credential`, `__fullyQualifiedNamespace`, `__accountName`, `__<service>ServiceUri`).
 */
const IDENTIFIER_SETTING = /(^|_)CLIENT_?ID$|__clientId$|__credential$|__fullyQualifiedNamespace$|__accountName$|__(blob|queue|table)?ServiceUri$|_ENDPOINT$|_URI$|_NAME$|_DATABASE$|_CONTAINER$|^APPLICATIONINSIGHTS_CONNECTION_STRING$|^APPLICATIONINSIGHTS_AUTHENTICATION_STRING$/i;

interface Setting {
    name: string;
    container: unknown;
    key: string | number;
}

function appSettingsOf(props: Record<string, unknown>, type: string): { settings: Setting[]; connectionStrings: Setting[]; where: string } {
    if (isKind(type, "webAppSettings")) {
        const p = obj(props["properties"] as Record<string, unknown> | undefined);
        return { settings: Object.keys(p).map((name) => ({ name, container: p, key: name })), connectionStrings: [], where: "properties" };
    }
    if (isKind(type, "webAppConnectionStrings")) {
        const p = obj(props["properties"] as Record<string, unknown> | undefined);
        const connectionStrings = Object.keys(p).map((name) => {
            const e = p[name];
            return isObj(e) ? { name, container: e, key: "value" } : { name, container: p, key: name };
        });
        return { settings: [], connectionStrings, where: "properties" };
    }
    const sc = obj((props as WebAppProps).siteConfig) as Partial<SiteConfig>;
    const settings: Setting[] = [];
    for (const { value } of knownElements(arr<unknown>(sc.appSettings))) {
        if (isObj(value)) settings.push({ name: str(value["name"]) ?? "", container: value, key: "value" });
    }
    const connectionStrings: Setting[] = [];
    for (const { value } of knownElements(arr<unknown>(sc.connectionStrings))) {
        if (isObj(value)) connectionStrings.push({ name: str(value["name"]) ?? "", container: value, key: "connectionString" });
    }
    return { settings, connectionStrings, where: "siteConfig" };
}

export const func09NoSecretsInSettings = resourceRule({
    id: "FUNC-09",
    name: "func-09-app-settings-no-keys",
    description:
        "App settings and connection strings of function and web apps (siteConfig.appSettings / connectionStrings, web.WebAppApplicationSettings, web.WebAppConnectionStrings) must carry no credentials: no AccountKey=, SharedAccessKey=, SAS token or password; AzureWebJobsStorage is not a connection string (use AzureWebJobsStorage__accountName with the identity); no APPINSIGHTS_INSTRUMENTATIONKEY, and an Application Insights connection string (InstrumentationKey=) only with APPLICATIONINSIGHTS_AUTHENTICATION_STRING \"Authorization=AAD;...\". A value unknown at preview is waited for, except for settings that name identifiers (client ids, endpoints, __fullyQualifiedNamespace, __accountName).",
    remediationSteps:
        "Replace key-based settings with identity-based connections: <prefix>__fullyQualifiedNamespace, <prefix>__credential = managedidentity and <prefix>__clientId for Event Hubs; AzureWebJobsStorage__accountName (or __blobServiceUri/__queueServiceUri/__tableServiceUri) for host storage; APPLICATIONINSIGHTS_AUTHENTICATION_STRING = Authorization=AAD;ClientId=<client id>.",
    severity: "high",
    anchors: "beyond (MCSB IM-3); MS Functions identity-based connections",
    kinds: ["webApp", "webAppSettings", "webAppConnectionStrings"],
    validate(props, { args, report }) {
        const { settings, connectionStrings, where } = appSettingsOf(props, String(args.type));
        const pending: Array<() => unknown> = [];
        const known = new Map<string, string | undefined>();
        for (const s of settings) {
            const v = peek(s.container, s.key);
            if (!v.known) {
                known.set(s.name.toLowerCase(), undefined);
                if (!IDENTIFIER_SETTING.test(s.name)) pending.push(() => needValue(s.container, s.key));
                continue;
            }
            const text = str(v.value);
            known.set(s.name.toLowerCase(), text ?? "");
            if (text === undefined) continue;
            const setting = `${where} app setting ${show(s.name)}`;
            if (eqi(s.name, "AzureWebJobsStorage")) {
                if (text.trim() !== "") report(`${setting} is a connection string (key-based host storage); remove it and set AzureWebJobsStorage__accountName so the host uses its identity.`);
                continue;
            }
            if (eqi(s.name, "APPINSIGHTS_INSTRUMENTATIONKEY")) {
                report(`${setting} sends telemetry with the instrumentation key; use APPLICATIONINSIGHTS_CONNECTION_STRING with Entra ID authentication.`);
                continue;
            }
            for (const [re, what] of KEY_MATERIAL) if (re.test(text)) report(`${setting} holds ${what}; use an identity-based connection.`);
        }
        const aiConnection = [...known.entries()].some(([name, value]) => name === "applicationinsights_connection_string" || (value !== undefined && /InstrumentationKey\s*=/i.test(value)));
        if (aiConnection) {
            const hasAuth = known.has("applicationinsights_authentication_string");
            const auth = known.get("applicationinsights_authentication_string");
            if (!hasAuth) report(`${where} sends Application Insights telemetry with the instrumentation key only; add APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "Authorization=AAD;ClientId=<client id>" (AI-01 refuses key-based ingestion).`);
            else if (auth !== undefined && !/Authorization\s*=\s*AAD/i.test(auth)) report(`${where} app setting "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" is ${show(auth)}; it must start with "Authorization=AAD".`);
        }
        for (const c of connectionStrings) {
            const v = peek(c.container, c.key);
            if (!v.known) {
                pending.push(() => needValue(c.container, c.key));
                continue;
            }
            const text = str(v.value) ?? "";
            for (const [re, what] of KEY_MATERIAL) if (re.test(text)) report(`${where} connection string ${show(c.name)} holds ${what}; use an identity-based connection.`);
        }
        for (const p of pending) p();
    },
});

const IDENTITY_AUTH = ["systemassignedidentity", "userassignedidentity"];

export const func10DeploymentStorageIdentity = resourceRule({
    id: "FUNC-10",
    name: "func-10-flex-deployment-storage-identity",
    description:
        "A Flex Consumption app (functionAppConfig set) must read its deployment package from the blob container with a managed identity: functionAppConfig.deployment.storage.authentication.type \"UserAssignedIdentity\" (with userAssignedIdentityResourceId, one of the app's identities) or \"SystemAssignedIdentity\", never \"StorageAccountConnectionString\" (absent authentication means the connection string in DEPLOYMENT_STORAGE_CONNECTION_STRING). The identity needs Storage Blob Data Contributor on the account (MicrosoftDocs/azure-docs articles/azure-functions/flex-consumption-how-to.md, \"Configure deployment settings\"), which is what lets the account turn shared keys off (STG-01).",
    remediationSteps:
        "Set functionAppConfig.deployment.storage = { type: \"blobContainer\", value: \"https://<account>.blob.core.windows.net/<container>\", authentication: { type: \"UserAssignedIdentity\", userAssignedIdentityResourceId: <identity id> } } and grant the identity Storage Blob Data Contributor on the account.",
    severity: "high",
    anchors: "MS Flex Consumption deployment settings (no built-in policy)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const fac = peek(props, "functionAppConfig");
        if (!fac.known || fac.value === undefined || fac.value === null) return; // not a Flex Consumption app (or decided at up)
        const storage = obj(obj(obj((props as WebAppProps).functionAppConfig).deployment).storage);
        const auth = obj(storage.authentication);
        const type = lower(auth.type);
        if (type === undefined || !IDENTITY_AUTH.includes(type)) {
            report(`functionAppConfig.deployment.storage.authentication.type is ${show(auth.type)}${auth.type === undefined ? " (connection string)" : ""}; it must be "UserAssignedIdentity" or "SystemAssignedIdentity".`);
            return;
        }
        if (isSetAt(auth, "storageAccountConnectionStringName")) {
            report(`functionAppConfig.deployment.storage.authentication.storageAccountConnectionStringName is set (${showAt(auth, "storageAccountConnectionStringName")}); it belongs to connection-string authentication only.`);
        }
        if (type === "userassignedidentity") {
            if (!isSetAt(auth, "userAssignedIdentityResourceId")) {
                report("functionAppConfig.deployment.storage.authentication.type is UserAssignedIdentity but userAssignedIdentityResourceId is absent.");
                return;
            }
            const id = peek(auth, "userAssignedIdentityResourceId");
            const ids = peek(obj((props as WebAppProps).identity), "userAssignedIdentities");
            if (!id.known || !ids.known) return;
            const own = (Array.isArray(ids.value) ? strings(ids.value) : isObj(ids.value) ? Object.keys(ids.value) : []).map((s) => s.toLowerCase());
            const want = lower(id.value);
            if (want !== undefined && own.length > 0 && !own.includes(want)) {
                report(`functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId ${show(id.value)} is not one of the app's identities (identity.userAssignedIdentities).`);
            }
        } else if (!(lower(obj((props as WebAppProps).identity).type) ?? "").includes("systemassigned")) {
            report("functionAppConfig.deployment.storage.authentication.type is SystemAssignedIdentity but the app has no system-assigned identity (identity.type).");
        }
    },
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `https://login.microsoftonline.com/<tenant>/v2.0` (a specific tenant, not common/organizations/consumers). */
const TENANT_ISSUER = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0\/?$/i;

export const func11HttpAppsGuarded = stackRule<{ allowedTenantIds: string[] }>({
    id: "FUNC-11",
    name: "func-11-http-apps-behind-app-service-authentication",
    description:
        "Every function app must declare whether it serves HTTP functions (tag httpFunctions \"true\" or \"false\"), and one that does must have App Service authentication in front of it. An HTTP app must have App Service authentication (web.WebAppAuthSettingsV2, linked through its name input) in front: platform enabled, globalValidation.requireAuthentication true with unauthenticatedClientAction \"Return401\", the Microsoft provider enabled with an issuer https://login.microsoftonline.com/<tenant>/v2.0 of a single tenant (of allowedTenantIds when configured), allowed audiences set (no wildcard) and HTTPS required. An app without HTTP functions must refuse every request on its main site (siteConfig.ipSecurityRestrictionsDefaultAction \"Deny\", no Allow rule), so a mislabelled app cannot serve unguarded functions (MicrosoftDocs/azure-docs articles/app-service/configure-authentication-provider-aad.md).",
    remediationSteps:
        "For an HTTP API: tag the app httpFunctions: \"true\" and add new web.WebAppAuthSettingsV2(\"auth\", { name: app.name, resourceGroupName, platform: { enabled: true }, globalValidation: { requireAuthentication: true, unauthenticatedClientAction: \"Return401\" }, identityProviders: { azureActiveDirectory: { enabled: true, registration: { clientId, openIdIssuer: \"https://login.microsoftonline.com/<tenant>/v2.0\" }, validation: { allowedAudiences: [\"api://<clientId>\", clientId] } } } }). For an app without HTTP functions: tag it httpFunctions: \"false\" and set siteConfig.ipSecurityRestrictionsDefaultAction: \"Deny\".",
    severity: "high",
    anchors: "MS App Service authentication (configure-authentication-provider-aad.md); AP \"Function apps should have authentication enabled\" (c75248c1-ea1d-4a9c-8fc9-29a6aabd5da8), stricter",
    config: {
        allowedTenantIds: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Tenant ids an HTTP app's issuer may name; empty accepts any single tenant (never common, organizations or consumers).",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        const tenants = config.allowedTenantIds.map((t) => t.toLowerCase());
        for (const app of graph.of("webApp")) {
            const who = `app '${String(app.name)}'`;
            const tag = httpFunctionsTag(app.props);
            if (tag === null) {
                pending.add(app.props, "tags");
                continue;
            }
            if (tag !== "true" && tag !== "false") {
                report(`${who} does not declare whether it serves HTTP functions (tag ${HTTP_FUNCTIONS_TAG} is ${tag === undefined ? "absent" : show(tag)}): tag it "true" (App Service authentication in front) or "false" (main site closed).`, app.urn);
                continue;
            }
            if (tag === "false") {
                const sc = peek(app.props, "siteConfig");
                if (!sc.known) {
                    pending.add(app.props, "siteConfig");
                    continue;
                }
                const action = peek(sc.value, "ipSecurityRestrictionsDefaultAction");
                if (!action.known) pending.add(sc.value, "ipSecurityRestrictionsDefaultAction");
                else if (!eqi(action.value, "Deny")) report(`${who} is tagged ${HTTP_FUNCTIONS_TAG} "false" but its main site answers (siteConfig.ipSecurityRestrictionsDefaultAction ${show(action.value)}${action.value === undefined ? ", Allow" : ""}); set "Deny".`, app.urn);
                for (const { value } of knownElements(arr<unknown>(obj(sc.value as SiteConfig).ipSecurityRestrictions))) {
                    if (isObj(value) && eqi(value["action"], "Allow")) report(`${who} is tagged ${HTTP_FUNCTIONS_TAG} "false" but its main site has the Allow rule ${show(value["name"] ?? value["ipAddress"])}.`, app.urn);
                }
                continue;
            }
            const guards = graph.of("webAppAuthSettingsV2").filter((a) => {
                if (graph.refersTo(a, "name", app, "webApp")) return true;
                const n = peek(a.props, "name");
                const names = armNames(app, "webApp");
                return n.known && names.includes(lower(n.value) ?? "");
            });
            if (guards.length === 0) {
                report(`${who} serves HTTP functions (tag ${HTTP_FUNCTIONS_TAG} "true") but has no App Service authentication (web.WebAppAuthSettingsV2) in front of it.`, app.urn);
                continue;
            }
            for (const g of guards) {
                const where = `${who}: App Service authentication '${String(g.name)}'`;
                const field = (container: unknown, path: string[]): { known: boolean; value: unknown; at?: { c: unknown; k: string } } => {
                    let cur: unknown = container;
                    for (const k of path) {
                        const p = peek(cur, k);
                        if (!p.known) return { known: false, value: undefined, at: { c: cur, k } };
                        cur = p.value;
                        if (cur === undefined || cur === null) return { known: true, value: undefined };
                    }
                    return { known: true, value: cur };
                };
                const expect = (path: string[], ok: (v: unknown) => boolean, problem: (v: unknown) => string) => {
                    const f = field(g.props, path);
                    if (!f.known) {
                        if (f.at) pending.add(f.at.c, f.at.k);
                        return;
                    }
                    if (!ok(f.value)) report(`${where}: ${path.join(".")} is ${show(f.value)}; ${problem(f.value)}.`, app.urn);
                };
                expect(["platform", "enabled"], (v) => bool(v) === true, () => "it must be true (the feature is off otherwise)");
                expect(["globalValidation", "requireAuthentication"], (v) => bool(v) === true, () => "it must be true: every request needs a token");
                expect(["globalValidation", "unauthenticatedClientAction"], (v) => eqi(v, "Return401"), () => 'it must be "Return401" (an API answers 401, it redirects nowhere)');
                expect(["httpSettings", "requireHttps"], (v) => v === undefined || bool(v) !== false, () => "it must not be false");
                const aad = ["identityProviders", "azureActiveDirectory"];
                expect([...aad, "enabled"], (v) => v === undefined || bool(v) !== false, () => "the Microsoft provider must be enabled");
                expect([...aad, "registration", "openIdIssuer"], (v) => {
                    const m = TENANT_ISSUER.exec(str(v) ?? "");
                    if (!m || !GUID.test(m[1])) return false;
                    return tenants.length === 0 || tenants.includes(m[1].toLowerCase());
                }, () => `it must be https://login.microsoftonline.com/<tenant id>/v2.0 of ${tenants.length === 0 ? "a single tenant (a GUID, not common, organizations or consumers)" : `one of ${tenants.join(", ")}`}`);
                const audiences = field(g.props, [...aad, "validation", "allowedAudiences"]);
                if (!audiences.known) {
                    // Computed from the app registration (its client id): a set value.
                    if (audiences.at && graph.depsOf(g, "identityProviders").length === 0) pending.add(audiences.at.c, audiences.at.k);
                } else {
                    const list = arr<unknown>(audiences.value);
                    if (!Array.isArray(audiences.value) || list.length === 0) report(`${where}: identityProviders.azureActiveDirectory.validation.allowedAudiences is ${show(audiences.value)}; list the API's audiences (api://<clientId> and the client id).`, app.urn);
                    for (const { value } of knownElements(audiences.value)) {
                        const a = str(value) ?? "";
                        if (a.trim() === "" || a.includes("*")) report(`${where}: allowed audience ${show(value)} is empty or a wildcard.`, app.urn);
                    }
                }
            }
        }
        pending.flush();
    },
});

export const functionAppPolicies = [
    func01HttpsOnly,
    func02MinTls,
    func03FtpDisabled,
    func04ManagedIdentity,
    func05BasicPublishingCredentials,
    func06RemoteDebugging,
    func07PublicNetworkAccess,
    func08VnetIntegration,
    func09NoSecretsInSettings,
    func10DeploymentStorageIdentity,
    func11HttpAppsGuarded,
];
