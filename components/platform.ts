import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { PlatformConfig } from "../config/schema";
import { PlatformFoundation } from "./foundation";
import { WorkloadIdentities } from "./workloadIdentities";
import { TelemetryStore } from "./telemetryStore";
import { DeviceCertificateAuthorities } from "./deviceCa";
import { IotHub } from "./iotHub";
import { ProvisioningService } from "./provisioningService";
import { EntraApps } from "./entraApps";

/** What the stack exports. Anything that carries a key is a secret. */
export interface PlatformOutputs {
    resourceGroupName: pulumi.Output<string>;
    iotHubHostName: pulumi.Output<string>;
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
    /** Generated dev CA private keys (secret): to sign test device certificates. Empty for supplied CAs. */
    devCaPrivateKeys: pulumi.Output<Record<string, string>>;
}

/**
 * Builds the whole platform from validated configuration. The order matters for Azure: the
 * routing identity and its Cosmos DB role exist before the hub that routes with it, the hub
 * before the key DPS reads from it.
 */
export function createPlatform(config: PlatformConfig): PlatformOutputs {
    const client = authorization.getClientConfigOutput();
    const foundation = new PlatformFoundation("platform", {
        project: config.project,
        environment: config.environment,
        location: config.location,
        prefix: config.naming.prefix,
        suffix: config.naming.suffix,
        tags: config.tags,
    });
    const { names, tags, location } = foundation;
    // Known at preview, and every resource that uses it waits for the group.
    const rg = foundation.resourceGroupName;

    const identities = new WorkloadIdentities(
        "workloads",
        { resourceGroupName: rg, location, subscriptionId: client.subscriptionId, hubRoutingIdentityName: names.hubIdentity, apiIdentityName: names.apiIdentity, tags },
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
            dpsLinkedByKey: config.dps.enabled,
            disableLocalAuth: config.iotHub.disableLocalAuth,
            publicNetworkAccess: config.iotHub.publicNetworkAccess,
            allowedIpRanges: config.iotHub.allowedIpRanges,
            blockedIpRanges: config.iotHub.blockedIpRanges,
            restrictOutboundNetworkAccess: config.iotHub.restrictOutboundNetworkAccess,
            extraAllowedFqdns: config.iotHub.extraAllowedFqdns,
            consumerGroups: config.iotHub.consumerGroups,
            routingIdentityResourceId: identities.hubRouting.resourceId,
            route: { endpoint: store.endpoint, fqdn: store.fqdn, databaseName: config.cosmos.databaseName, containerName: config.cosmos.containerName, resourceGroupName: rg },
            caCertificates: cas.cas,
            dataPlaneGrants: [{ name: "api", principalId: identities.api.principalId, roles: config.entra.apiIotHubRoles }],
            // The routing endpoint is accepted only once the identity can write to the container.
            routingPrerequisites: [identities.hubRouting.identity, store.container, ...store.roleAssignments],
        },
    );

    let provisioning: ProvisioningService | undefined;
    if (config.dps.enabled) {
        if (!hub.dpsLinkConnectionString) throw new Error("unreachable: the hub exposes the dps-link connection string whenever DPS is enabled");
        provisioning = new ProvisioningService(
            "dps",
            {
                dpsName: names.dps,
                resourceGroupName: rg,
                location,
                tags,
                allocationPolicy: config.dps.allocationPolicy,
                publicNetworkAccess: config.dps.publicNetworkAccess,
                allowedIpRanges: config.dps.allowedIpRanges,
                linkedHub: { location, connectionString: hub.dpsLinkConnectionString },
                caCertificates: cas.cas,
            },
        );
    }

    const apps = new EntraApps("entra", {
        displayName: `${config.project} (${config.environment})`,
        owners: config.entra.owners,
        mobileRedirectUris: config.entra.mobileRedirectUris,
    });

    return {
        resourceGroupName: foundation.resourceGroupName,
        iotHubHostName: pulumi.output(hub.hostName),
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
        deviceCaCertificates: pulumi.all(cas.cas.map((c) => pulumi.all([c.notAfter]).apply(([notAfter]) => ({ name: c.name, notAfter })))),
        devCaPrivateKeys: pulumi.secret(pulumi.all(cas.generatedPrivateKeys)),
    };
}
