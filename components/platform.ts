import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { PlatformConfig, PrivateEndpointService } from "../config/schema";
import { cidrContains, parseCidr } from "@secure-iot/azure-facts";
import { PlatformFoundation, type ServiceNames } from "./foundation";
import { knownAfter } from "./known";
import { WorkloadIdentities } from "./workloadIdentities";
import { TelemetryStore } from "./telemetryStore";
import { DeviceCertificateAuthorities } from "./deviceCa";
import { IotHub, type HubDataPlaneGrant } from "./iotHub";
import { ProvisioningService } from "./provisioningService";
import { DeviceEnrollments, type EnrollmentSummary } from "./deviceEnrollments";
import { AZURE_CLI_CLIENT_ID, EntraApps } from "./entraApps";
import { PlatformNetwork, PrivateEndpoints, type PrivateEndpointTarget } from "./privateNetwork";
import { TelemetryBus } from "./telemetryBus";
import { IngestFunction } from "./ingestFunction";
import { ApiFunction } from "./apiFunction";
import { HubDataRole } from "./hubDataRole";
import { API_PACKAGE, apiPackageDirFrom, ingestPackageDirFrom, readFunctionPackage, type FunctionPackage } from "./functionPackage";
import { Observability, type MonitoredResource } from "./observability";
import { ThreatProtection } from "./threatProtection";
import { DeleteLocks, type FormerIdentities, type LockTarget, type StatefulProtection } from "./lossProtection";

/** The name of DPS's grant on the hub (its role assignments are what DPS waits for). */
const DPS_LINK_GRANT = "dps-link";

/**
 * The data role DPS's link identity holds on the hub: the one Microsoft documents for linking by
 * managed identity ("IoT Hub Data Contributor, or a custom role with RegistryWrite and
 * ServiceConnect", MicrosoftDocs/azure-docs articles/iot-dps/how-to-manage-linked-iot-hubs.md,
 * "Link an IoT hub by using managed identity"), scoped to this hub only. Registry Contributor +
 * Twin Contributor would be narrower, but no Microsoft source says it is enough; see
 * docs/PRODUCTION.md.
 */
export const DPS_LINK_HUB_ROLES: readonly HubDataPlaneGrant["roles"][number][] = ["IoTHubDataContributor"];

/** What the stack exports. Anything that carries a key is a secret. */
export interface PlatformOutputs {
    resourceGroupName: pulumi.Output<string>;
    iotHubHostName: pulumi.Output<string>;
    /** Add to iotHubAllowedFqdns after the first deployment when egress is restricted. */
    iotHubBuiltInEndpointFqdn: pulumi.Output<string>;
    dpsIdScope: pulumi.Output<string> | undefined;
    dpsGlobalEndpoint: string | undefined;
    apiClientId: pulumi.Output<string>;
    apiIdentifierUri: pulumi.Output<string>;
    apiScopes: pulumi.Output<string[]>;
    mobileClientId: pulumi.Output<string>;
    apiManagedIdentityClientId: pulumi.Output<string>;
    cosmosEndpoint: string;
    cosmosDatabase: string;
    cosmosContainer: string;
    /** The telemetry path (docs/TELEMETRY.md): names only, no keys or connection strings. */
    telemetry: {
        routeEnabled: boolean;
        eventHubsNamespace: string;
        eventHub: string;
        consumerGroup: string;
        ingestFunctionApp: string;
        ingestFunctionHostName: string;
        packageSha256: string;
    };
    /** Where the API answers: `https://<app>.azurewebsites.net`, routes `/devices/{id}/...` (README, "Call the API"). */
    apiBaseUrl: string;
    /** The API's hosting (docs/API.md): names and ids, no keys. */
    api: {
        functionApp: string;
        packageSha256: string;
        /** The custom IoT Hub role the API's identity holds on the hub. */
        hubRoleDefinitionId: string;
        /** Whether the Azure CLI may ask for the API's scopes (apiAzureCliAccess). */
        azureCliAccess: boolean;
    };
    /** The API subnet's fixed egress address, where the API reaches the hub over the internet (add it to iotHubAllowedIpRanges); null otherwise. */
    apiEgressIpAddress: pulumi.Output<string> | null;
    /** Client id of the ingest function's user-assigned identity (for role reviews and `az` queries). */
    ingestManagedIdentityClientId: pulumi.Output<string>;
    deviceCaCertificates: pulumi.Output<{ name: string; notAfter: string }[]>;
    /** DPS enrollment records managed as code: id, attestation, CAs, hubs, status. */
    enrollmentGroups: EnrollmentSummary[];
    /** Keys of symmetric-key enrollment groups (secret), by group id: to derive test device keys. */
    enrollmentGroupKeys: pulumi.Output<Record<string, { primaryKey: string; secondaryKey: string }>>;
    /** Generated dev CA private keys (secret): to sign test device certificates. Empty for supplied CAs. */
    devCaPrivateKeys: pulumi.Output<Record<string, string>>;
    /** The virtual network the private endpoints live in (peer with it to reach the services privately), and which services have one; null without private endpoints. */
    privateNetwork: { virtualNetwork: string; endpointSubnet: string; services: string[] } | null;
    /** The platform network every stack has (both function apps' subnets live in it). */
    platformNetwork: { virtualNetwork: string; functionSubnet: string; apiSubnet: string };
    /** Log Analytics workspace that receives all logs and metrics; null without diagnostics. */
    logAnalyticsWorkspaceName: string | null;
    /** Metric alert rules that notify the on-call action group. */
    alertRules: string[];
    /** Stateful resources Pulumi refuses to delete or replace, and those Azure refuses to delete. */
    protectedResources: string[];
    lockedResources: string[];
}

/**
 * Former identities of the stateful resources (aliases). Empty while no stateful resource has
 * been renamed or moved: add the former name or parent here in the same change that renames it
 * (see components/lossProtection.ts), so the update moves it instead of replacing it.
 */
export const FORMER_IDENTITIES: FormerIdentities = {};

export interface PlatformOptions {
    formerIdentities?: FormerIdentities;
    /** The built ingest function package; default app/ingest/dist of the working directory (`npm run build:ingest`). */
    ingestPackageDir?: string;
    /** The built API package; default app/api/dist of the working directory (`npm run build:api`). */
    apiPackageDir?: string;
}

/**
 * Builds the whole platform from validated configuration, in the order Azure needs it (each step's
 * `dependsOn` says so to the engine; this function reads in the same order):
 * 1. the function packages (before anything is registered: no package, no deployment);
 * 2. names, tags and the resource group; the workloads' user-assigned identities;
 * 3. the network the function apps integrate into;
 * 4. the telemetry store (Cosmos DB) and the telemetry bus (Event Hubs, behind its firewall);
 * 5. the device CAs, then the hub (after the bus it routes to; its system-assigned identity's Data
 *    Sender role follows it), then DPS (after its link identity holds its role on the hub), then
 *    the enrollment records (after DPS, the hub, their CAs and the deployer's data role);
 * 6. private endpoints; logs and alerts; the ingest function (its code after its roles);
 * 7. Defender, delete locks; the Entra registrations; the API's hub role, then the API app;
 * 8. diagnostic settings on everything, and the stack outputs.
 */
export function createPlatform(config: PlatformConfig, options: PlatformOptions = {}): PlatformOutputs {
    // Before anything is registered: the program cannot deploy a function it has no package for.
    const ingestPackage = readFunctionPackage(options.ingestPackageDir ?? ingestPackageDirFrom({}));
    const apiPackage = readFunctionPackage(options.apiPackageDir ?? apiPackageDirFrom({}), undefined, API_PACKAGE);
    const client = authorization.getClientConfigOutput();
    const stateful: StatefulProtection = {
        protect: config.protection.protectStatefulResources,
        formerIdentities: options.formerIdentities ?? FORMER_IDENTITIES,
    };
    const foundation = new PlatformFoundation("platform", {
        project: config.project,
        environment: config.environment,
        location: config.location,
        prefix: config.naming.prefix,
        suffix: config.naming.suffix,
        tags: config.tags,
        createResourceGroup: config.createResourceGroup,
    });
    const { names, tags, location } = foundation;
    // Known at preview, and every resource that uses it waits for the group.
    const rg = foundation.resourceGroupName;

    const identities = new WorkloadIdentities(
        "workloads",
        {
            resourceGroupName: rg,
            location,
            subscriptionId: client.subscriptionId,
            apiIdentityName: names.apiIdentity,
            ingestIdentityName: names.ingestIdentity,
            ...(config.dps.enabled ? { dpsLinkIdentityName: names.dpsIdentity } : {}),
            tags,
        },
    );

    // Every stack has the network: both function apps integrate into it. Private endpoints (and
    // their subnet) only where the stack asks for them. Where the API reaches the hub over the
    // internet (no private endpoint for the hub), its subnet gets a fixed egress address for the
    // hub's IP allow list.
    const hubReachedPrivately = config.privateNetwork.enabled && config.privateNetwork.services.includes("iotHub");
    const network = new PlatformNetwork("network", {
        resourceGroupName: rg,
        subscriptionId: client.subscriptionId,
        location,
        tags,
        networkName: names.virtualNetwork,
        addressSpace: config.privateNetwork.addressSpace,
        functionSubnet: config.telemetry.functionSubnet,
        ...(config.privateNetwork.enabled ? { endpoints: { subnet: config.privateNetwork.endpointSubnet, securityGroupName: names.endpointSecurityGroup } } : {}),
        apiSubnet: {
            prefix: config.api.functionSubnet,
            ...(hubReachedPrivately ? {} : { egress: { natGatewayName: names.apiNatGateway, publicIpName: names.apiEgressIp } }),
        },
    });
    if (!network.apiSubnetId) throw new Error("unreachable: the network always has the API subnet");
    const apiSubnetId = network.apiSubnetId;

    const store = new TelemetryStore(
        "telemetry",
        {
            resourceGroupName: rg,
            subscriptionId: client.subscriptionId,
            location,
            accountName: names.cosmos,
            databaseName: config.cosmos.databaseName,
            containerName: config.cosmos.containerName,
            tags,
            capacityMode: config.cosmos.capacityMode,
            totalThroughputLimit: config.cosmos.totalThroughputLimit,
            containerMaxThroughput: config.cosmos.containerMaxThroughput,
            zoneRedundant: config.cosmos.zoneRedundant,
            secondaryLocations: config.cosmos.secondaryLocations,
            publicNetworkAccess: config.cosmos.publicNetworkAccess,
            allowedIpRanges: config.cosmos.allowedIpRanges,
            // A public (firewalled) account admits the function's subnet; a private one is reached through its endpoint.
            allowedSubnetIds: [network.functionSubnetId, apiSubnetId],
            ttlDays: config.cosmos.ttlDays,
            writers: [{ name: "ingest", principalId: identities.ingest.principalId }],
            readers: [{ name: "api", principalId: identities.api.principalId }],
            stateful,
        },
    );

    const bus = new TelemetryBus("telemetry-bus", {
        resourceGroupName: rg,
        subscriptionId: client.subscriptionId,
        location,
        tags,
        namespaceName: names.eventHubsNamespace,
        partitionCount: config.telemetry.eventHubPartitions,
        retentionDays: config.telemetry.eventHubRetentionDays,
        zoneRedundant: config.cosmos.zoneRedundant,
        allowedSubnetIds: [network.functionSubnetId],
        receiverPrincipalId: identities.ingest.principalId,
    });

    const cas = new DeviceCertificateAuthorities("device-ca", { ca: config.ca, organization: config.project });

    const hub = new IotHub(
        "iot",
        {
            hubName: names.iotHub,
            resourceGroupName: rg,
            location,
            subscriptionId: client.subscriptionId,
            tags,
            sku: config.iotHub.sku,
            units: config.iotHub.units,
            partitionCount: config.iotHub.partitionCount,
            messageRetentionDays: config.iotHub.messageRetentionDays,
            attestation: config.iotHub.attestation,
            publicNetworkAccess: config.iotHub.publicNetworkAccess,
            allowedIpRanges: config.iotHub.allowedIpRanges,
            blockedIpRanges: config.iotHub.blockedIpRanges,
            restrictOutboundNetworkAccess: config.iotHub.restrictOutboundNetworkAccess,
            extraAllowedFqdns: config.iotHub.extraAllowedFqdns,
            consumerGroups: config.iotHub.consumerGroups,
            route: {
                endpointUri: bus.endpointUri,
                fqdn: bus.fqdn,
                eventHubName: bus.eventHubName,
                resourceGroupName: rg,
                eventHubId: bus.eventHubId,
                enabled: config.telemetry.routeEnabled,
            },
            caCertificates: cas.cas,
            dataPlaneGrants: [
                ...(identities.dpsLink ? [{ name: DPS_LINK_GRANT, principalId: identities.dpsLink.principalId, roles: [...DPS_LINK_HUB_ROLES] }] : []),
                ...config.entra.operatorGroupIds.map((groupId) => ({ name: `operators-${groupId}`, principalId: groupId, principalType: "Group" as const, roles: ["IoTHubRegistryContributor" as const] })),
            ],
            // The endpoint's target exists, behind its firewall, before the hub saves the endpoint.
            routingPrerequisites: [bus.namespace, bus.networkRuleSet, bus.eventHub],
            stateful,
        },
    );

    let provisioning: ProvisioningService | undefined;
    if (config.dps.enabled) {
        if (!identities.dpsLink) throw new Error("unreachable: the DPS link identity exists whenever DPS is enabled");
        provisioning = new ProvisioningService(
            "dps",
            {
                dpsName: names.dps,
                resourceGroupName: rg,
                subscriptionId: client.subscriptionId,
                location,
                tags,
                allocationPolicy: config.dps.allocationPolicy,
                publicNetworkAccess: config.dps.publicNetworkAccess,
                allowedIpRanges: config.dps.allowedIpRanges,
                linkedHub: { hostName: hub.hostName, location, identityResourceId: identities.dpsLink.resourceId },
                // DPS checks the link when it is saved: its identity must already hold its roles on the hub.
                linkPrerequisites: [identities.dpsLink.identity, ...(hub.grants[DPS_LINK_GRANT] ?? [])],
                operatorGroupIds: config.entra.operatorGroupIds,
                caCertificates: cas.cas,
                stateful,
            },
        );
    }

    // Enrollment records as code: they wait for DPS, its hub, the CAs they trust and the deployer's data role.
    const enrollments = provisioning
        ? new DeviceEnrollments("enrollments", {
              dps: provisioning.dps,
              dpsName: names.dps,
              dpsId: provisioning.dpsId,
              subscriptionId: client.subscriptionId,
              deployerPrincipalId: client.objectId,
              hub: { resource: hub.hub, hostName: hub.hostName },
              certificates: provisioning.certificates.map((resource, i) => ({ name: cas.cas[i].name, resource })),
              groups: config.enrollments.groups,
              individuals: config.enrollments.individuals,
          })
        : undefined;

    // Service-side private access. Devices keep the public endpoints unless a stack turns them off.
    let privateEndpoints: PrivateEndpoints | undefined;
    if (config.privateNetwork.enabled && network.endpointSubnetId) {
        const targets = privateEndpointTargets(config.privateNetwork.services, names, { hub, provisioning, store, bus });
        privateEndpoints = new PrivateEndpoints("private-network", {
            resourceGroupName: rg,
            location,
            tags,
            networkName: names.virtualNetwork,
            virtualNetwork: network.virtualNetwork,
            endpointSubnetId: network.endpointSubnetId,
            targets,
        });
    }

    // Logs, metrics and alerts; the workspace also backs the ingest function's Application Insights.
    const obs = config.observability;
    const observability =
        obs.diagnosticsEnabled || obs.alertsEnabled
            ? new Observability("observability", {
                  resourceGroupName: rg,
                  location,
                  tags,
                  ...(obs.diagnosticsEnabled ? { diagnostics: { workspaceName: names.logAnalytics, retentionDays: obs.logRetentionDays } } : {}),
                  ...(obs.alertsEnabled
                      ? {
                            alerts: {
                                actionGroupName: names.actionGroup,
                                shortName: `${config.naming.prefix}-${config.environment}`.slice(0, 12),
                                emails: obs.alertEmails,
                                rulePrefix: `${config.naming.prefix}-${config.environment}`,
                            },
                        }
                      : {}),
              })
            : undefined;
    const workspace = observability?.workspace;

    const ingest = new IngestFunction("ingest", {
        resourceGroupName: rg,
        subscriptionId: client.subscriptionId,
        location,
        tags,
        names: { plan: names.functionPlan, app: names.functionApp, storage: names.functionStorage, applicationInsights: names.applicationInsights },
        identity: identities.ingest,
        subnetId: network.functionSubnetId,
        instanceMemoryMB: config.telemetry.functionInstanceMemoryMB,
        maximumInstances: config.telemetry.functionMaximumInstances,
        zoneRedundant: config.cosmos.zoneRedundant,
        eventHub: { fqdn: bus.fqdn, name: bus.eventHubName, consumerGroup: bus.consumerGroupName },
        cosmos: { endpoint: store.endpoint, database: config.cosmos.databaseName, container: config.cosmos.containerName, ttlSeconds: config.cosmos.ttlDays * 24 * 3600 },
        ...(workspace ? { workspaceId: workspace.id } : {}),
        package: ingestPackage,
        // The function starts reading and writing as soon as its code lands.
        deployAfter: [bus.receiverRole, bus.consumerGroup, ...store.roleAssignments, ...(privateEndpoints ? Object.values(privateEndpoints.zoneGroups) : [])],
    });

    // Defender for IoT and for Cosmos DB.
    const defense = config.threatProtection;
    if (defense.defenderForIot || defense.defenderForCosmos) {
        new ThreatProtection("threat-protection", {
            resourceGroupName: rg,
            location,
            tags,
            ...(defense.defenderForIot
                ? { iot: { solutionName: names.iotSecuritySolution, hub: hub.hub, ...(workspace ? { workspaceId: workspace.id } : {}) } }
                : {}),
            ...(defense.defenderForCosmos ? { cosmosAccount: store.account } : {}),
        });
    }

    // Azure delete locks on everything that holds state.
    const statefulResources = statefulTargets({ hub, provisioning, store });
    if (config.protection.lockStatefulResources) {
        new DeleteLocks("delete-locks", { targets: statefulResources });
    }

    const apps = new EntraApps("entra", {
        displayName: `${config.project} (${config.environment})`,
        owners: config.entra.owners,
        mobileRedirectUris: config.entra.mobileRedirectUris,
        preAuthorizeAzureCli: config.entra.azureCliAccess,
    });

    // The API (docs/API.md): exactly its IoT Hub data actions on the hub (a custom role; Cosmos DB
    // Data Reader on the container comes with the store), then its own function app behind App
    // Service authentication, configured from the API registration.
    const hubRole = new HubDataRole("api-hub-role", {
        subscriptionId: client.subscriptionId,
        hubName: names.iotHub,
        hubId: knownAfter(hub.hub, hub.hubId),
        principalId: identities.api.principalId,
        purpose: "API",
    });
    const cliClients = config.entra.azureCliAccess ? [AZURE_CLI_CLIENT_ID] : [];
    const api = new ApiFunction("api", {
        resourceGroupName: rg,
        subscriptionId: client.subscriptionId,
        location,
        tags,
        names: { plan: names.apiFunctionPlan, app: names.apiFunctionApp, storage: names.apiFunctionStorage, applicationInsights: names.apiApplicationInsights },
        identity: identities.api,
        subnetId: apiSubnetId,
        instanceMemoryMB: config.api.functionInstanceMemoryMB,
        maximumInstances: config.api.functionMaximumInstances,
        zoneRedundant: config.cosmos.zoneRedundant,
        ...(workspace ? { workspaceId: workspace.id } : {}),
        package: apiPackage,
        tenantId: client.tenantId,
        apiClientId: apps.api.clientId,
        mobileClientId: apps.mobile.clientId,
        additionalDelegatedClientIds: cliClients,
        appOnlyClientIds: config.entra.appOnlyClientIds,
        iotHubHostName: hub.hostName,
        cosmos: { endpoint: store.endpoint, database: config.cosmos.databaseName, container: config.cosmos.containerName },
        // The API answers requests as soon as its code lands.
        deployAfter: [hubRole.assignment, ...store.roleAssignments, ...(privateEndpoints ? Object.values(privateEndpoints.zoneGroups) : []), ...(network.apiNatGateway ? [network.apiNatGateway] : [])],
    });
    // Logs, metrics and alerts on the services, the telemetry path and the API.
    observability?.watch(monitoredResources({ hub, provisioning, store, bus, ingest, api }));

    return platformOutputs(config, names, stateful, { foundation, identities, network, store, bus, cas, hub, provisioning, enrollments, privateEndpoints, observability, ingest, ingestPackage, apps, hubRole, api, apiPackage, statefulResources });
}

/**
 * Where the API reaches the hub over the internet (no private endpoint for the hub), the hub's IP
 * filter (default Deny) must admit the API subnet's NAT address, known once the public IP exists.
 * Returns the warning to print, with the commands that fix it, or undefined when it is admitted.
 */
export function apiEgressWarning(hub: Pick<PlatformConfig["iotHub"], "allowedIpRanges" | "blockedIpRanges">, ip: string): string | undefined {
    const address = parseCidr(`${ip}/32`);
    if (!address.ok) return undefined;
    const within = (ranges: string[]) => ranges.some((r) => {
        const range = parseCidr(r);
        return range.ok && cidrContains(range.cidr, address.cidr);
    });
    if (within(hub.allowedIpRanges) && !within(hub.blockedIpRanges)) return undefined;
    return (
        `The API reaches the IoT hub over the internet from ${ip} (stack output apiEgressIpAddress), which the hub's IP filter does not admit: ` +
        "its method and twin routes fail (502) until it does. Run " +
        `\`pulumi config set --path 'iotHubAllowedIpRanges[${hub.allowedIpRanges.length}]' "$(pulumi stack output apiEgressIpAddress)/32"\` and \`pulumi up\` again.`
    );
}

/** The private endpoints the stack asks for, one per service that exists in it. */
function privateEndpointTargets(
    services: PrivateEndpointService[],
    names: ServiceNames,
    r: { hub: IotHub; provisioning: ProvisioningService | undefined; store: TelemetryStore; bus: TelemetryBus },
): PrivateEndpointTarget[] {
    return services.flatMap((service): PrivateEndpointTarget[] => {
        switch (service) {
            case "iotHub":
                return [{ name: "iot-hub", serviceName: names.iotHub, groupId: "iotHub", serviceId: r.hub.hub.id }];
            case "dps":
                return r.provisioning ? [{ name: "dps", serviceName: names.dps, groupId: "iotDps", serviceId: r.provisioning.dps.id }] : [];
            case "cosmos":
                return [{ name: "cosmos", serviceName: names.cosmos, groupId: "Sql", serviceId: r.store.account.id }];
            case "eventHubs":
                return [{ name: "event-hubs", serviceName: names.eventHubsNamespace, groupId: "namespace", serviceId: r.bus.namespace.id }];
        }
    });
}

/** What sends logs and metrics to the workspace (and carries alerts): the services, the telemetry path, the API. */
function monitoredResources(r: {
    hub: IotHub;
    provisioning: ProvisioningService | undefined;
    store: TelemetryStore;
    bus: TelemetryBus;
    ingest: IngestFunction;
    api: ApiFunction;
}): MonitoredResource[] {
    const blobService = (account: pulumi.CustomResource) => pulumi.interpolate`${account.id}/blobServices/default`;
    return [
        { service: "iotHub", resource: r.hub.hub },
        ...(r.provisioning ? [{ service: "dps" as const, resource: r.provisioning.dps }] : []),
        { service: "cosmos", resource: r.store.account },
        { service: "eventHubs", resource: r.bus.namespace },
        { service: "functionApp", resource: r.ingest.app },
        { service: "functionStorage", resource: r.ingest.storageAccount, diagnosticsUri: blobService(r.ingest.storageAccount) },
        ...(r.ingest.applicationInsights ? [{ service: "appInsights" as const, resource: r.ingest.applicationInsights }] : []),
        { service: "functionApp", key: "apiFunctionApp", resource: r.api.app },
        { service: "functionStorage", key: "apiFunctionStorage", resource: r.api.storageAccount, diagnosticsUri: blobService(r.api.storageAccount) },
    ];
}

/** Everything that holds state nobody can recreate: protected in Pulumi and, where configured, locked in Azure. */
function statefulTargets(r: { hub: IotHub; provisioning: ProvisioningService | undefined; store: TelemetryStore }): LockTarget[] {
    return [
        { key: "iotHub", resource: r.hub.hub },
        ...(r.provisioning ? [{ key: "dps" as const, resource: r.provisioning.dps }] : []),
        { key: "cosmosAccount", resource: r.store.account },
        { key: "cosmosDatabase", resource: r.store.database },
        { key: "cosmosContainer", resource: r.store.container },
    ];
}

/** The stack outputs, from the components the platform created. */
function platformOutputs(
    config: PlatformConfig,
    names: ServiceNames,
    stateful: StatefulProtection,
    r: {
        foundation: PlatformFoundation;
        identities: WorkloadIdentities;
        network: PlatformNetwork;
        store: TelemetryStore;
        bus: TelemetryBus;
        cas: DeviceCertificateAuthorities;
        hub: IotHub;
        provisioning: ProvisioningService | undefined;
        enrollments: DeviceEnrollments | undefined;
        privateEndpoints: PrivateEndpoints | undefined;
        observability: Observability | undefined;
        ingest: IngestFunction;
        ingestPackage: FunctionPackage;
        apps: EntraApps;
        hubRole: HubDataRole;
        api: ApiFunction;
        apiPackage: FunctionPackage;
        statefulResources: LockTarget[];
    },
): PlatformOutputs {
    const { foundation, identities, network, store, bus, cas, hub, provisioning, enrollments, privateEndpoints, observability, ingest, ingestPackage, apps, hubRole, api, apiPackage, statefulResources } = r;
    return {
        resourceGroupName: foundation.resourceGroupName,
        iotHubHostName: pulumi.output(hub.hostName),
        iotHubBuiltInEndpointFqdn: hub.builtInEndpointFqdn,
        dpsIdScope: provisioning?.idScope,
        dpsGlobalEndpoint: provisioning?.globalEndpoint,
        apiClientId: apps.api.clientId,
        apiIdentifierUri: apps.apiIdentifierUri,
        apiScopes: apps.scopeUris,
        mobileClientId: apps.mobile.clientId,
        apiManagedIdentityClientId: identities.api.clientId,
        cosmosEndpoint: store.endpoint,
        cosmosDatabase: config.cosmos.databaseName,
        cosmosContainer: config.cosmos.containerName,
        telemetry: {
            routeEnabled: config.telemetry.routeEnabled,
            eventHubsNamespace: names.eventHubsNamespace,
            eventHub: bus.eventHubName,
            consumerGroup: bus.consumerGroupName,
            ingestFunctionApp: names.functionApp,
            ingestFunctionHostName: ingest.hostName,
            packageSha256: ingestPackage.sha256,
        },
        apiBaseUrl: api.baseUrl,
        api: {
            functionApp: names.apiFunctionApp,
            packageSha256: apiPackage.sha256,
            hubRoleDefinitionId: hubRole.roleGuid,
            azureCliAccess: config.entra.azureCliAccess,
        },
        apiEgressIpAddress: network.apiEgressIp
            ? network.apiEgressIp.ipAddress.apply((ip) => {
                  const warning = ip ? apiEgressWarning(config.iotHub, ip) : undefined;
                  if (warning) void pulumi.log.warn(warning);
                  return ip ?? "";
              })
            : null,
        ingestManagedIdentityClientId: identities.ingest.clientId,
        deviceCaCertificates: pulumi.all(cas.cas.map((c) => c.notAfter.apply((notAfter) => ({ name: c.name, notAfter })))),
        devCaPrivateKeys: pulumi.secret(pulumi.all(cas.generatedPrivateKeys)),
        enrollmentGroups: enrollments?.summary ?? [],
        enrollmentGroupKeys: enrollments?.symmetricKeys ?? pulumi.secret<Record<string, { primaryKey: string; secondaryKey: string }>>({}),
        privateNetwork: privateEndpoints
            ? { virtualNetwork: names.virtualNetwork, endpointSubnet: config.privateNetwork.endpointSubnet, services: config.privateNetwork.services }
            : null,
        platformNetwork: { virtualNetwork: names.virtualNetwork, functionSubnet: config.telemetry.functionSubnet, apiSubnet: config.api.functionSubnet },
        logAnalyticsWorkspaceName: observability?.workspace ? names.logAnalytics : null,
        alertRules: Object.keys(observability?.alerts ?? {}),
        protectedResources: stateful.protect ? statefulResources.map((r) => r.key) : [],
        lockedResources: config.protection.lockStatefulResources ? statefulResources.map((r) => r.key) : [],
    };
}
