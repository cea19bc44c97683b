/**
 * Microsoft Defender for Cloud on the platform's attack surface, each switchable per stack:
 * - Defender for IoT: an IoT security solution over the hub (security recommendations and alerts
 *   about the hub's configuration and the devices' behaviour, exported to the workspace when one
 *   exists);
 * - Defender for Azure Cosmos DB: advanced threat protection on the account (alerts on SQL
 *   injection patterns, anomalous access, key or data exfiltration).
 * Both take the protected resource's `id` output, so they wait for it and are linked to it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as security from "@pulumi/azure-native/security";

export interface ThreatProtectionArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    /** Defender for IoT over this hub; omitted: not enabled. */
    iot?: { solutionName: string; hub: pulumi.CustomResource; workspaceId?: pulumi.Input<string> };
    /** Defender for Cosmos DB on this account; omitted: not enabled. */
    cosmosAccount?: pulumi.CustomResource;
}

export class ThreatProtection extends pulumi.ComponentResource {
    public readonly iotSecuritySolution?: security.IotSecuritySolution;
    public readonly cosmosThreatProtection?: security.AdvancedThreatProtection;

    constructor(name: string, args: ThreatProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:security:ThreatProtection", name, {}, opts);
        if (args.iot) {
            this.iotSecuritySolution = new security.IotSecuritySolution(
                "defender-iot",
                {
                    solutionName: args.iot.solutionName,
                    displayName: args.iot.solutionName,
                    resourceGroupName: args.resourceGroupName,
                    location: args.location,
                    tags: args.tags,
                    status: "Enabled",
                    iotHubs: [args.iot.hub.id],
                    // Device IPs stay masked in alerts: they identify customers' sites.
                    unmaskedIpLoggingStatus: "Disabled",
                    ...(args.iot.workspaceId !== undefined ? { workspace: args.iot.workspaceId } : {}),
                },
                { parent: this },
            );
        }
        if (args.cosmosAccount) {
            this.cosmosThreatProtection = new security.AdvancedThreatProtection(
                "defender-cosmos",
                // Azure knows this setting only by the name "current".
                { resourceId: args.cosmosAccount.id, settingName: "current", isEnabled: true },
                { parent: this },
            );
        }
        this.registerOutputs({ defenderForIot: this.iotSecuritySolution !== undefined, defenderForCosmos: this.cosmosThreatProtection !== undefined });
    }
}
