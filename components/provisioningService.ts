import * as pulumi from "@pulumi/pulumi";
import * as dps from "@pulumi/azure-native/deviceprovisioningservices";
import type { DeviceCa } from "./deviceCa";
import { statefulOptions, type StatefulProtection } from "./stateful";

export interface ProvisioningServiceArgs {
    dpsName: string;
    /** Must be the hub's resource group: DPS and its linked hub live and are deleted together. */
    resourceGroupName: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    allocationPolicy?: "Hashed" | "GeoLatency" | "Static";
    /** Default Disabled: provisioning through private endpoints only. */
    publicNetworkAccess?: "Enabled" | "Disabled";
    /** Ranges allowed to provision; a final reject-all rule denies the rest. */
    allowedIpRanges?: string[];
    /** The hub this DPS assigns devices to, reached with the dps-link policy's connection string. */
    linkedHub: {
        location: string;
        /** Secret connection string of the hub's dps-link policy (RegistryWrite, ServiceConnect). */
        connectionString: pulumi.Input<string>;
    };
    caCertificates?: DeviceCa[];
    /** Pulumi protect and former identities of DPS (it holds the enrollments and registrations). */
    stateful?: StatefulProtection;
}

/**
 * The Device Provisioning Service: linked to the hub through the least-privilege dps-link policy,
 * no SAS policies of its own (enrollments are managed with Entra ID roles), IP filter with an
 * explicit reject-all at the end (DPS filtering has no default action), and the device CAs
 * registered as verified so X.509 enrollment groups can chain to them. DPS accepts TLS 1.2 only.
 */
export class ProvisioningService extends pulumi.ComponentResource {
    public readonly dps: dps.IotDpsResource;
    public readonly certificates: dps.DpsCertificate[];
    public readonly idScope: pulumi.Output<string>;
    public readonly globalEndpoint: string;

    constructor(name: string, args: ProvisioningServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:iot:ProvisioningService", name, {}, opts);
        const publicAccess = args.publicNetworkAccess ?? "Disabled";
        const ipFilterRules = [
            ...(args.allowedIpRanges ?? []).map((ipMask, i) => ({ filterName: `allow-${i + 1}`, action: "Accept" as const, ipMask, target: "all" as const })),
            // Without this rule DPS accepts every address the list does not mention.
            { filterName: "reject-all", action: "Reject" as const, ipMask: "0.0.0.0/0", target: "all" as const },
        ];
        this.dps = new dps.IotDpsResource(
            "dps",
            {
                provisioningServiceName: args.dpsName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                tags: args.tags,
                sku: { name: "S1", capacity: 1 },
                properties: {
                    allocationPolicy: args.allocationPolicy ?? "Hashed",
                    publicNetworkAccess: publicAccess,
                    ipFilterRules,
                    // Explicitly none: Azure would otherwise create provisioningserviceowner with every right.
                    authorizationPolicies: [],
                    iotHubs: [{ connectionString: pulumi.secret(args.linkedHub.connectionString), location: args.linkedHub.location }],
                },
            },
            { parent: this, ...statefulOptions("dps", args.stateful) },
        );
        this.certificates = (args.caCertificates ?? []).map(
            (ca) =>
                new dps.DpsCertificate(
                    `ca-${ca.name}`,
                    {
                        provisioningServiceName: this.dps.name,
                        resourceGroupName: args.resourceGroupName,
                        certificateName: ca.name,
                        properties: { certificate: ca.pem, isVerified: true },
                    },
                    { parent: this },
                ),
        );
        // The id scope is public (devices are configured with it); it only inherits secrecy from the
        // link's connection string inside the same properties object.
        this.idScope = pulumi.unsecret(this.dps.properties.apply((p) => p.idScope ?? ""));
        this.globalEndpoint = "global.azure-devices-provisioning.net";
        this.registerOutputs({ idScope: this.idScope, globalEndpoint: this.globalEndpoint });
    }
}
