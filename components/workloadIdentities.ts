import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { knownAfter } from "./known";

export interface WorkloadIdentitiesArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    subscriptionId: pulumi.Input<string>;
    /** Plain names: the resource ids built from them are known at preview. */
    apiIdentityName: string;
    ingestIdentityName: string;
    /** DPS's identity on the linked hub; omitted when the stack has no DPS. */
    dpsLinkIdentityName?: string;
    tags: Record<string, string>;
}

export interface WorkloadIdentity {
    identity: managedidentity.UserAssignedIdentity;
    /** ARM id built from known parts, so inputs that carry it stay known at preview. */
    resourceId: pulumi.Output<string>;
    principalId: pulumi.Output<string>;
    clientId: pulumi.Output<string>;
}

/**
 * The user-assigned managed identities of the platform's workloads, created before the services
 * that use them so their data-plane roles exist first:
 * - the API back end's identity (reads Cosmos DB, talks to IoT Hub through Entra ID roles);
 * - the ingest function's identity (reads the telemetry event hub, writes the Cosmos DB container,
 *   reads and writes its own host storage, publishes to Application Insights; no keys anywhere);
 * - DPS's link identity (registers provisioned devices on the hub through an Entra ID data role,
 *   instead of the connection string of a hub SAS policy).
 *
 * The IoT Hub routes with its system-assigned identity instead: the Event Hubs firewall admits the
 * hub as a trusted Microsoft service only with that kind ("Only system-assigned managed identity
 * gives IoT Hub access to private resources", MicrosoftDocs/azure-docs
 * articles/iot-hub/iot-hub-managed-identity.md), see components/iotHub.ts.
 */
export class WorkloadIdentities extends pulumi.ComponentResource {
    public readonly api: WorkloadIdentity;
    public readonly ingest: WorkloadIdentity;
    public readonly dpsLink?: WorkloadIdentity;

    constructor(name: string, args: WorkloadIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:identity:WorkloadIdentities", name, {}, opts);
        const make = (logical: string, resourceName: string): WorkloadIdentity => {
            const identity = new managedidentity.UserAssignedIdentity(
                logical,
                { resourceName, resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
                { parent: this },
            );
            return {
                identity,
                // Known at preview, and linked to the identity (so a hub that routes with it is seen to).
                resourceId: knownAfter(
                    identity,
                    pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${resourceName}`,
                ),
                principalId: identity.principalId,
                clientId: identity.clientId,
            };
        };
        this.api = make("api", args.apiIdentityName);
        this.ingest = make("ingest", args.ingestIdentityName);
        if (args.dpsLinkIdentityName !== undefined) this.dpsLink = make("dps-link", args.dpsLinkIdentityName);
        this.registerOutputs({ apiClientId: this.api.clientId, ingestClientId: this.ingest.clientId });
    }
}
