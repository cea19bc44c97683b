/** OTH-06, rule family `locks` (the family's notes and sources: policies/policies.ts). */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/define";
import { resourceGroupKey, StackGraph } from "../../lib/graph";
import { CORE_SERVICE_KINDS, kindLabel, type TokenKind } from "../../lib/tokens";
import { needValue, peek } from "../../lib/unknowns";
import { isObj, lower } from "../../lib/values";

/** A lock's level: "cannotdelete", "readonly", or undefined when unknown/absent. */
function levelOf(lock: PolicyResource): string | undefined {
    const l = peek(lock.props, "level");
    return l.known ? lower(l.value) : undefined;
}

export const oth06Locks = stackRule<{ requireProtect: boolean; requireLock: boolean }>({
    id: "OTH-06",
    name: "oth-06-stateful-resources-locked-and-protected",
    description:
        "Stateful resources (IoT hub, Device Provisioning Service, Cosmos DB account) must be protected against deletion: the Pulumi `protect` resource option and a CanNotDelete management lock on the resource (ManagementLockAtResourceLevel, or ManagementLockByScope with the resource as scope, or a lock on its resource group). Locks are linked through propertyDependencies. A ReadOnly lock does not count: it blocks key listing and failover. Production concern: advisory in development stacks.",
    remediationSteps:
        "Pass { protect: true } to the resource and add authorization.ManagementLockAtResourceLevel { level: \"CanNotDelete\", resourceName: <resource>.name, resourceProviderNamespace, resourceType, parentResourcePath: \"\", resourceGroupName } (protect the lock too).",
    severity: "medium",
    anchors: "AVM lock",
    config: {
        requireProtect: { type: "boolean", default: true, description: "Require the Pulumi protect option." },
        requireLock: { type: "boolean", default: true, description: "Require a CanNotDelete management lock." },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const resourceLocks = graph.of("lockAtResource");
        const scopeLocks = graph.of("lockByScope");
        const groupLocks = graph.of("lockAtResourceGroup");
        const pending: Array<() => unknown> = [];
        for (const kind of CORE_SERVICE_KINDS as readonly TokenKind[]) {
            for (const r of graph.of(kind)) {
                const what = `${kindLabel(kind)} '${String(r.name)}'`;
                if (config.requireProtect && !(isObj(r.opts) && r.opts.protect === true)) {
                    report(`${what} does not set the protect resource option; \`pulumi destroy\` or a replacement would delete it.`, r.urn);
                }
                if (!config.requireLock) continue;
                const locks = [
                    ...resourceLocks.filter((l) => graph.refersTo(l, "resourceName", r, kind)),
                    ...scopeLocks.filter((l) => graph.refersTo(l, "scope", r, kind)),
                    ...groupLocks.filter((l) => {
                        const a = resourceGroupKey(graph, l);
                        return a !== undefined && a === resourceGroupKey(graph, r);
                    }),
                ];
                if (locks.length === 0) {
                    report(`${what} has no CanNotDelete management lock.`, r.urn);
                } else if (!locks.some((l) => levelOf(l) === "cannotdelete")) {
                    const unknownLevel = locks.find((l) => !peek(l.props, "level").known);
                    if (unknownLevel !== undefined) pending.push(() => needValue(unknownLevel.props, "level"));
                    else report(`${what} is locked with level ${locks.map((l) => levelOf(l) ?? "absent").join(", ")}; use CanNotDelete (ReadOnly blocks key listing and failover).`, r.urn);
                }
            }
        }
        for (const p of pending) p();
    },
});
