import * as pulumi from "@pulumi/pulumi";

/**
 * A value that is known at preview but still carries a dependency on `resource`: derived from the
 * resource's URN (known as soon as it is registered), so the engine creates `resource` first
 * while policies and reviewers see the value itself in the plan. Used for names built from
 * configuration, e.g. the resource group's name: passing the plain string would lose the
 * ordering, passing `rg.name` would make every input that carries it unknown at preview.
 */
export function knownAfter<T>(resource: pulumi.Resource, value: T): pulumi.Output<T> {
    return resource.urn.apply(() => value);
}

/**
 * `value` (an input that may already be an output, e.g. an ARM id interpolated from known parts)
 * carrying a dependency on `resource` as well: known at preview when `value` is, and linked to
 * `resource` in the engine's property dependencies (which the policy pack follows).
 */
export function dependingOn<T>(resource: pulumi.Resource, value: pulumi.Input<T>): pulumi.Output<T> {
    return pulumi.all([resource.urn, value]).apply(([, v]) => v as T);
}
