/**
 * Looking at values that may be unknown at preview without tripping CrossGuard's unknown check.
 *
 * `@pulumi/policy` wraps resource properties in a proxy that throws `UnknownValueError` when a rule
 * reads a value the engine does not know yet (an id or a secret computed by Azure). CrossGuard then
 * reports "can't run policy ... during preview" as advisory, even for a mandatory rule. That is
 * the right outcome when the rule really needs the value; these helpers are for the places where a
 * rule can decide without it:
 *
 * - a presence check ("a destination is set"): an unknown value is a set value;
 * - a link between resources: the rule follows `propertyDependencies` instead of the id.
 *
 * When a rule cannot decide without the value it reads it through the proxy (or calls `needValue`),
 * so CrossGuard's behaviour is kept, never fought.
 */

/** Sentinels the engine and `@pulumi/policy` use for unknown values (the wire uses the string one). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (the only one on the wire)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** The wire sentinel for an unknown value (tests use it to model preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Key the `@pulumi/policy` proxy answers with the object it wraps. */
export const PROXY_TARGET = "__getSpecialProxyTarget";

export function isUnknownValue(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

/** The object behind the proxy (or the value itself when it is not proxied). Never throws. */
export function proxyTarget(x: unknown): unknown {
    return target(x);
}

function target(x: unknown): unknown {
    if ((typeof x === "object" && x !== null) || typeof x === "function") {
        const t = (x as Record<string, unknown>)[PROXY_TARGET];
        if (t !== undefined && t !== null) return t;
    }
    return x;
}

export type Peeked = { known: true; value: unknown } | { known: false };

/**
 * Looks at `container[key]` without throwing when it is unknown. A known value is returned through
 * the proxy, so unknowns nested inside it are still caught if the rule reads them.
 */
export function peek(container: unknown, key: string | number): Peeked {
    const t = target(container);
    if ((typeof t !== "object" || t === null) && typeof t !== "function") return { known: true, value: undefined };
    const raw = (t as Record<string | number, unknown>)[key];
    if (isUnknownValue(raw)) return { known: false };
    return { known: true, value: (container as Record<string | number, unknown>)[key] };
}

/** True when `container[key]` is present: set to a value, or unknown (which is always a value). */
export function isSetAt(container: unknown, key: string | number): boolean {
    const p = peek(container, key);
    if (!p.known) return true;
    const v = p.value;
    if (v === undefined || v === null) return false;
    if (typeof v === "string") return v.trim() !== "";
    return true;
}

/** True when any value anywhere under `x` is unknown. */
export function containsUnknown(x: unknown, depth = 0): boolean {
    const t = target(x);
    if (isUnknownValue(t)) return true;
    if (depth > 40 || typeof t !== "object" || t === null) return false;
    for (const v of Object.values(t as Record<string, unknown>)) {
        if (containsUnknown(v, depth + 1)) return true;
    }
    return false;
}

/**
 * Reads `container[key]` through the proxy. Use it when a decision needs a value that may be
 * unknown: at preview this throws CrossGuard's own `UnknownValueError` (reported as advisory
 * "can't run during preview"), otherwise it returns the value.
 */
export function needValue(container: unknown, key: string | number): unknown {
    if ((typeof container !== "object" || container === null) && typeof container !== "function") return undefined;
    return (container as Record<string | number, unknown>)[key];
}

/** Renders `container[key]` for a message without reading an unknown value. */
export function showAt(container: unknown, key: string | number): string {
    const p = peek(container, key);
    if (!p.known) return "(unknown at preview)";
    const v = p.value;
    if (v === undefined) return "absent";
    try {
        const s = JSON.stringify(v);
        if (s === undefined) return typeof v;
        return s.length > 120 ? s.slice(0, 117) + "..." : s;
    } catch {
        return typeof v;
    }
}

/** Elements of an array that are known (unknown elements are skipped, not read). */
export function knownElements(x: unknown): Array<{ index: number; value: unknown }> {
    if (!Array.isArray(x)) return [];
    const out: Array<{ index: number; value: unknown }> = [];
    const n = typeof x.length === "number" ? x.length : 0;
    for (let i = 0; i < n; i++) {
        const p = peek(x, i);
        if (p.known) out.push({ index: i, value: p.value });
    }
    return out;
}

/**
 * Reads `container[key]` and everything under it through the proxy, so the first unknown value
 * found throws CrossGuard's `UnknownValueError` (see `needValue`).
 */
export function needDeep(container: unknown, key: string | number, depth = 0): void {
    const v = needValue(container, key);
    if (depth > 40 || typeof v !== "object" || v === null) return;
    for (const k of Object.keys(v)) needDeep(v, k, depth + 1);
}

/**
 * Reads of unknown values a stack rule defers to its end, after reporting everything it could
 * decide: `flush` performs them, and the first throws CrossGuard's `UnknownValueError` (the rule is
 * then reported as unable to run at preview, never as a false pass or failure).
 */
export class Pending {
    private readonly reads: Array<() => unknown> = [];
    add(container: unknown, key: string | number): void {
        this.reads.push(() => needValue(container, key));
    }
    get size(): number {
        return this.reads.length;
    }
    flush(): void {
        for (const r of this.reads) r();
    }
}
