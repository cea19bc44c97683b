/**
 * Helpers shared by the `privateNetworking` rules (IOT-03, DPS-02, COS-07, OTH-02) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../define";
import { StackGraph } from "../graph";
import { hasPrivateEndpoint, PRIVATE_DNS_ZONES, propertyHolder } from "../privateEndpoints";
import type { TokenKind } from "../tokens";
import { needValue, peek } from "../unknowns";
import { eqi } from "../values";

export function publicAccessOf(target: PolicyResource, kind: TokenKind): { known: boolean; disabled: boolean; container: unknown; key: string } {
    const holder = propertyHolder(target, kind);
    if (holder === undefined) return { known: false, disabled: false, container: target.props, key: "properties" };
    const v = peek(holder, "publicNetworkAccess");
    return { known: v.known, disabled: v.known && eqi(v.value, "Disabled"), container: holder, key: "publicNetworkAccess" };
}

export type Requirement = "always" | "whenPublicAccessDisabled";

/** A stack rule requiring a private endpoint with `groupId` for every resource of `kind` (IOT-03, DPS-02, COS-07, EVH-05). */
export function privateEndpointRule(id: string, name: string, kind: TokenKind, what: string, groupId: string, defaultRequirement: Requirement, anchors: string) {
    return stackRule<{ requirement: Requirement }>({
        id,
        name,
        description: `Each ${what} must be reachable through a private endpoint (network PrivateEndpoint with a private-link connection to it, groupId "${groupId}") when its public network access is disabled, or always when the stack's policy config says so (production). The endpoint is linked to the ${what} through propertyDependencies.`,
        remediationSteps: `Add a network.PrivateEndpoint in the workload subnet with privateLinkServiceConnections: [{ name, privateLinkServiceId: <${what}>.id, groupIds: ["${groupId}"] }] and a PrivateDnsZoneGroup for ${PRIVATE_DNS_ZONES[groupId.toLowerCase()] ?? "its privatelink zone"} (OTH-02).`,
        severity: "medium",
        anchors,
        config: {
            requirement: {
                type: "string",
                enum: ["always", "whenPublicAccessDisabled"],
                default: defaultRequirement,
                description: "When a private endpoint is required.",
            },
        },
        validate({ resources, config, report }) {
            const graph = new StackGraph(resources);
            const pending: Array<() => unknown> = [];
            for (const target of graph.of(kind)) {
                let required = config.requirement === "always";
                if (!required) {
                    const access = publicAccessOf(target, kind);
                    if (!access.known) {
                        pending.push(() => needValue(access.container, access.key));
                        continue;
                    }
                    required = access.disabled;
                }
                if (!required) continue;
                if (hasPrivateEndpoint(graph, target, kind, groupId)) continue;
                report(`${what} '${String(target.name)}' has no private endpoint with groupId "${groupId}"${config.requirement === "always" ? "" : " although its public network access is disabled (it is unreachable)"}.`, target.urn);
            }
            for (const p of pending) p();
        },
    });
}
