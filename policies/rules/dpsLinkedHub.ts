/**
 * The link between a Device Provisioning Service and its IoT hubs (stack rules): DPS-04 (the link
 * uses the least-privilege policy), DPS-05 (same resource group and region), DPS-06 (the link key
 * is read from the hub, never pasted; no keys in the program), and the IOT-05 DPS-link exception
 * check (a hub that keeps local auth on for a DPS link is linked by a DPS).
 *
 * A DPS links a hub through `properties.iotHubs[].connectionString`, a secret that is unknown at
 * preview. The linked hub is found through `propertyDependencies` of the DPS's `properties` (the
 * key is read from the hub with `listIotHubResourceKeys...Output(hub...)`), or, when the
 * connection string is known, through its `HostName`.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../lib/define";
import { StackGraph, armNames, resourceGroupKey } from "../lib/graph";
import { DPS_LINK_RIGHTS, HUB_RIGHTS, hubNameFromConnectionString, parseConnectionString, readSasPolicies, sameRights } from "../lib/sas";
import { knownElements, needValue, peek } from "../lib/unknowns";
import { arr, isObj, lower, normRegion, obj } from "../lib/values";
import { hubUsesDpsLinkException } from "./iotHubAuth";

/** Runs deferred reads of unknown values at the end of a rule (the first throws CrossGuard's error). */
class Pending {
    private readonly reads: Array<() => unknown> = [];
    add(container: unknown, key: string | number): void {
        this.reads.push(() => needValue(container, key));
    }
    flush(): void {
        for (const r of this.reads) r();
    }
}

interface LinkEntry {
    index: number;
    entry: Record<string, unknown> | undefined;
    /** Known connection string, or undefined when unknown/absent. */
    connectionString: string | undefined;
    connectionStringUnknown: boolean;
    /** Hubs in the stack this entry links (by HostName when known, else by dependency). */
    hubs: PolicyResource[];
}

interface DpsLinks {
    dps: PolicyResource;
    properties: Record<string, unknown> | undefined;
    entries: LinkEntry[];
    /** Hubs the DPS properties were computed from (propertyDependencies). */
    dependencyHubs: PolicyResource[];
}

function name(r: PolicyResource): string {
    return `'${String(r.name)}'`;
}

/** Reads the DPS's links; unknown parts are recorded in `pending`. */
export function dpsLinks(graph: StackGraph, dps: PolicyResource, pending: Pending): DpsLinks {
    const dependencyHubs = graph.depsOfKind(dps, "properties", "iotHub");
    const out: DpsLinks = { dps, properties: undefined, entries: [], dependencyHubs };
    const props = peek(dps.props, "properties");
    if (!props.known) {
        pending.add(dps.props, "properties");
        return out;
    }
    if (!isObj(props.value)) return out;
    out.properties = props.value;
    const hubsP = peek(props.value, "iotHubs");
    if (!hubsP.known) {
        pending.add(props.value, "iotHubs");
        return out;
    }
    const list = arr<unknown>(hubsP.value);
    const known = new Map(knownElements(list).map((e) => [e.index, e.value]));
    for (let index = 0; index < list.length; index++) {
        if (!known.has(index)) {
            pending.add(list, index);
            out.entries.push({ index, entry: undefined, connectionString: undefined, connectionStringUnknown: true, hubs: dependencyHubs });
            continue;
        }
        const entry = known.get(index);
        if (!isObj(entry)) continue;
        const cs = peek(entry, "connectionString");
        const csText = cs.known && typeof cs.value === "string" ? cs.value : undefined;
        let hubs = dependencyHubs;
        if (csText !== undefined) {
            const hubName = hubNameFromConnectionString(csText);
            const byName = hubName === undefined ? [] : graph.of("iotHub").filter((h) => armNames(h, "iotHub").includes(hubName));
            if (byName.length > 0) hubs = byName;
        }
        out.entries.push({ index, entry, connectionString: csText, connectionStringUnknown: !cs.known, hubs });
    }
    return out;
}

/** Hub SAS policies, or undefined (with the read recorded) when unknown. */
function hubPolicies(hub: PolicyResource, pending: Pending): { explicit: boolean; policies: ReturnType<typeof readSasPolicies> } | undefined {
    const props = peek(hub.props, "properties");
    if (!props.known) {
        pending.add(hub.props, "properties");
        return undefined;
    }
    const ap = peek(props.value, "authorizationPolicies");
    if (!ap.known) {
        pending.add(props.value, "authorizationPolicies");
        return undefined;
    }
    return { explicit: Array.isArray(ap.value), policies: readSasPolicies(ap.value, HUB_RIGHTS) };
}

export const dps04LinkPolicy = stackRule({
    id: "DPS-04",
    name: "dps-04-linked-hub-least-privilege-key",
    description:
        "A Device Provisioning Service must link its IoT hubs with the least-privilege link policy: the key named in iotHubs[].connectionString belongs to a hub policy with exactly RegistryWrite, ServiceConnect, never iothubowner. At preview the connection string is a secret that is not known yet; the linked hub is then found through propertyDependencies and the rule holds when every SAS policy on that hub has exactly those rights.",
    remediationSteps:
        "Give the hub one SAS policy { keyName: \"dps-link\", rights: \"RegistryWrite, ServiceConnect\" } and build the DPS connection string from that policy's key (iothub.listIotHubResourceKeysForKeyNameOutput({ keyName: \"dps-link\", ... })), never from iothubowner.",
    severity: "high",
    anchors: "MS DPS linked-hub docs; beyond",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        for (const dps of graph.of("dps")) {
            const links = dpsLinks(graph, dps, pending);
            for (const e of links.entries) {
                if (e.entry === undefined) continue;
                const where = `DPS ${name(dps)} iotHubs[${e.index}]`;
                if (e.connectionString !== undefined) {
                    const keyName = parseConnectionString(e.connectionString)["sharedaccesskeyname"];
                    if (keyName === undefined || keyName === "") {
                        report(`${where} connection string names no SharedAccessKeyName; link with the hub's dps-link policy key.`, dps.urn);
                        continue;
                    }
                    if (keyName.toLowerCase() === "iothubowner") {
                        report(`${where} links with iothubowner (all rights); use a policy with exactly RegistryWrite, ServiceConnect.`, dps.urn);
                        continue;
                    }
                    for (const hub of e.hubs) {
                        const hp = hubPolicies(hub, pending);
                        if (hp === undefined) continue;
                        const pol = hp.policies.find((x) => lower(x.keyName) === keyName.toLowerCase());
                        if (pol === undefined) {
                            report(`${where} uses key '${keyName}', which hub ${name(hub)} does not define${hp.explicit ? "" : " explicitly (its policies are Azure's defaults)"}.`, dps.urn);
                        } else if (!sameRights(pol.rights, DPS_LINK_RIGHTS)) {
                            report(`${where} uses key '${keyName}' of hub ${name(hub)} with rights ${pol.rights.join(", ") || "none"}; the link needs exactly RegistryWrite, ServiceConnect.`, dps.urn);
                        }
                    }
                    continue;
                }
                if (!e.connectionStringUnknown) {
                    report(`${where} has no connection string.`, dps.urn);
                    continue;
                }
                // Unknown at preview: decide from the linked hub's policies, or wait for the value.
                if (e.hubs.length === 0) {
                    pending.add(e.entry, "connectionString");
                    continue;
                }
                for (const hub of e.hubs) {
                    const hp = hubPolicies(hub, pending);
                    if (hp === undefined) continue;
                    const onlyLink = hp.explicit && hp.policies.length > 0 && hp.policies.every((x) => sameRights(x.rights, DPS_LINK_RIGHTS));
                    if (!onlyLink) pending.add(e.entry, "connectionString");
                }
            }
        }
        pending.flush();
    },
});

export const dps05SameGroup = stackRule<{ requireSameRegion: boolean }>({
    id: "DPS-05",
    name: "dps-05-linked-hub-same-group-and-region",
    description:
        "A Device Provisioning Service and the IoT hubs it links must be in the same resource group (and, when configured, the same region), so they share lifecycle, access control and locks. Links are followed through propertyDependencies (ids are unknown at preview).",
    remediationSteps:
        "Create the DPS in the hub's resource group (resourceGroupName from the same ResourceGroup resource) and the same location; set iotHubs[].location to the hub's region.",
    severity: "low",
    anchors: "project requirement",
    config: {
        requireSameRegion: { type: "boolean", default: true, description: "Also require the same Azure region." },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        for (const dps of graph.of("dps")) {
            const links = dpsLinks(graph, dps, pending);
            const hubs = new Set<PolicyResource>(links.entries.flatMap((e) => e.hubs));
            const dpsRg = resourceGroupKey(graph, dps);
            if (dpsRg === undefined && !peek(dps.props, "resourceGroupName").known) pending.add(dps.props, "resourceGroupName");
            const dpsLoc = peek(dps.props, "location");
            for (const hub of hubs) {
                const hubRg = resourceGroupKey(graph, hub);
                if (hubRg === undefined && !peek(hub.props, "resourceGroupName").known) pending.add(hub.props, "resourceGroupName");
                if (dpsRg !== undefined && hubRg !== undefined && dpsRg !== hubRg) {
                    report(`DPS ${name(dps)} and its linked hub ${name(hub)} are in different resource groups.`, dps.urn);
                }
                if (!config.requireSameRegion) continue;
                const hubLoc = peek(hub.props, "location");
                if (!dpsLoc.known) pending.add(dps.props, "location");
                if (!hubLoc.known) pending.add(hub.props, "location");
                const a = dpsLoc.known ? normRegion(dpsLoc.value) : undefined;
                const b = hubLoc.known ? normRegion(hubLoc.value) : undefined;
                // An absent location is the resource group's, which the group check covers.
                if (a !== undefined && b !== undefined && a !== b) {
                    report(`DPS ${name(dps)} is in ${a} but its linked hub ${name(hub)} is in ${b}.`, dps.urn);
                }
                for (const e of links.entries) {
                    if (e.entry === undefined || !e.hubs.includes(hub)) continue;
                    const l = peek(e.entry, "location");
                    const c = l.known ? normRegion(l.value) : undefined;
                    if (c !== undefined && b !== undefined && c !== b) {
                        report(`DPS ${name(dps)} iotHubs[${e.index}].location is ${c} but hub ${name(hub)} is in ${b}.`, dps.urn);
                    }
                }
            }
        }
        pending.flush();
    },
});

export const dps06SecretLinks = stackRule<{ allowExternalHubs: boolean }>({
    id: "DPS-06",
    name: "dps-06-link-keys-from-hub-not-literals",
    description:
        "Device Provisioning Service link connection strings and keys must never be written into the program: each iotHubs[].connectionString is read from the linked hub in the same program (listIotHubResourceKeys...Output, kept a Pulumi secret), so it carries a dependency on that hub; DPS SAS policies set no primaryKey/secondaryKey. CrossGuard receives secrets unwrapped and cannot see whether a value is a secret; the offline policy check verifies that part on the wire form.",
    remediationSteps:
        "Build the connection string with pulumi.secret(pulumi.interpolate`HostName=${hub.name}.azure-devices.net;SharedAccessKeyName=dps-link;SharedAccessKey=${key}`) where key comes from iothub.listIotHubResourceKeysForKeyNameOutput for the hub. Remove literal keys from authorizationPolicies.",
    severity: "high",
    anchors: "PSR Azure.Deployment.SecureValue analogue",
    config: {
        allowExternalHubs: {
            type: "boolean",
            default: false,
            description: "Allow linking hubs that are not in this program (their connection string then has no dependency to follow).",
        },
    },
    validate({ resources, config, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        for (const dps of graph.of("dps")) {
            const links = dpsLinks(graph, dps, pending);
            if (links.entries.length > 0 && links.dependencyHubs.length === 0 && !config.allowExternalHubs) {
                report(
                    `DPS ${name(dps)} links ${links.entries.length} hub(s) but its properties do not depend on any IoT hub in this program: the connection string was pasted or taken from config instead of being read from the hub.`,
                    dps.urn,
                );
            }
            if (links.properties !== undefined) {
                const ap = peek(links.properties, "authorizationPolicies");
                if (!ap.known) pending.add(links.properties, "authorizationPolicies");
                else {
                    for (const pol of readSasPolicies(ap.value)) {
                        if (pol.hasLiteralKey) report(`DPS ${name(dps)} policy '${pol.keyName ?? "?"}' sets a key in the program; let Azure generate keys.`, dps.urn);
                    }
                }
            }
        }
        pending.flush();
    },
});

export const iot05ExceptionLinked = stackRule({
    id: "IOT-05",
    name: "iot-05-local-auth-exception-has-dps-link",
    description:
        "A hub that keeps local auth on under the DPS-link exception (IOT-05) must actually be linked by a Device Provisioning Service in the program; otherwise the exception is unjustified and local auth must be disabled.",
    remediationSteps:
        "Either link the hub from the DPS (properties.iotHubs) or set the hub's disableLocalAuth: true and authorizationPolicies: [].",
    severity: "high",
    anchors: "AP IoTHub_DisableLocalAuth (exception check)",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const pending = new Pending();
        const linked = new Set<PolicyResource>();
        for (const dps of graph.of("dps")) {
            const links = dpsLinks(graph, dps, pending);
            links.dependencyHubs.forEach((h) => linked.add(h));
            links.entries.forEach((e) => e.hubs.forEach((h) => linked.add(h)));
        }
        for (const hub of graph.of("iotHub")) {
            const props = peek(hub.props, "properties");
            if (!props.known) {
                pending.add(hub.props, "properties");
                continue;
            }
            if (hubUsesDpsLinkException(obj(props.value as Record<string, unknown>)) && !linked.has(hub)) {
                report(`hub ${name(hub)} keeps local auth on for a DPS link, but no DPS in the program links it.`, hub.urn);
            }
        }
        pending.flush();
    },
});

export const dpsLinkedHubPolicies = [dps04LinkPolicy, dps05SameGroup, dps06SecretLinks, iot05ExceptionLinked];
