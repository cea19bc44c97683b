/**
 * What every function app of the platform is made of, whatever it runs: an Azure Functions app on
 * the Flex Consumption plan with no key anywhere. The ingest function (components/ingestFunction.ts)
 * and the API (components/apiFunction.ts) are two small subclasses that add their own settings and
 * their front door; each keeps its own component type, so the resources below keep their URNs.
 *
 * - Plan FC1 (`FlexConsumption`), app kind `functionapp,linux` configured through
 *   `functionAppConfig` (Microsoft.Web API 2025-05-01 in azure-native 3.28): runtime Node.js 22, the
 *   newest Node version Microsoft's Flex Consumption material shows (the runtime list of
 *   Get-AzFunctionAppFlexConsumptionRuntime on learn.microsoft.com, and Azure-Samples'
 *   functions-quickstart-typescript-azd-cosmosdb, which deploys `runtimeVersion: '22'`), instance memory and
 *   maximum instances from configuration.
 * - Identity: one user-assigned identity for everything the host does: the host storage
 *   (`AzureWebJobsStorage__*`), the deployment storage (`functionAppConfig.deployment.storage.authentication`
 *   UserAssignedIdentity) and Application Insights (`APPLICATIONINSIGHTS_AUTHENTICATION_STRING` with
 *   `Authorization=AAD`, the component's local auth off, the identity in Monitoring Metrics Publisher);
 *   the subclass adds the app's own data-plane connections.
 * - Network: virtual network integration into the app's subnet with all outbound traffic routed
 *   through it (`outboundVnetRouting.allTraffic`, MicrosoftDocs/azure-docs
 *   articles/app-service/configure-vnet-integration-routing.md), so the subnet's service endpoints
 *   and the private endpoints apply. The SCM site (deployment) stays reachable and accepts Entra ID
 *   only, basic publishing credentials being off for FTP and SCM; whether the main site answers is
 *   the subclass's front door (`mainSite`), and the app carries the tag `httpFunctions` saying
 *   whether it serves HTTP functions (the policy pack's FUNC-11 holds it to that).
 * - Storage: one account for the host and the deployment package, shared keys off, no public blob
 *   access, TLS 1.2, HTTPS only, OAuth by default, and a firewall that admits only the app's subnet
 *   (no bypass).
 * - Deployment: the package the program zipped (components/functionPackage.ts) goes to the app by
 *   the Flex Consumption "one deploy" (/api/publish on the SCM site), performed by the program's
 *   own dynamic provider (components/functionDeployment.ts) with the deployer's Entra ID login
 *   (DefaultAzureCredential), the only kind the SCM site accepts once basic publishing credentials
 *   are off. Uploading the zip as a blob would not deploy anything (Flex Consumption takes packages
 *   through one deploy only, Azure/Azure-Functions#2558), and azure-native's `storage:Blob` signs
 *   its requests with the account key it lists, which `allowSharedKeyAccess: false` refuses
 *   (pulumi/pulumi-azure-native#2015; provider/pkg/resources/customresources/custom_storage_azidentity.go).
 */
import * as pulumi from "@pulumi/pulumi";
import * as web from "@pulumi/azure-native/web";
import * as storage from "@pulumi/azure-native/storage";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as authorization from "@pulumi/azure-native/authorization";
import type { FunctionPackage } from "./functionPackage";
import { FunctionPackageDeployment } from "./functionDeployment";
import { knownAfter } from "./known";
import type { WorkloadIdentity } from "./workloadIdentities";

/** Built-in Azure roles the app's identity holds (articles/role-based-access-control/built-in-roles.md). */
export const FUNCTION_ROLES = {
    /** Host storage and the deployment container (Azure-Samples Flex Consumption templates grant the same). */
    storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    /** Publishing telemetry to an Application Insights component whose local auth is off. */
    monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;

/** The Flex Consumption runtime: Node.js 22 (see the file comment). */
export const FUNCTION_RUNTIME = { name: "node", version: "22" } as const;
export const DEPLOYMENT_CONTAINER = "app-package";
/**
 * The tag that says whether an app serves HTTP functions ("true") or none ("false"). The policy
 * pack reads it (FUNC-11): an HTTP app needs App Service authentication in front, an app without
 * HTTP functions must refuse every request on its main site.
 */
export const HTTP_FUNCTIONS_TAG = "httpFunctions";

export interface FlexFunctionAppArgs {
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    names: { plan: string; app: string; storage: string; applicationInsights: string };
    identity: WorkloadIdentity;
    /** The app's subnet (ARM id known at preview). */
    subnetId: pulumi.Input<string>;
    instanceMemoryMB: number;
    maximumInstances: number;
    zoneRedundant: boolean;
    /** The Log Analytics workspace that backs Application Insights; omitted: no Application Insights. */
    workspaceId?: pulumi.Input<string>;
    package: FunctionPackage;
    /** What must exist before the package is deployed (the data-plane roles the app starts with). */
    deployAfter?: pulumi.Resource[];
}

/** What the subclass decides: its settings, its front door, and a label for role descriptions. */
export interface FlexFunctionAppRole {
    /** "ingest", "api": prefixes the role assignments' descriptions. */
    purpose: string;
    /** The app's own settings, beside the host's (storage, Application Insights). */
    settings: Record<string, pulumi.Input<string>>;
    /**
     * The main site: "closed" refuses every request (an app without HTTP functions), "public" takes
     * requests from the internet (an HTTP API, behind App Service authentication).
     */
    mainSite: "closed" | "public";
}

export class FlexFunctionApp extends pulumi.ComponentResource {
    public readonly storageAccount: storage.StorageAccount;
    public readonly deploymentContainer: storage.BlobContainer;
    public readonly plan: web.AppServicePlan;
    public readonly app: web.WebApp;
    public readonly appSettings: web.WebAppApplicationSettings;
    public readonly ftpAllowed: web.WebAppFtpAllowed;
    public readonly scmAllowed: web.WebAppScmAllowed;
    public readonly applicationInsights?: applicationinsights.Component;
    public readonly roleAssignments: authorization.RoleAssignment[];
    public readonly deployment: FunctionPackageDeployment;
    /** `<app>.azurewebsites.net`, known at preview. */
    public readonly hostName: string;
    /** The ARM id of the app, known at preview. */
    public readonly appId: pulumi.Output<string>;
    /** The ARM id of the resource group, known at preview. */
    protected readonly resourceGroupId: pulumi.Output<string>;

    constructor(type: string, name: string, args: FlexFunctionAppArgs, role: FlexFunctionAppRole, opts?: pulumi.ComponentResourceOptions, frontDoor?: (app: FlexFunctionApp) => pulumi.Resource[]) {
        super(type, name, {}, opts);
        const { resourceGroupName, location, tags, names } = args;
        const rgId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${resourceGroupName}`;
        this.resourceGroupId = rgId;
        const blobEndpoint = `https://${names.storage}.blob.core.windows.net`;
        this.hostName = `${names.app}.azurewebsites.net`;

        this.storageAccount = new storage.StorageAccount(
            "storage",
            {
                accountName: names.storage,
                resourceGroupName,
                location,
                tags,
                kind: "StorageV2",
                sku: { name: args.zoneRedundant ? "Standard_ZRS" : "Standard_LRS" },
                // Entra ID only: no account keys, no SAS signed with them, OAuth in the portal.
                allowSharedKeyAccess: false,
                defaultToOAuthAuthentication: true,
                allowBlobPublicAccess: false,
                allowCrossTenantReplication: false,
                isLocalUserEnabled: false,
                isSftpEnabled: false,
                minimumTlsVersion: "TLS1_2",
                enableHttpsTrafficOnly: true,
                // Reachable from the app's subnet only (service endpoint Microsoft.Storage); no
                // exception for Azure services.
                publicNetworkAccess: "Enabled",
                networkRuleSet: {
                    defaultAction: "Deny",
                    bypass: "None",
                    ipRules: [],
                    virtualNetworkRules: [{ virtualNetworkResourceId: args.subnetId, action: "Allow" }],
                },
            },
            { parent: this },
        );
        const storageId = knownAfter(this.storageAccount, pulumi.interpolate`${rgId}/providers/Microsoft.Storage/storageAccounts/${names.storage}`);

        this.deploymentContainer = new storage.BlobContainer(
            "deployment-container",
            { accountName: this.storageAccount.name, resourceGroupName, containerName: DEPLOYMENT_CONTAINER, publicAccess: "None" },
            { parent: this },
        );

        if (args.workspaceId !== undefined) {
            this.applicationInsights = new applicationinsights.Component(
                "app-insights",
                {
                    resourceName: names.applicationInsights,
                    resourceGroupName,
                    location,
                    tags,
                    kind: "web",
                    applicationType: "web",
                    // Workspace-based: the telemetry lands in the stack's Log Analytics workspace.
                    workspaceResourceId: args.workspaceId,
                    ingestionMode: "LogAnalytics",
                    // Ingestion by Entra ID only: the connection string's instrumentation key alone is refused.
                    disableLocalAuth: true,
                },
                { parent: this },
            );
        }

        this.plan = new web.AppServicePlan(
            "plan",
            {
                name: names.plan,
                resourceGroupName,
                location,
                tags,
                kind: "functionapp",
                sku: { name: "FC1", tier: "FlexConsumption" },
                reserved: true,
            },
            { parent: this },
        );
        const planId = knownAfter(this.plan, pulumi.interpolate`${rgId}/providers/Microsoft.Web/serverfarms/${names.plan}`);

        const publicSite = role.mainSite === "public";
        this.app = new web.WebApp(
            "app",
            {
                name: names.app,
                resourceGroupName,
                location,
                tags: { ...tags, [HTTP_FUNCTIONS_TAG]: publicSite ? "true" : "false" },
                kind: "functionapp,linux",
                serverFarmId: planId,
                identity: { type: "UserAssigned", userAssignedIdentities: [args.identity.resourceId] },
                httpsOnly: true,
                clientCertEnabled: false,
                // The SCM site takes the one-deploy call; the main site is the subclass's front door.
                publicNetworkAccess: "Enabled",
                virtualNetworkSubnetId: args.subnetId,
                outboundVnetRouting: { allTraffic: true },
                siteConfig: {
                    minTlsVersion: "1.2",
                    scmMinTlsVersion: "1.2",
                    ftpsState: "Disabled",
                    http20Enabled: true,
                    remoteDebuggingEnabled: false,
                    // Closed: no HTTP functions, nobody needs the main site. Public: the API's callers
                    // are on the internet; App Service authentication refuses them without a token.
                    ipSecurityRestrictionsDefaultAction: publicSite ? "Allow" : "Deny",
                    // Deployments reach the SCM site, which then accepts Entra ID tokens only.
                    scmIpSecurityRestrictionsUseMain: false,
                    scmIpSecurityRestrictionsDefaultAction: "Allow",
                },
                functionAppConfig: {
                    deployment: {
                        storage: {
                            type: "blobContainer",
                            value: `${blobEndpoint}/${DEPLOYMENT_CONTAINER}`,
                            authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: args.identity.resourceId },
                        },
                    },
                    runtime: { name: FUNCTION_RUNTIME.name, version: FUNCTION_RUNTIME.version },
                    scaleAndConcurrency: { instanceMemoryMB: args.instanceMemoryMB, maximumInstanceCount: args.maximumInstances },
                },
            },
            { parent: this, dependsOn: [this.deploymentContainer] },
        );
        this.appId = knownAfter(this.app, pulumi.interpolate`${rgId}/providers/Microsoft.Web/sites/${names.app}`);

        // Basic (publishing) credentials off for FTP and for the SCM site.
        this.ftpAllowed = new web.WebAppFtpAllowed("ftp-basic-auth", { name: this.app.name, resourceGroupName, allow: false }, { parent: this });
        this.scmAllowed = new web.WebAppScmAllowed("scm-basic-auth", { name: this.app.name, resourceGroupName, allow: false }, { parent: this });

        const clientId = args.identity.clientId;
        const settings: Record<string, pulumi.Input<string>> = {
            // Host storage by identity (no AzureWebJobsStorage connection string).
            AzureWebJobsStorage__credential: "managedidentity",
            AzureWebJobsStorage__clientId: clientId,
            AzureWebJobsStorage__blobServiceUri: blobEndpoint,
            ...role.settings,
        };
        if (this.applicationInsights) {
            // The connection string names the component and its ingestion endpoint; with local auth
            // off it authorizes nothing by itself. The authentication string makes the host sign in
            // with the user-assigned identity.
            settings.APPLICATIONINSIGHTS_CONNECTION_STRING = this.applicationInsights.connectionString;
            settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING = pulumi.interpolate`ClientId=${clientId};Authorization=AAD`;
        }
        // A separate resource, so the app's own inputs stay known at preview (the settings carry
        // values Azure assigns: the identity's client id, the component's connection string).
        this.appSettings = new web.WebAppApplicationSettings("app-settings", { name: this.app.name, resourceGroupName, properties: settings }, { parent: this });

        const assign = (logical: string, roleId: string, scope: pulumi.Input<string>, what: string) =>
            new authorization.RoleAssignment(
                logical,
                {
                    principalId: args.identity.principalId,
                    principalType: "ServicePrincipal",
                    roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`,
                    scope,
                    description: `${role.purpose}: ${what}`,
                },
                { parent: this },
            );
        this.roleAssignments = [assign("storage-blob-owner", FUNCTION_ROLES.storageBlobDataOwner, storageId, `Storage Blob Data Owner on ${names.storage}`)];
        if (this.applicationInsights) {
            const componentId = knownAfter(this.applicationInsights, pulumi.interpolate`${rgId}/providers/Microsoft.Insights/components/${names.applicationInsights}`);
            this.roleAssignments.push(assign("metrics-publisher", FUNCTION_ROLES.monitoringMetricsPublisher, componentId, `Monitoring Metrics Publisher on ${names.applicationInsights}`));
        }

        // The front door (App Service authentication for an HTTP app) exists before the code that
        // serves requests lands.
        const door = frontDoor?.(this) ?? [];

        // One deploy of the package whenever its content changes (components/functionDeployment.ts):
        // the program's own provider, with the deployer's Entra ID login, to the SCM site.
        this.deployment = new FunctionPackageDeployment(
            "package-deploy",
            {
                appName: names.app,
                resourceGroupName,
                packageSha256: args.package.sha256,
                zipPath: args.package.engineZipPath,
                files: args.package.files,
            },
            { parent: this, dependsOn: [this.app, this.appSettings, this.scmAllowed, this.deploymentContainer, ...this.roleAssignments, ...door, ...(args.deployAfter ?? [])] },
        );

        this.registerOutputs({ hostName: this.hostName, packageSha256: args.package.sha256 });
    }
}
