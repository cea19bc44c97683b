/**
 * The Device Provisioning Service, keyless end to end:
 * - it links the hub by a user-assigned managed identity (`authenticationType: UserAssigned`), not
 *   by the connection string of a hub SAS policy, so the hub keeps local auth off; the identity
 *   holds Entra ID data roles scoped to the hub (granted by the IotHub component, and this
 *   resource waits for them: DPS checks the link when it is saved);
 * - its own local auth is off (`disableLocalAuth`) and it has no SAS policies: enrollments are
 *   managed with Entra ID (Device Provisioning Service Data Contributor for the operator groups);
 * - an IP filter with an explicit reject-all at the end (DPS filtering has no default action);
 * - the device CAs registered as verified so X.509 enrollment groups can chain to them.
 * DPS accepts TLS 1.2 only; there is nothing to set.
 *
 * The API version. azure-native 3.28.0's typed `IotDpsResource` speaks 2023-03-01-preview, which
 * links hubs by connection string only. Identity-based linking (`iotHubs[].authenticationType`,
 * `selectedUserAssignedIdentityResourceId`, `hostName`) and `disableLocalAuth` are in the stable
 * 2026-08-01 API (Azure/azure-rest-api-specs, specification/deviceprovisioningservices/
 * resource-manager/Microsoft.Devices/DeviceProvisioningServices/examples/2026-08-01/
 * DPSCreateWithIotHub.json and DPSCreate_DisableLocalAuthFalse.json). The SDK's generic ARM
 * resource (`resources.Resource`) sends any API version, so this component drives it with a
 * typed argument shape of its own. (`pulumi package add azure-native deviceprovisioningservices
 * <version>` would generate a typed local SDK instead, but it needs the Pulumi CLI at build time
 * and a generated package in the repository; the generic resource keeps the project buildable
 * and testable with npm alone. See docs/PRODUCTION.md.)
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as dps from "@pulumi/azure-native/deviceprovisioningservices";
import * as resources from "@pulumi/azure-native/resources";
import type { DeviceCa } from "./deviceCa";
import { knownAfter } from "./known";
import { statefulOptions, type StatefulProtection } from "./lossProtection";

/** The DPS API version the platform deploys with: the newest stable one that links hubs by identity. */
export const DPS_API_VERSION = "2026-08-01";

/** Built-in Azure role for the DPS data plane (enrollments, registrations), by its definition id. */
export const DPS_DATA_CONTRIBUTOR = "dfce44e4-17b7-4bd1-a6d1-04996ec95633";

/** The ARM body of a linked hub, as DPS API 2026-08-01 takes it (no connection string). */
export interface IdentityLinkedHub {
    hostName: string;
    location: string;
    authenticationType: "UserAssigned";
    selectedUserAssignedIdentityResourceId: pulumi.Input<string>;
    allocationWeight?: number;
    applyAllocationPolicy?: boolean;
}

export interface ProvisioningServiceArgs {
    dpsName: string;
    /** Must be the hub's resource group: DPS and its linked hub live and are deleted together. */
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    /** How DPS picks a hub; the platform passes dpsAllocationPolicy. */
    allocationPolicy: "Hashed" | "GeoLatency" | "Static";
    /**
     * Default Disabled: provisioning through private endpoints only, the secure choice for a DPS
     * used on its own. Note this differs from Pulumi.yaml's dpsPublicNetworkAccess default
     * (Enabled, with an IP allow list); the platform always passes the validated setting.
     */
    publicNetworkAccess?: "Enabled" | "Disabled";
    /** Ranges allowed to provision; a final reject-all rule denies the rest. Default none, as Pulumi.yaml declares. */
    allowedIpRanges?: string[];
    /** The hub this DPS assigns devices to, and the identity DPS reaches it with. */
    linkedHub: {
        hostName: string;
        location: string;
        /** ARM id of the user-assigned identity DPS links with (known at preview). */
        identityResourceId: pulumi.Input<string>;
    };
    /**
     * What must exist before DPS: the link identity and its data roles on the hub (DPS validates
     * the link when it is saved).
     */
    linkPrerequisites?: pulumi.Resource[];
    /** Entra groups of the operators: Device Provisioning Service Data Contributor on this DPS. Default none, as Pulumi.yaml declares. */
    operatorGroupIds?: string[];
    caCertificates?: DeviceCa[];
    /** Pulumi protect and former identities of DPS (it holds the enrollments and registrations). */
    stateful?: StatefulProtection;
}

/**
 * The types the DPS had while the SDK's typed class deployed it (v3 module name, and v2's), so an
 * existing stack moves the same resource to the new type instead of creating another.
 */
const TYPED_DPS = ["azure-native:deviceprovisioningservices:IotDpsResource", "azure-native:devices:IotDpsResource"];

export class ProvisioningService extends pulumi.ComponentResource {
    public readonly dps: resources.Resource;
    public readonly certificates: dps.DpsCertificate[];
    public readonly operatorRoleAssignments: authorization.RoleAssignment[];
    public readonly idScope: pulumi.Output<string>;
    public readonly globalEndpoint: string;
    /** `/subscriptions/.../provisioningServices/<name>`, built from known parts. */
    public readonly dpsId: pulumi.Output<string>;

    constructor(name: string, args: ProvisioningServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:iot:ProvisioningService", name, {}, opts);
        const publicAccess = args.publicNetworkAccess ?? "Disabled"; // secure default on its own; not Pulumi.yaml's (see the arg)
        const ipFilterRules = [
            ...(args.allowedIpRanges ?? []).map((ipMask, i) => ({ filterName: `allow-${i + 1}`, action: "Accept" as const, ipMask, target: "all" as const })),
            // Without this rule DPS accepts every address the list does not mention.
            { filterName: "reject-all", action: "Reject" as const, ipMask: "0.0.0.0/0", target: "all" as const },
        ];
        const linkedHub: IdentityLinkedHub = {
            hostName: args.linkedHub.hostName,
            location: args.linkedHub.location,
            authenticationType: "UserAssigned",
            selectedUserAssignedIdentityResourceId: args.linkedHub.identityResourceId,
        };
        const stateful = statefulOptions("dps", args.stateful);
        this.dps = new resources.Resource(
            "dps",
            {
                resourceProviderNamespace: "Microsoft.Devices",
                parentResourcePath: "",
                resourceType: "provisioningServices",
                resourceName: args.dpsName,
                apiVersion: DPS_API_VERSION,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                tags: args.tags,
                sku: { name: "S1", capacity: 1 },
                identity: { type: "UserAssigned", userAssignedIdentities: [args.linkedHub.identityResourceId] },
                properties: {
                    allocationPolicy: args.allocationPolicy,
                    publicNetworkAccess: publicAccess,
                    ipFilterRules,
                    // Explicitly none, and no SAS at all: Azure would otherwise create provisioningserviceowner.
                    authorizationPolicies: [],
                    disableLocalAuth: true,
                    iotHubs: [linkedHub],
                },
            },
            {
                parent: this,
                dependsOn: args.linkPrerequisites ?? [],
                protect: stateful.protect,
                // The same DPS the typed class created: the state moves to the new type in place.
                aliases: [...TYPED_DPS.map((type) => ({ type })), ...(stateful.aliases ?? [])],
            },
        );
        const dpsName = knownAfter(this.dps, args.dpsName);
        this.dpsId = knownAfter(
            this.dps,
            pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.Devices/provisioningServices/${args.dpsName}`,
        );
        this.certificates = (args.caCertificates ?? []).map(
            (ca) =>
                new dps.DpsCertificate(
                    `ca-${ca.name}`,
                    {
                        provisioningServiceName: dpsName,
                        resourceGroupName: args.resourceGroupName,
                        certificateName: ca.name,
                        properties: { certificate: ca.pem, isVerified: true },
                    },
                    { parent: this },
                ),
        );
        // Enrollments are managed by people with Entra ID (az iot dps ... --auth-type login), never with a DPS key.
        this.operatorRoleAssignments = (args.operatorGroupIds ?? []).map(
            (groupId) =>
                new authorization.RoleAssignment(
                    `operators-${groupId}-DpsDataContributor`,
                    {
                        principalId: groupId,
                        principalType: "Group",
                        roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${DPS_DATA_CONTRIBUTOR}`,
                        scope: this.dpsId,
                        description: `operators: Device Provisioning Service Data Contributor on ${args.dpsName}`,
                    },
                    { parent: this },
                ),
        );
        this.idScope = this.dps.properties.apply((p: { idScope?: string } | undefined) => p?.idScope ?? "");
        this.globalEndpoint = "global.azure-devices-provisioning.net";
        this.registerOutputs({ idScope: this.idScope, globalEndpoint: this.globalEndpoint });
    }
}
