/**
 * What a configuration change does, offline: the program run under mocks with an earlier stack
 * file and with the current one, compared resource by resource (by URN). `npm run plan -- --stack
 * prod --before <earlier Pulumi.prod.yaml>` prints it, so a reviewer sees a change such as a CA
 * rotation's enrollment-group edit as `pulumi preview` would show it: which resources are created,
 * deleted, updated in place or replaced.
 *
 * Replace or update is known for enrollment records (the provider's own diff decides it,
 * components/enrollments/provider.ts); for Azure resources the offline plan cannot know which
 * properties force a replacement, so it reports them as changed and names the properties.
 */
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { diffEnrollment } from "../../components/enrollments/provider";
import { describe, type Lookup } from "./resourceLines";
import { isEnrollmentRecord } from "./enrollments";
import { SECRET_SIG, SIG_KEY, type CapturedResource, type StackRun } from "./types";

export type ChangeOp = "create" | "delete" | "update" | "replace" | "change";

export interface ResourceChange {
    op: ChangeOp;
    /** The resource after the change (before it, for a delete). */
    resource: CapturedResource;
    before?: CapturedResource;
    /** Input properties that differ. */
    properties: string[];
}

function open(v: unknown): unknown {
    if (v !== null && typeof v === "object" && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) return open((v as { value: unknown }).value);
    if (Array.isArray(v)) return v.map(open);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, open(x)]));
    return v;
}

function canonical(v: unknown): string {
    const sort = (x: unknown): unknown =>
        Array.isArray(x) ? x.map(sort) : x !== null && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
    return JSON.stringify(sort(v));
}

/** An enrollment record's state as the provider would hold it: keys apart from the attestation. */
function asState(inputs: Record<string, unknown>): Record<string, unknown> {
    const att = inputs.attestation as { type?: string; symmetricKey?: { primaryKey?: unknown; secondaryKey?: unknown } } | undefined;
    return att?.type === "symmetricKey" ? { ...inputs, primaryKey: att.symmetricKey?.primaryKey, secondaryKey: att.symmetricKey?.secondaryKey } : inputs;
}

export function compareRuns(before: StackRun, after: StackRun): ResourceChange[] {
    const old = new Map(before.resources.filter((r) => r.custom).map((r) => [r.urn, r]));
    const changes: ResourceChange[] = [];
    for (const r of after.resources.filter((x) => x.custom)) {
        const b = old.get(r.urn);
        old.delete(r.urn);
        if (!b) {
            changes.push({ op: "create", resource: r, properties: [] });
            continue;
        }
        const keys = [...new Set([...Object.keys(b.inputs), ...Object.keys(r.inputs)])].filter((k) => k !== "__provider").sort();
        const properties = keys.filter((k) => canonical(b.inputs[k]) !== canonical(r.inputs[k]));
        if (properties.length === 0) continue;
        if (isEnrollmentRecord(r) && isEnrollmentRecord(b)) {
            const d = diffEnrollment(asState(open(b.inputs) as Record<string, unknown>), open(r.inputs) as Record<string, unknown>);
            if (!d.changes) continue;
            changes.push({ op: d.replaces.length > 0 ? "replace" : "update", resource: r, before: b, properties: d.changed });
        } else {
            changes.push({ op: "change", resource: r, before: b, properties });
        }
    }
    for (const b of old.values()) changes.push({ op: "delete", resource: b, properties: [] });
    return changes;
}

const MARK: Record<ChangeOp, string> = { create: "+", delete: "-", update: "~", replace: "+-", change: "~" };

/** The changes in the plan's style; for changed resources, the plan lines that differ (before -> after). */
export function renderChanges(changes: ResourceChange[], lookupBefore: Lookup, lookupAfter: Lookup, beforeLabel: string): string {
    const out = [`Changes from ${beforeLabel} (offline; + create, - delete, ~ update, +- replace):`];
    if (changes.length === 0) out.push("    no change");
    for (const c of changes) {
        const r = c.resource;
        const what = c.op === "update" || c.op === "replace" ? `  ${c.op}: ${c.properties.join(", ")}` : c.op === "change" ? `  changes: ${c.properties.join(", ")} (replace or update: as the provider decides)` : "";
        out.push(`    ${MARK[c.op]} ${r.type}  ${r.name}${what}`);
        if (c.before) {
            const was = new Map(describe(c.before, lookupBefore));
            for (const [k, v] of describe(r, lookupAfter)) {
                const previous = was.get(k);
                if (previous !== undefined && previous !== v) out.push(`          ${k}: ${previous}\n       -> ${k}: ${v}`);
            }
        }
    }
    return out.join("\n");
}

/**
 * Overrides that make the program read an earlier stack file instead of the current one: every
 * key of the earlier file, and `undefined` for keys only the current file sets.
 */
export function overridesFromStackFile(beforeFile: string, currentFile: string): Record<string, unknown> {
    const read = (f: string) => ((yaml.load(readFileSync(f, "utf8")) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
    const before = read(beforeFile);
    const current = read(currentFile);
    const overrides: Record<string, unknown> = {};
    for (const k of Object.keys(current)) if (!(k in before)) overrides[k] = undefined;
    for (const [k, v] of Object.entries(before)) overrides[k] = v;
    return overrides;
}
