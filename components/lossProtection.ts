/**
 * Nothing lost by accident. The resources that hold state nobody can recreate:
 * - the IoT hub (its device registry, twins and CA registrations; it is also replaced by a change of
 *   minTlsVersion or partition count),
 * - the Device Provisioning Service (its enrollment groups and registration records),
 * - the Cosmos DB account, database and container (the telemetry).
 *
 * Two independent guards, both switched per stack in configuration:
 * - `protect` (Pulumi): no `pulumi up` or `pulumi destroy` deletes or replaces them; the engine
 *   stops with an error instead. Lifted by configuration (`protectStatefulResources: false`, then
 *   `pulumi up`) or per resource with `pulumi state unprotect <urn>`.
 * - a `CanNotDelete` management lock (Azure): nobody deletes them in the portal, the CLI or another
 *   tool either. Azure applies a lock to the resource's children too, so while it stands a child
 *   cannot be deleted: a retired CA certificate, a consumer group, a private endpoint connection,
 *   a Cosmos DB role assignment. Lifted by configuration (`lockStatefulResources: false`, then
 *   `pulumi up`).
 *
 * Renames: a stateful resource's URN comes from its logical name, its type and its parent chain.
 * Renaming any of them in code would make Pulumi create a new resource and delete the old one
 * (protect then stops the update, but the code is still wrong). `FormerIdentities` carries the
 * aliases that tell the engine "this is the same resource it used to be".
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";

export type StatefulResource = "iotHub" | "dps" | "cosmosAccount" | "cosmosDatabase" | "cosmosContainer";

export const STATEFUL_RESOURCES: readonly StatefulResource[] = ["iotHub", "dps", "cosmosAccount", "cosmosDatabase", "cosmosContainer"];

/**
 * What each stateful resource used to be called, when code renamed it or moved it under another
 * component. Add an entry whenever you change a logical name, a component's name or type, or a
 * parent, e.g. after moving the hub from component "iot" to component "hub":
 *
 *     iotHub: [{ parent: pulumi.createUrn("iot", "secure-iot:iot:IotHub") }]
 *
 * and keep it until every stack has been updated once (`pulumi up` moves the state to the new URN).
 */
export type FormerIdentities = Partial<Record<StatefulResource, pulumi.Input<string | pulumi.Alias>[]>>;

/** How a component registers its stateful resources. */
export interface StatefulProtection {
    /** Pulumi `protect` on the stateful resources (never on their components: it would spread to every child). */
    protect: boolean;
    formerIdentities?: FormerIdentities;
}

/** Resource options for one stateful resource: protect plus the aliases of its former identities. */
export function statefulOptions(key: StatefulResource, protection: StatefulProtection | undefined): Pick<pulumi.CustomResourceOptions, "protect" | "aliases"> {
    const aliases = protection?.formerIdentities?.[key] ?? [];
    return { protect: protection?.protect ?? false, ...(aliases.length > 0 ? { aliases } : {}) };
}

export interface LockTarget {
    key: StatefulResource;
    /** The resource to lock; the lock's scope is its `id`, which links the lock to it. */
    resource: pulumi.CustomResource;
}

export interface DeleteLocksArgs {
    targets: LockTarget[];
    /** Shown on each lock in the portal: why it is there and how to lift it. */
    notes?: string;
}

export const LOCK_NAME = "do-not-delete";
export const LOCK_NOTES =
    "Managed by Pulumi (secure-iot-platform). Holds device registry, enrollments or telemetry. To remove on purpose: " +
    "pulumi config set lockStatefulResources false && pulumi up (see docs/PRODUCTION.md).";

/**
 * A `CanNotDelete` management lock on each target. The locks themselves are never protected, so
 * switching `lockStatefulResources` off removes them in one `pulumi up`.
 */
export class DeleteLocks extends pulumi.ComponentResource {
    public readonly locks: Record<string, authorization.ManagementLockByScope>;

    constructor(name: string, args: DeleteLocksArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:protection:DeleteLocks", name, {}, opts);
        this.locks = {};
        for (const target of args.targets) {
            this.locks[target.key] = new authorization.ManagementLockByScope(
                `lock-${target.key}`,
                { scope: target.resource.id, lockName: LOCK_NAME, level: "CanNotDelete", notes: args.notes ?? LOCK_NOTES },
                // Explicitly unprotected: the lock must go away when configuration lifts it.
                { parent: this, protect: false },
            );
        }
        this.registerOutputs({ locked: args.targets.map((t) => t.key) });
    }
}
