import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { PlatformConfig } from "../config/schema";
import { PlatformFoundation } from "./foundation";
import { WorkloadIdentities } from "./workloadIdentities";
import { TelemetryStore } from "./telemetryStore";
import { DeviceCertificateAuthorities } from "./deviceCa";
import { IotHub, type HubDataPlaneGrant } from "./iotHub";
import { ProvisioningService } from "./provisioningService";
import { DeviceEnrollments, type EnrollmentSummary } from "./deviceEnrollments";
import { EntraApps } from "./entraApps";
import { PrivateNetwork, type PrivateEndpointTarget } from "./privateNetwork";
import { Observability, type MonitoredResource } from "./observability";
import { ThreatProtection } from "./threatProtection";
import { DeleteLocks, type FormerIdentities, type LockTarget, type StatefulProtection } from "./stateful";

/** The name of DPS's grant on the hub (its role assignments are what DPS waits for). */
const DPS_LINK_GRANT = "dps-link";

/**
 * The data roles DPS's link identity holds on the hub: the Entra ID counterpart of the
 * RegistryWrite + ServiceConnect rights a key-based link needs (create the device identity, set its
 * initial twin). See docs/PRODUCTION.md for the source.
 */
export const DPS_LINK_HUB_ROLES: readonly HubDataPlaneGrant["roles"][number][] = ["IoTHubRegistryContributor", "IoTHubTwinContributor"];

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
    deviceCaCertificates: pulumi.Output<{ name: string; notAfter: string }[]>;
    /** DPS enrollment records managed as code: id, attestation, CAs, hubs, status. */
    enrollmentGroups: EnrollmentSummary[];
    /** Keys of symmetric-key enrollment groups (secret), by group id: to derive test device keys. */
    enrollmentGroupKeys: pulumi.Output<Record<string, { primaryKey: string; secondaryKey: string }>>;
    /** Generated dev CA private keys (secret): to sign test device certificates. Empty for supplied CAs. */
    devCaPrivateKeys: pulumi.Output<Record<string, string>>;
    /** The virtual network the private endpoints live in (peer with it to reach the services privately), and which services have one; null without a private network. */
    privateNetwork: { virtualNetwork: string; endpointSubnet: string; services: string[] } | null;
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
 * (see components/stateful.ts), so the update moves it instead of replacing it.
 */
export const FORMER_IDENTITIES: FormerIdentities = {};

export interface PlatformOptions {
    formerIdentities?: FormerIdentities;
}

/**
 * Builds the whole platform from validated configuration. The order matters for Azure: the
 * routing identity and its Cosmos DB role exist before the hub that routes with it, the hub
 * before the key DPS reads from it.
 */
export function createPlatform(config: PlatformConfig, options: PlatformOptions = {}): PlatformOutputs {
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
            hubRoutingIdentityName: names.hubIdentity,
            apiIdentityName: names.apiIdentity,
            ...(config.dps.enabled ? { dpsLinkIdentityName: names.dpsIdentity } : {}),
            tags,
        },
    );

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
            ttlDays: config.cosmos.ttlDays,
            writers: [{ name: "hub-routing", principalId: identities.hubRouting.principalId }],
            readers: [{ name: "api", principalId: identities.api.principalId }],
            stateful,
        },
    );

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
            routingIdentityResourceId: identities.hubRouting.resourceId,
            route: { endpoint: store.endpoint, fqdn: store.fqdn, databaseName: config.cosmos.databaseName, containerName: config.cosmos.containerName, resourceGroupName: rg },
            caCertificates: cas.cas,
            dataPlaneGrants: [
                { name: "api", principalId: identities.api.principalId, roles: config.entra.apiIotHubRoles },
                ...(identities.dpsLink ? [{ name: DPS_LINK_GRANT, principalId: identities.dpsLink.principalId, roles: [...DPS_LINK_HUB_ROLES] }] : []),
                ...config.entra.operatorGroupIds.map((groupId) => ({ name: `operators-${groupId}`, principalId: groupId, principalType: "Group" as const, roles: ["IoTHubRegistryContributor" as const] })),
            ],
            // The routing endpoint is accepted only once the identity can write to the container.
            routingPrerequisites: [identities.hubRouting.identity, store.container, ...store.roleAssignments],
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
    let privateNetwork: PrivateNetwork | undefined;
    if (config.privateNetwork.enabled) {
        const targets: PrivateEndpointTarget[] = config.privateNetwork.services.flatMap((service): PrivateEndpointTarget[] => {
            switch (service) {
                case "iotHub":
                    return [{ name: "iot-hub", serviceName: names.iotHub, groupId: "iotHub", serviceId: hub.hub.id }];
                case "dps":
                    return provisioning ? [{ name: "dps", serviceName: names.dps, groupId: "iotDps", serviceId: provisioning.dps.id }] : [];
                case "cosmos":
                    return [{ name: "cosmos", serviceName: names.cosmos, groupId: "Sql", serviceId: store.account.id }];
            }
        });
        privateNetwork = new PrivateNetwork("private-network", {
            resourceGroupName: rg,
            location,
            tags,
            networkName: names.virtualNetwork,
            securityGroupName: names.endpointSecurityGroup,
            addressSpace: config.privateNetwork.addressSpace,
            endpointSubnet: config.privateNetwork.endpointSubnet,
            targets,
        });
    }

    // Logs, metrics and alerts on the three services.
    const monitored: MonitoredResource[] = [
        { service: "iotHub", resource: hub.hub },
        ...(provisioning ? [{ service: "dps" as const, resource: provisioning.dps }] : []),
        { service: "cosmos", resource: store.account },
    ];
    const obs = config.observability;
    let observability: Observability | undefined;
    if (obs.diagnosticsEnabled || obs.alertsEnabled) {
        observability = new Observability("observability", {
            resourceGroupName: rg,
            location,
            tags,
            resources: monitored,
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
        });
    }

    // Defender for IoT and for Cosmos DB.
    const defense = config.threatProtection;
    if (defense.defenderForIot || defense.defenderForCosmos) {
        new ThreatProtection("threat-protection", {
            resourceGroupName: rg,
            location,
            tags,
            ...(defense.defenderForIot
                ? { iot: { solutionName: names.iotSecuritySolution, hub: hub.hub, ...(observability?.workspace ? { workspaceId: observability.workspace.id } : {}) } }
                : {}),
            ...(defense.defenderForCosmos ? { cosmosAccount: store.account } : {}),
        });
    }

    // Azure delete locks on everything that holds state.
    const statefulResources: LockTarget[] = [
        { key: "iotHub", resource: hub.hub },
        ...(provisioning ? [{ key: "dps" as const, resource: provisioning.dps }] : []),
        { key: "cosmosAccount", resource: store.account },
        { key: "cosmosDatabase", resource: store.database },
        { key: "cosmosContainer", resource: store.container },
    ];
    if (config.protection.lockStatefulResources) {
        new DeleteLocks("delete-locks", { targets: statefulResources });
    }

    const apps = new EntraApps("entra", {
        displayName: `${config.project} (${config.environment})`,
        owners: config.entra.owners,
        mobileRedirectUris: config.entra.mobileRedirectUris,
    });

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
        deviceCaCertificates: pulumi.all(cas.cas.map((c) => c.notAfter.apply((notAfter) => ({ name: c.name, notAfter })))),
        devCaPrivateKeys: pulumi.secret(pulumi.all(cas.generatedPrivateKeys)),
        enrollmentGroups: enrollments?.summary ?? [],
        enrollmentGroupKeys: enrollments?.symmetricKeys ?? pulumi.secret<Record<string, { primaryKey: string; secondaryKey: string }>>({}),
        privateNetwork: privateNetwork
            ? { virtualNetwork: names.virtualNetwork, endpointSubnet: config.privateNetwork.endpointSubnet, services: config.privateNetwork.services }
            : null,
        logAnalyticsWorkspaceName: observability?.workspace ? names.logAnalytics : null,
        alertRules: Object.keys(observability?.alerts ?? {}),
        protectedResources: stateful.protect ? statefulResources.map((r) => r.key) : [],
        lockedResources: config.protection.lockStatefulResources ? statefulResources.map((r) => r.key) : [],
    };
}
