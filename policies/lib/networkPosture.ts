/**
 * The effective network posture of the stores the telemetry path uses (Event Hubs and Service Bus
 * namespaces, storage accounts, Cosmos DB accounts), read from the program's inputs. Shared by
 * EVH-03 (namespace public access) and ROUTE-01 (can IoT Hub reach a routing endpoint's store).
 *
 * Event Hubs / Service Bus keep the public-access switch in two places that are one setting: the
 * namespace's `publicNetworkAccess` and the `networkRuleSets/default` child's `publicNetworkAccess`
 * (whichever is written last wins). Both default to "Enabled" (the API default, and the SDK's
 * default for `eventhub.Namespace` and `eventhub.NamespaceNetworkRuleSet`), so a rule set declared
 * without the field re-opens a namespace declared Disabled. The rule set's `defaultAction` defaults
 * to "Allow" from API 2021-06-01-preview on (MicrosoftDocs/azure-docs
 * articles/event-hubs/event-hubs-ip-filtering.md, "Default action and public network access").
 */
import type { PolicyResource } from "@pulumi/policy";
import type { StackGraph } from "./graph";
import type { TokenKind } from "./tokens";
import { knownElements, needValue, peek } from "./unknowns";
import { arr, bool, isObj, lower, str } from "./values";

export interface IpRuleView {
    index: number;
    mask: string | undefined;
    action: string | undefined;
}

export interface NamespacePosture {
    /**
     * Effective public network access (lower-case): "enabled" when any place says enabled (the
     * order of the writes is not known), "unknown" when no place is known yet.
     */
    publicNetworkAccess: string;
    /** Per place: where it is set and its value (lower-case; absent = API default "enabled"). */
    accessSettings: Array<{ where: string; value: string }>;
    /** The rule sets linked to the namespace. */
    ruleSets: PolicyResource[];
    /** Effective default action: "allow" without a rule set. */
    defaultAction: string;
    trustedServiceAccessEnabled: boolean;
    ipRules: Array<IpRuleView & { ruleSet: PolicyResource }>;
    virtualNetworkRules: number;
    /** Reads of values unknown at preview that a decision needs (call them to let CrossGuard say so). */
    pending: Array<() => unknown>;
}

/** The namespace's rule sets (`namespaceName` computed from it, or naming it). */
export function ruleSetsOf(graph: StackGraph, ns: PolicyResource, nsKind: TokenKind, rsKind: TokenKind): PolicyResource[] {
    return graph.of(rsKind).filter((rs) => graph.refersTo(rs, "namespaceName", ns, nsKind));
}

function accessValue(container: unknown, key: string, pending: Array<() => unknown>): string | undefined {
    const p = peek(container, key);
    if (!p.known) {
        pending.push(() => needValue(container, key));
        return undefined;
    }
    return lower(p.value) ?? "enabled";
}

/** Network posture of an Event Hubs or Service Bus namespace and its rule sets. */
export function namespacePosture(graph: StackGraph, ns: PolicyResource, nsKind: TokenKind, rsKind: TokenKind): NamespacePosture {
    const pending: Array<() => unknown> = [];
    const accessSettings: Array<{ where: string; value: string }> = [];
    const own = accessValue(ns.props, "publicNetworkAccess", pending);
    if (own !== undefined) accessSettings.push({ where: `namespace '${String(ns.name)}'`, value: own });
    const ruleSets = ruleSetsOf(graph, ns, nsKind, rsKind);
    let denies = 0;
    let trusted = false;
    let vnetRules = 0;
    const ipRules: Array<IpRuleView & { ruleSet: PolicyResource }> = [];
    for (const rs of ruleSets) {
        const v = accessValue(rs.props, "publicNetworkAccess", pending);
        if (v !== undefined) accessSettings.push({ where: `rule set '${String(rs.name)}'`, value: v });
        const da = peek(rs.props, "defaultAction");
        if (!da.known) pending.push(() => needValue(rs.props, "defaultAction"));
        else if (lower(da.value) === "deny") denies++;
        const t = peek(rs.props, "trustedServiceAccessEnabled");
        if (!t.known) pending.push(() => needValue(rs.props, "trustedServiceAccessEnabled"));
        else if (bool(t.value) === true) trusted = true;
        const ips = peek(rs.props, "ipRules");
        if (!ips.known) pending.push(() => needValue(rs.props, "ipRules"));
        else {
            const list = arr<unknown>(ips.value);
            const known = knownElements(list);
            if (known.length < list.length) pending.push(() => needValue(rs.props, "ipRules"));
            for (const { index, value } of known) {
                const mask = isObj(value) ? peek(value, "ipMask") : { known: true as const, value: undefined };
                if (!mask.known) pending.push(() => needValue(value, "ipMask"));
                ipRules.push({ index, mask: mask.known ? str(mask.value) : undefined, action: isObj(value) ? lower(value["action"]) : undefined, ruleSet: rs });
            }
        }
        const vnets = peek(rs.props, "virtualNetworkRules");
        if (vnets.known) vnetRules += arr(vnets.value).length;
    }
    // A namespace has one rule set ("default"); with several, the least restrictive one counts.
    const defaultAction = ruleSets.length > 0 && denies === ruleSets.length ? "deny" : "allow";
    const values = accessSettings.map((a) => a.value);
    let publicNetworkAccess: string;
    if (values.length === 0) publicNetworkAccess = "unknown";
    else if (values.includes("enabled")) publicNetworkAccess = "enabled";
    else publicNetworkAccess = values.find((v) => v !== "disabled") ?? "disabled";
    return { publicNetworkAccess, accessSettings, ruleSets, defaultAction, trustedServiceAccessEnabled: trusted, ipRules, virtualNetworkRules: vnetRules, pending };
}
