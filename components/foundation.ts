import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import { serviceNames } from "../config/schema";
import { knownAfter } from "./known";

export type ServiceNames = ReturnType<typeof serviceNames>;

export interface FoundationArgs {
    project: string;
    environment: string;
    location: string;
    prefix: string;
    /** Stable suffix that makes the global names unique; derived from configuration, never random. */
    suffix: string;
    /** Extra tags; environment, managedBy and project are always set and cannot be overridden. Default none, as Pulumi.yaml declares. */
    tags?: Record<string, string>;
    /**
     * Create the resource group (default, as Pulumi.yaml declares), or use the one of the same name that already exists:
     * the bootstrap project creates each stack's group so the pipeline's deploy identity can be
     * scoped to it, and that identity cannot create resource groups itself.
     */
    createResourceGroup?: boolean;
}

/**
 * Naming and placement: the deterministic, service-valid names of every resource (known at
 * preview, so nothing that depends on them turns unknown), the tags every resource carries, and
 * the resource group that holds the platform.
 */
export class PlatformFoundation extends pulumi.ComponentResource {
    public readonly names: ServiceNames;
    public readonly tags: Record<string, string>;
    public readonly location: string;
    /** The group, when this stack creates it. */
    public readonly resourceGroup?: resources.ResourceGroup;
    /** The resource group's name: known at preview, and carrying the dependency on the group. */
    public readonly resourceGroupName: pulumi.Output<string>;

    constructor(name: string, args: FoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:platform:Foundation", name, {}, opts);
        this.names = serviceNames(args.prefix, args.environment, args.suffix);
        this.tags = { ...(args.tags ?? {}), environment: args.environment, managedBy: "pulumi", project: args.project };
        this.location = args.location;
        if (args.createResourceGroup ?? true) {
            this.resourceGroup = new resources.ResourceGroup(
                "rg",
                { resourceGroupName: this.names.resourceGroup, location: args.location, tags: this.tags },
                { parent: this },
            );
            this.resourceGroupName = knownAfter(this.resourceGroup, this.names.resourceGroup);
        } else {
            this.resourceGroupName = pulumi.output(this.names.resourceGroup);
        }
        this.registerOutputs({ resourceGroupName: this.resourceGroupName, names: this.names });
    }
}
