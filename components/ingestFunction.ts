/**
 * Hosting of the telemetry ingest function (code in app/ingest, contract in
 * app/ingest/src/settings.ts): an Azure Functions app on the Flex Consumption plan that reads the
 * telemetry event hub and writes each event to the Cosmos DB container, with no key anywhere.
 *
 * - Plan FC1 (`FlexConsumption`), app kind `functionapp,linux` configured through
 *   `functionAppConfig` (Microsoft.Web API 2025-05-01 in azure-native 3.28): runtime Node.js 22, the
 *   newest Node version Microsoft's Flex Consumption material shows (the runtime list of
 *   Get-AzFunctionAppFlexConsumptionRuntime on learn.microsoft.com, and Azure-Samples'
 *   functions-quickstart-typescript-azd-cosmosdb, which deploys `runtimeVersion: '22'`), instance memory and
 *   maximum instances from configuration.
 * - Identity: the stack's user-assigned ingest identity for everything: the Event Hubs trigger
 *   (`<connection>__credential`/`__clientId`), Cosmos DB, the host storage (`AzureWebJobsStorage__*`),
 *   the deployment storage (`functionAppConfig.deployment.storage.authentication` UserAssignedIdentity)
 *   and Application Insights (`APPLICATIONINSIGHTS_AUTHENTICATION_STRING` with `Authorization=AAD`, the
 *   component's local auth off, the identity in Monitoring Metrics Publisher).
 * - Network: virtual network integration into the platform network's function subnet with all
 *   outbound traffic routed through it (`outboundVnetRouting.allTraffic`, MicrosoftDocs/azure-docs
 *   articles/app-service/configure-vnet-integration-routing.md), so the subnet's service endpoints
 *   and the private endpoints apply. The app has no HTTP function: its main site denies every
 *   request; the SCM site (deployment) stays reachable and accepts Entra ID only, basic publishing
 *   credentials being off for FTP and SCM.
 * - Storage: one account for the host (checkpoints of the Event Hubs trigger) and the deployment
 *   package, shared keys off, no public blob access, TLS 1.2, HTTPS only, OAuth by default, and a
 *   firewall that admits only the function's subnet (no bypass).
 * - Deployment: the package the program zipped (components/functionPackage.ts) goes to the app by
 *   the Flex Consumption "one deploy" (/api/publish on the SCM site), performed by the program's
 *   own dynamic provider (components/functionDeployment.ts) with the deployer's Entra ID login
 *   (DefaultAzureCredential), the only kind the SCM site accepts once basic publishing credentials
 *   are off. Uploading the zip as a blob
 *   would not deploy anything (Flex Consumption takes packages through one deploy only,
 *   Azure/Azure-Functions#2558), and azure-native's `storage:Blob` signs its requests with the
 *   account key it lists, which `allowSharedKeyAccess: false` refuses
 *   (pulumi/pulumi-azure-native#2015; provider/pkg/resources/customresources/custom_storage_azidentity.go).
 */
import * as pulumi from "@pulumi/pulumi";
import * as web from "@pulumi/azure-native/web";
import * as storage from "@pulumi/azure-native/storage";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as authorization from "@pulumi/azure-native/authorization";
import { INGEST_SETTINGS } from "../app/ingest/src/settings";
import type { FunctionPackage } from "./functionPackage";
import { FunctionPackageDeployment } from "./functionDeployment";
import { knownAfter } from "./known";
import type { WorkloadIdentity } from "./workloadIdentities";

/** Built-in Azure roles the function's identity holds (articles/role-based-access-control/built-in-roles.md). */
export const FUNCTION_ROLES = {
    /** Host storage and the deployment container (Azure-Samples Flex Consumption templates grant the same). */
    storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    /** Publishing telemetry to an Application Insights component whose local auth is off. */
    monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;

/** The Flex Consumption runtime: Node.js 22 (see the file comment). */
export const FUNCTION_RUNTIME = { name: "node", version: "22" } as const;
export const DEPLOYMENT_CONTAINER = "app-package";

export interface IngestFunctionArgs {
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    names: { plan: string; app: string; storage: string; applicationInsights: string };
    identity: WorkloadIdentity;
    /** The platform network's function subnet (ARM id known at preview). */
    subnetId: pulumi.Input<string>;
    instanceMemoryMB: number;
    maximumInstances: number;
    zoneRedundant: boolean;
    eventHub: { fqdn: string; name: string; consumerGroup: string };
    cosmos: { endpoint: string; database: string; container: string; ttlSeconds: number };
    /** The Log Analytics workspace that backs Application Insights; omitted: no Application Insights. */
    workspaceId?: pulumi.Input<string>;
    package: FunctionPackage;
    /** What must exist before the package is deployed (the data-plane roles the function starts with). */
    deployAfter?: pulumi.Resource[];
}

export class IngestFunction extends pulumi.ComponentResource {
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

    constructor(name: string, args: IngestFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:compute:IngestFunction", name, {}, opts);
        const { resourceGroupName, location, tags, names } = args;
        const rgId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${resourceGroupName}`;
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
                // Reachable from the function's subnet only (service endpoint Microsoft.Storage); no
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

        this.app = new web.WebApp(
            "app",
            {
                name: names.app,
                resourceGroupName,
                location,
                tags,
                kind: "functionapp,linux",
                serverFarmId: planId,
                identity: { type: "UserAssigned", userAssignedIdentities: [args.identity.resourceId] },
                httpsOnly: true,
                clientCertEnabled: false,
                // The SCM site takes the one-deploy call; the main site refuses everything (below).
                publicNetworkAccess: "Enabled",
                virtualNetworkSubnetId: args.subnetId,
                outboundVnetRouting: { allTraffic: true },
                siteConfig: {
                    minTlsVersion: "1.2",
                    scmMinTlsVersion: "1.2",
                    ftpsState: "Disabled",
                    http20Enabled: true,
                    remoteDebuggingEnabled: false,
                    // No HTTP functions: nobody needs the main site.
                    ipSecurityRestrictionsDefaultAction: "Deny",
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

        const connection = INGEST_SETTINGS.eventHubConnection;
        const clientId = args.identity.clientId;
        const settings: Record<string, pulumi.Input<string>> = {
            // Host storage by identity (no AzureWebJobsStorage connection string): the blob service
            // holds the Event Hubs trigger's checkpoints and leases.
            AzureWebJobsStorage__credential: "managedidentity",
            AzureWebJobsStorage__clientId: clientId,
            AzureWebJobsStorage__blobServiceUri: blobEndpoint,
            // The trigger's identity-based connection.
            [`${connection}__fullyQualifiedNamespace`]: args.eventHub.fqdn,
            [`${connection}__credential`]: "managedidentity",
            [`${connection}__clientId`]: clientId,
            [INGEST_SETTINGS.eventHubName]: args.eventHub.name,
            [INGEST_SETTINGS.consumerGroup]: args.eventHub.consumerGroup,
            [INGEST_SETTINGS.cosmosEndpoint]: args.cosmos.endpoint,
            [INGEST_SETTINGS.cosmosDatabase]: args.cosmos.database,
            [INGEST_SETTINGS.cosmosContainer]: args.cosmos.container,
            [INGEST_SETTINGS.clientId]: clientId,
            [INGEST_SETTINGS.ttlSeconds]: String(args.cosmos.ttlSeconds),
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

        const role = (logical: string, roleId: string, scope: pulumi.Input<string>, what: string) =>
            new authorization.RoleAssignment(
                logical,
                {
                    principalId: args.identity.principalId,
                    principalType: "ServicePrincipal",
                    roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`,
                    scope,
                    description: `ingest: ${what}`,
                },
                { parent: this },
            );
        this.roleAssignments = [role("storage-blob-owner", FUNCTION_ROLES.storageBlobDataOwner, storageId, `Storage Blob Data Owner on ${names.storage}`)];
        if (this.applicationInsights) {
            const componentId = knownAfter(this.applicationInsights, pulumi.interpolate`${rgId}/providers/Microsoft.Insights/components/${names.applicationInsights}`);
            this.roleAssignments.push(role("metrics-publisher", FUNCTION_ROLES.monitoringMetricsPublisher, componentId, `Monitoring Metrics Publisher on ${names.applicationInsights}`));
        }

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
            { parent: this, dependsOn: [this.app, this.appSettings, this.scmAllowed, this.deploymentContainer, ...this.roleAssignments, ...(args.deployAfter ?? [])] },
        );

        this.registerOutputs({ hostName: this.hostName, packageSha256: args.package.sha256 });
    }
}
