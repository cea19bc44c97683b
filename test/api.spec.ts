/**
 * The API's hosting (issue 9; docs/API.md), read from the registrations the real program makes
 * under mocks, in both stacks: its own Flex Consumption app with the security settings every app
 * of the platform has, App Service authentication derived from the API registration, the custom
 * IoT Hub role with exactly the API's data actions, Data Reader on the container, the package
 * deployment, the Entra registration's scopes, roles and Azure CLI pre-authorization, and the
 * egress address where the API reaches the hub over the internet.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { runStack } from "../tools/offline/runStack";
import { renderPlan } from "../tools/plan";
import { MOCK_SUBSCRIPTION, MOCK_TENANT } from "../tools/offline/mocks";
import type { CapturedResource, StackRun } from "../tools/offline/types";
import { API_FUNCTIONS, API_ROLES, API_SCOPES, API_SETTINGS } from "../app/api/src/settings";
import { API_HUB_DATA_ACTIONS, API_HUB_DATA_ACTIONS_BY_FUNCTION } from "../components/hubDataRole";
import { AZURE_CLI_CLIENT_ID } from "../components/entraApps";
import { FUNCTION_ROLES } from "../components/flexFunctionApp";
import { readFunctionPackage, API_PACKAGE } from "../components/functionPackage";
import { apiEgressWarning } from "../components/platform";
import { TEST_API_PACKAGE, all, one, reveal, stackRun, unknownPaths } from "./support";
import { tmpdir } from "node:os";
import * as path from "node:path";

const T = {
    app: "azure-native:web:WebApp",
    plan: "azure-native:web:AppServicePlan",
    settings: "azure-native:web:WebAppApplicationSettings",
    auth: "azure-native:web:WebAppAuthSettingsV2",
    ftp: "azure-native:web:WebAppFtpAllowed",
    scm: "azure-native:web:WebAppScmAllowed",
    storage: "azure-native:storage:StorageAccount",
    insights: "azure-native:applicationinsights:Component",
    role: "azure-native:authorization:RoleAssignment",
    roleDefinition: "azure-native:authorization:RoleDefinition",
    sqlRole: "azure-native:cosmosdb:SqlResourceSqlRoleAssignment",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    hub: "azure-native:iothub:IotHubResource",
    vnet: "azure-native:network:VirtualNetwork",
    nat: "azure-native:network:NatGateway",
    ip: "azure-native:network:PublicIPAddress",
    deployment: "pulumi-nodejs:dynamic/web:FunctionPackageDeployment",
    registration: "azuread:index/applicationRegistration:ApplicationRegistration",
    scope: "azuread:index/applicationPermissionScope:ApplicationPermissionScope",
    appRole: "azuread:index/applicationAppRole:ApplicationAppRole",
    preAuthorized: "azuread:index/applicationPreAuthorized:ApplicationPreAuthorized",
    diagnostic: "azure-native:monitor:DiagnosticSetting",
} as const;

const runs: Record<"dev" | "prod" | "devUp" | "prodUp", StackRun> = {} as never;
before(async () => {
    runs.dev = await stackRun("dev");
    runs.prod = await stackRun("prod");
    runs.devUp = await stackRun("dev", false);
    runs.prodUp = await stackRun("prod", false);
});
const previews = () => [runs.dev, runs.prod];
const updates = () => [runs.devUp, runs.prodUp];

/** The API component's resource of a type (and logical name). */
function api(run: StackRun, type: string, name?: string): CapturedResource {
    const found = all(run, type).filter((r) => r.parent.includes("secure-iot:compute:ApiFunction") && (name === undefined || r.name === name));
    assert.equal(found.length, 1, `${run.stack}: one ${type}${name ? ` ${name}` : ""} in the API component, found ${found.length}`);
    return found[0];
}
const deps = (run: StackRun, r: CapturedResource, property: string) => (r.propertyDependencies[property] ?? []).map((u) => run.resources.find((x) => x.urn === u)!);
const linksTo = (run: StackRun, r: CapturedResource, property: string, target: CapturedResource) => deps(run, r, property).some((d) => d.urn === target.urn);
const registration = (run: StackRun, name: "api" | "mobile") => one(run, T.registration, name);
const hubId = (run: StackRun) => {
    const hub = reveal(one(run, T.hub).inputs);
    return `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${hub.resourceGroupName}/providers/Microsoft.Devices/IotHubs/${hub.resourceName}`;
};
const apiSubnetId = (run: StackRun) => {
    const vnet = reveal(one(run, T.vnet).inputs);
    return `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${vnet.resourceGroupName}/providers/Microsoft.Network/virtualNetworks/${vnet.virtualNetworkName}/subnets/api-function`;
};

describe("the API's function app", () => {
    it("is its own Flex Consumption app (Node 22) with the API's identity, in its own subnet, all traffic through it", () => {
        for (const run of previews()) {
            const appResource = api(run, T.app);
            const app = reveal(appResource.inputs);
            assert.match(app.name, /^func-fleet-(dev|prod)-api-[0-9a-f]{6}$/);
            assert.equal(app.kind, "functionapp,linux");
            assert.deepEqual(reveal(api(run, T.plan).inputs).sku, { name: "FC1", tier: "FlexConsumption" });
            assert.ok(linksTo(run, appResource, "serverFarmId", api(run, T.plan)), "its own plan, not the ingest function's");
            assert.deepEqual(app.functionAppConfig.runtime, { name: "node", version: "22" });
            assert.ok(linksTo(run, appResource, "identity", one(run, T.identity, "api")), "the API's user-assigned identity");
            assert.equal(app.identity.type, "UserAssigned");
            assert.equal(app.virtualNetworkSubnetId, apiSubnetId(run));
            assert.deepEqual(app.outboundVnetRouting, { allTraffic: true });
            assert.deepEqual(app.functionAppConfig.deployment.storage.authentication, { type: "UserAssignedIdentity", userAssignedIdentityResourceId: app.identity.userAssignedIdentities[0] });
        }
        assert.deepEqual(reveal(api(runs.prod, T.app).inputs).functionAppConfig.scaleAndConcurrency, { instanceMemoryMB: 2048, maximumInstanceCount: 100 });
        assert.deepEqual(reveal(api(runs.dev, T.app).inputs).functionAppConfig.scaleAndConcurrency, { instanceMemoryMB: 2048, maximumInstanceCount: 40 });
    });
    it("HTTPS only, TLS 1.2, no FTP, no basic publishing credentials; its main site is public, declared as serving HTTP functions", () => {
        for (const run of previews()) {
            const app = reveal(api(run, T.app).inputs);
            assert.equal(app.httpsOnly, true);
            assert.deepEqual([app.siteConfig.minTlsVersion, app.siteConfig.scmMinTlsVersion, app.siteConfig.ftpsState, app.siteConfig.remoteDebuggingEnabled], ["1.2", "1.2", "Disabled", false]);
            assert.equal(app.siteConfig.ipSecurityRestrictionsDefaultAction, "Allow", "the mobile app calls it over the internet");
            assert.equal(app.tags.httpFunctions, "true", "FUNC-11 then requires App Service authentication in front");
            for (const type of [T.ftp, T.scm]) {
                assert.equal(reveal(api(run, type).inputs).allow, false, type);
                assert.ok(linksTo(run, api(run, type), "name", api(run, T.app)));
            }
            // The ingest app says the opposite, and its main site stays closed.
            const ingest = reveal(all(run, T.app).find((r) => r.parent.includes("IngestFunction"))!.inputs);
            assert.deepEqual([ingest.tags.httpFunctions, ingest.siteConfig.ipSecurityRestrictionsDefaultAction], ["false", "Deny"]);
        }
    });
    it("its own host storage: shared keys off, no public blobs, TLS 1.2, HTTPS only, its subnet only; Application Insights by Entra ID", () => {
        for (const run of previews()) {
            const s = reveal(api(run, T.storage).inputs);
            assert.match(s.accountName, /^stfleet(dev|prod)api[0-9a-f]{6}$/);
            assert.deepEqual([s.allowSharedKeyAccess, s.allowBlobPublicAccess, s.minimumTlsVersion, s.enableHttpsTrafficOnly], [false, false, "TLS1_2", true]);
            assert.deepEqual(s.networkRuleSet, { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [{ virtualNetworkResourceId: apiSubnetId(run), action: "Allow" }] });
            assert.equal(reveal(api(run, T.insights).inputs).disableLocalAuth, true);
            const owner = reveal(api(run, T.role, "storage-blob-owner").inputs);
            assert.equal(owner.roleDefinitionId.split("/").pop(), FUNCTION_ROLES.storageBlobDataOwner);
            assert.deepEqual(api(run, T.role, "storage-blob-owner").propertyDependencies.principalId, [one(run, T.identity, "api").urn]);
        }
    });
    it("every input of the app, its plan, storage and front door that can be known at preview is known", () => {
        for (const run of previews()) {
            for (const type of [T.app, T.plan, T.storage, T.ftp, T.scm, T.deployment]) assert.deepEqual(unknownPaths(api(run, type).inputs), [], `${run.stack} ${type}`);
            // Only what Entra assigns at apply: the registrations' client ids.
            assert.deepEqual(unknownPaths(api(run, T.auth).inputs).sort(), [
                "identityProviders.azureActiveDirectory.registration.clientId",
                "identityProviders.azureActiveDirectory.validation.allowedAudiences[0]",
                "identityProviders.azureActiveDirectory.validation.allowedAudiences[1]",
                "identityProviders.azureActiveDirectory.validation.defaultAuthorizationPolicy.allowedApplications[0]",
            ], run.stack);
        }
    });
    it("sets exactly the API's contract (app/api/src/settings.ts) with the deployed values, keyless", () => {
        for (const run of updates()) {
            const settings = reveal(api(run, T.settings).inputs).properties as Record<string, string>;
            const outputs = reveal(run.outputs);
            const identityClientId = outputs.apiManagedIdentityClientId;
            assert.equal(settings[API_SETTINGS.tenantId], MOCK_TENANT);
            assert.equal(settings[API_SETTINGS.apiClientId], outputs.apiClientId);
            assert.equal(settings[API_SETTINGS.mobileClientId], outputs.mobileClientId);
            assert.equal(settings[API_SETTINGS.iotHubHostName], outputs.iotHubHostName);
            assert.equal(settings[API_SETTINGS.cosmosEndpoint], outputs.cosmosEndpoint);
            assert.equal(settings[API_SETTINGS.cosmosDatabase], "iot");
            assert.equal(settings[API_SETTINGS.cosmosContainer], "telemetry");
            assert.equal(settings[API_SETTINGS.managedIdentityClientId], identityClientId);
            assert.equal(settings[API_SETTINGS.jwksUrl], undefined, "the tenant's own JWKS in Azure");
            assert.equal(settings.WEBSITE_AUTH_AAD_ALLOWED_TENANTS, MOCK_TENANT);
            assert.deepEqual([settings.AzureWebJobsStorage__credential, settings.AzureWebJobsStorage__clientId], ["managedidentity", identityClientId]);
            assert.equal(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING, `ClientId=${identityClientId};Authorization=AAD`);
            assert.equal(settings.AzureWebJobsStorage, undefined);
        }
        assert.equal((reveal(api(runs.devUp, T.settings).inputs).properties as Record<string, string>)[API_SETTINGS.additionalClientIds], AZURE_CLI_CLIENT_ID, "dev: operators' Azure CLI tokens");
        assert.equal((reveal(api(runs.prodUp, T.settings).inputs).properties as Record<string, string>)[API_SETTINGS.additionalClientIds], undefined, "prod: the mobile app only");
    });
});

describe("App Service authentication in front of the API", () => {
    it("is derived from the API registration: its client id, the tenant's v2 issuer, both audiences, no secret, token store off", () => {
        for (const run of updates()) {
            const auth = reveal(api(run, T.auth).inputs);
            const outputs = reveal(run.outputs);
            assert.ok(linksTo(run, api(run, T.auth), "name", api(run, T.app)));
            assert.deepEqual(auth.platform, { enabled: true, runtimeVersion: "~1" });
            assert.deepEqual(auth.globalValidation, { requireAuthentication: true, unauthenticatedClientAction: "Return401" });
            assert.deepEqual(auth.httpSettings, { requireHttps: true });
            const aad = auth.identityProviders.azureActiveDirectory;
            assert.equal(aad.enabled, true);
            assert.deepEqual(aad.registration, { clientId: outputs.apiClientId, openIdIssuer: `https://login.microsoftonline.com/${MOCK_TENANT}/v2.0` });
            assert.equal(aad.registration.clientSecretSettingName, undefined, "token validation only: no client secret");
            assert.deepEqual(aad.validation.allowedAudiences, [`api://${outputs.apiClientId}`, outputs.apiClientId]);
            assert.deepEqual(auth.login, { tokenStore: { enabled: false } });
            assert.deepEqual(Object.keys(auth.identityProviders), ["azureActiveDirectory"], "no other identity provider");
            assert.ok(linksTo(run, api(run, T.auth), "identityProviders", registration(run, "api")));
        }
    });
    it("admits the mobile app, and the Azure CLI in dev only", () => {
        const allowed = (run: StackRun) => reveal(api(run, T.auth).inputs).identityProviders.azureActiveDirectory.validation.defaultAuthorizationPolicy.allowedApplications;
        assert.deepEqual(allowed(runs.devUp), [reveal(runs.devUp.outputs).mobileClientId, AZURE_CLI_CLIENT_ID]);
        assert.deepEqual(allowed(runs.prodUp), [reveal(runs.prodUp.outputs).mobileClientId]);
    });
    it("admits the daemons a stack lists, which the API accepts app-only", async () => {
        const daemon = "aaaaaaaa-1111-4222-8333-444444444444";
        const run = await runStack("prod", { preview: false, config: { apiAppOnlyClientIds: [daemon] } });
        assert.deepEqual(reveal(api(run, T.auth).inputs).identityProviders.azureActiveDirectory.validation.defaultAuthorizationPolicy.allowedApplications, [reveal(run.outputs).mobileClientId, daemon]);
    });
});

describe("least-privilege data roles of the API's identity", () => {
    it("a custom role with exactly the data actions of the API's routes, assignable on the hub only, assigned on the hub", () => {
        assert.deepEqual(API_HUB_DATA_ACTIONS, ["Microsoft.Devices/IotHubs/directMethods/invoke/action", "Microsoft.Devices/IotHubs/twins/read", "Microsoft.Devices/IotHubs/twins/write"]);
        assert.deepEqual(Object.keys(API_HUB_DATA_ACTIONS_BY_FUNCTION).sort(), API_FUNCTIONS.map((f) => f.name).sort(), "every route, and only the routes, say what they need");
        for (const run of previews()) {
            const definition = one(run, T.roleDefinition);
            const d = reveal(definition.inputs);
            assert.deepEqual(d.permissions, [{ actions: [], notActions: [], dataActions: [...API_HUB_DATA_ACTIONS], notDataActions: [] }]);
            assert.deepEqual(d.assignableScopes, [hubId(run)]);
            assert.equal(d.scope, hubId(run));
            assert.equal(d.roleType, "CustomRole");
            assert.match(d.roleDefinitionId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            assert.ok(linksTo(run, definition, "assignableScopes", one(run, T.hub)), "waits for the hub");
            assert.deepEqual(unknownPaths(definition.inputs), [], `${run.stack}: the definition is known at preview`);
            const assignment = all(run, T.role).find((r) => r.parent.includes("HubDataRole"))!;
            const a = reveal(assignment.inputs);
            assert.equal(a.scope, hubId(run));
            assert.equal(a.roleDefinitionId, `/subscriptions/${MOCK_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${d.roleDefinitionId}`);
            assert.deepEqual(assignment.propertyDependencies.principalId, [one(run, T.identity, "api").urn]);
            assert.ok(linksTo(run, assignment, "roleDefinitionId", definition));
            assert.deepEqual(unknownPaths(assignment.inputs), ["principalId"], "only the identity's principal id is Azure's");
            assert.equal(reveal(run.outputs).api.hubRoleDefinitionId, d.roleDefinitionId);
        }
    });
    it("Cosmos DB Built-in Data Reader on the container only (the ingest identity writes)", () => {
        for (const run of previews()) {
            const reader = all(run, T.sqlRole).filter((r) => (r.propertyDependencies.principalId ?? []).includes(one(run, T.identity, "api").urn));
            assert.equal(reader.length, 1);
            const r = reveal(reader[0].inputs);
            assert.equal(r.roleDefinitionId.split("/").pop(), "00000000-0000-0000-0000-000000000001");
            assert.match(r.scope, /\/dbs\/iot\/colls\/telemetry$/);
        }
    });
});

describe("the API's package and its deployment", () => {
    it("is deployed by content hash after its front door, its settings, its hub role and its Cosmos DB role", () => {
        const pkg = readFunctionPackage(TEST_API_PACKAGE, path.join(tmpdir(), "api-package-test"), API_PACKAGE);
        for (const run of previews()) {
            const deployment = api(run, T.deployment);
            const d = reveal(deployment.inputs);
            const app = reveal(api(run, T.app).inputs);
            assert.deepEqual([d.appName, d.scmUrl, d.packageSha256], [app.name, `https://${app.name}.scm.azurewebsites.net`, pkg.sha256]);
            assert.equal(d.zipPath, `out/ingest-package/api-${pkg.sha256.slice(0, 16)}.zip`);
            assert.deepEqual(d.files, ["host.json", "main.js", "package.json"]);
            const hubAssignment = all(run, T.role).find((r) => r.parent.includes("HubDataRole"))!;
            const reader = all(run, T.sqlRole).find((r) => (r.propertyDependencies.principalId ?? []).includes(one(run, T.identity, "api").urn))!;
            for (const before of [api(run, T.app), api(run, T.settings), api(run, T.auth), api(run, T.scm), api(run, T.role, "storage-blob-owner"), hubAssignment, reader]) {
                assert.ok(deployment.dependencies.includes(before.urn), `${run.stack}: after ${before.type} ${before.name}`);
            }
            assert.equal(reveal(run.outputs).api.packageSha256, pkg.sha256);
        }
    });
    it("outputs where to call it", () => {
        for (const run of previews()) assert.equal(reveal(run.outputs).apiBaseUrl, `https://${reveal(api(run, T.app).inputs).name}.azurewebsites.net`);
    });
});

describe("the API registration", () => {
    it("exposes the scopes and app roles the API checks (app/api/src/settings.ts), roles for users and applications", () => {
        for (const run of previews()) {
            assert.deepEqual(all(run, T.scope).map((s) => reveal(s.inputs).value).sort(), Object.values(API_SCOPES).sort());
            const roles = all(run, T.appRole).map((r) => reveal(r.inputs));
            assert.deepEqual(roles.map((r) => r.value).sort(), Object.values(API_ROLES).sort());
            for (const r of roles) assert.deepEqual(r.allowedMemberTypes, ["User", "Application"], r.value);
        }
    });
    it("pre-authorizes the Azure CLI for every scope in dev only", () => {
        const cli = (run: StackRun) => all(run, T.preAuthorized).filter((p) => reveal(p.inputs).authorizedClientId === AZURE_CLI_CLIENT_ID);
        assert.equal(cli(runs.dev).length, 1);
        const scopes = all(runs.dev, T.scope);
        assert.deepEqual(cli(runs.dev)[0].propertyDependencies.permissionIds?.sort(), scopes.map((s) => s.urn).sort(), "for the API's scopes");
        assert.deepEqual(cli(runs.prod), []);
        assert.equal(reveal(runs.dev.outputs).api.azureCliAccess, true);
        assert.equal(reveal(runs.prod.outputs).api.azureCliAccess, false);
    });
});

describe("the API's network", () => {
    it("dev reaches the hub over the internet from one fixed address, a NAT gateway's on the API subnet; prod through the hub's private endpoint", () => {
        const subnet = (run: StackRun) => reveal(one(run, T.vnet).inputs).subnets.find((s: { name: string }) => s.name === "api-function");
        const nat = one(runs.dev, T.nat);
        const ip = reveal(one(runs.dev, T.ip).inputs);
        assert.deepEqual([ip.sku, ip.publicIPAllocationMethod, ip.publicIPAddressVersion], [{ name: "Standard", tier: "Regional" }, "Static", "IPv4"]);
        assert.equal(subnet(runs.dev).natGateway.id, `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${reveal(nat.inputs).resourceGroupName}/providers/Microsoft.Network/natGateways/${reveal(nat.inputs).natGatewayName}`);
        assert.deepEqual(subnet(runs.dev).delegations.map((d: { serviceName: string }) => d.serviceName), ["Microsoft.App/environments"]);
        assert.deepEqual(subnet(runs.dev).serviceEndpoints.map((e: { service: string }) => e.service), ["Microsoft.Storage", "Microsoft.AzureCosmosDB"]);
        assert.match(reveal(runs.devUp.outputs).apiEgressIpAddress, /^192\.0\.2\.\d+$/, "the address to add to iotHubAllowedIpRanges");
        assert.deepEqual([...all(runs.prod, T.nat), ...all(runs.prod, T.ip)], []);
        assert.equal(subnet(runs.prod).natGateway, undefined);
        assert.equal(reveal(runs.prod.outputs).apiEgressIpAddress, null);
        assert.deepEqual(unknownPaths(one(runs.dev, T.vnet).inputs), [], "the network stays known at preview");
    });
    it("warns, with the command that fixes it, while the hub's IP filter does not admit the API's egress address", () => {
        const hub = { allowedIpRanges: ["203.0.113.0/24", "198.51.100.0/24"], blockedIpRanges: ["203.0.113.128/28"] };
        assert.match(apiEgressWarning(hub, "192.0.2.10") ?? "", /from 192\.0\.2\.10 .*pulumi config set --path 'iotHubAllowedIpRanges\[2\]' "\$\(pulumi stack output apiEgressIpAddress\)\/32"/);
        assert.equal(apiEgressWarning(hub, "198.51.100.7"), undefined);
        assert.match(apiEgressWarning(hub, "203.0.113.130") ?? "", /does not admit/, "a blocked range wins");
    });
    it("logs of the API's app and storage go to the workspace", () => {
        for (const run of previews()) {
            const targets = all(run, T.diagnostic).flatMap((d) => deps(run, d, "resourceUri"));
            assert.ok(targets.some((t) => t.urn === api(run, T.app).urn));
            assert.ok(targets.some((t) => t.urn === api(run, T.storage).urn));
        }
    });
    it("the offline plan shows the front door", () => {
        const plan = renderPlan(runs.prod);
        assert.match(plan, /WebAppAuthSettingsV2 {2}auth\n\s+of: WebApp app\n\s+requireAuthentication: true, unauthenticated: Return401, https true\n\s+issuer: https:\/\/login\.microsoftonline\.com\/[0-9a-f-]+\/v2\.0/);
        assert.match(plan, /clientSecret: none \(token validation only\)/);
        assert.match(plan, /dataActions: Microsoft\.Devices\/IotHubs\/directMethods\/invoke\/action, Microsoft\.Devices\/IotHubs\/twins\/read, Microsoft\.Devices\/IotHubs\/twins\/write/);
    });
});
