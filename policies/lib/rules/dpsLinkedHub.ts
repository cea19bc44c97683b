/**
 * Helpers shared by the `dpsLinkedHub` rules (DPS-04, DPS-05, DPS-06) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { PolicyResource } from "@pulumi/policy";
import { armNames, type StackGraph } from "../graph";
import { hubNameFromConnectionString } from "../sas";
import { knownElements, peek, type Pending } from "../unknowns";
import { arr, isObj, lower } from "../values";

export interface LinkEntry {
    index: number;
    entry: Record<string, unknown> | undefined;
    /** Known connection string, or undefined when unknown/absent. */
    connectionString: string | undefined;
    connectionStringUnknown: boolean;
    /** Hubs in the stack this entry links (by host name when known, else by dependency). */
    hubs: PolicyResource[];
}

export interface DpsLinks {
    dps: PolicyResource;
    properties: Record<string, unknown> | undefined;
    entries: LinkEntry[];
    /** Hubs the DPS properties were computed from (propertyDependencies). */
    dependencyHubs: PolicyResource[];
}

export function name(r: PolicyResource): string {
    return `'${String(r.name)}'`;
}

/** The hub name of a host name (`<hub>.azure-devices.net`, `<hub>.device.azure-devices.net`). */
export function hubNameFromHost(x: unknown): string | undefined {
    const host = lower(x);
    if (host === undefined || host === "") return undefined;
    const dot = host.indexOf(".");
    return dot === -1 ? host : host.slice(0, dot);
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
        const host = peek(entry, "hostName");
        const named = peek(entry, "name");
        const hubName = (host.known ? hubNameFromHost(host.value) : undefined)
            ?? (csText !== undefined ? hubNameFromConnectionString(csText) : undefined)
            ?? (named.known ? hubNameFromHost(named.value) : undefined);
        if (hubName !== undefined) {
            const byName = graph.of("iotHub").filter((h) => armNames(h, "iotHub").includes(hubName));
            if (byName.length > 0) hubs = byName;
        }
        out.entries.push({ index, entry, connectionString: csText, connectionStringUnknown: !cs.known, hubs });
    }
    return out;
}
