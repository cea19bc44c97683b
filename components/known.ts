import * as pulumi from "@pulumi/pulumi";

/**
 * `value` carrying a dependency on `resource`: derived from the resource's URN (known as soon as
 * it is registered), so the engine creates `resource` first and records the link in the
 * property dependencies (which the policy pack follows), while the value itself stays known at
 * preview whenever it is known. Used for names and ARM ids built from configuration, e.g. the
 * resource group's name: the plain string would lose the ordering, `rg.name` would make every
 * input that carries it unknown at preview.
 */
export function knownAfter<T>(resource: pulumi.Resource, value: pulumi.Input<T>): pulumi.Output<T> {
    return pulumi.all([resource.urn, value]).apply(([, v]) => v as T);
}
