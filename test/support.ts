/** Helpers for reading what a stack run registered. */
import { SECRET_SIG, SIG_KEY, UNKNOWN, type CapturedResource, type StackRun } from "../tools/offline/types";

export function all(run: StackRun, type: string): CapturedResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function one(run: StackRun, type: string, name?: string): CapturedResource {
    const found = all(run, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    return found[0];
}

export function isSecretWire(v: unknown): v is { value: unknown } {
    return v !== null && typeof v === "object" && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The value with secret wrappers removed (for asserting on content). */
export function reveal(v: unknown): any {
    if (isSecretWire(v)) return reveal(v.value);
    if (Array.isArray(v)) return v.map(reveal);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    return v;
}

/** Paths at which the value holds an unknown. */
export function unknownPaths(v: unknown, path = ""): string[] {
    if (v === UNKNOWN) return [path || "(root)"];
    if (isSecretWire(v)) return unknownPaths(v.value, path);
    if (Array.isArray(v)) return v.flatMap((x, i) => unknownPaths(x, `${path}[${i}]`));
    if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => unknownPaths(x, path ? `${path}.${k}` : k));
    return [];
}

/** Paths at which `needle` occurs in plain text, outside any secret. */
export function plainOccurrences(v: unknown, needle: string, path = ""): string[] {
    if (isSecretWire(v)) return [];
    if (typeof v === "string") return v.includes(needle) ? [path || "(root)"] : [];
    if (Array.isArray(v)) return v.flatMap((x, i) => plainOccurrences(x, needle, `${path}[${i}]`));
    if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => plainOccurrences(x, needle, path ? `${path}.${k}` : k));
    return [];
}
