/**
 * Defensive readers for resource properties. Policy inputs are whatever the program sent: a field
 * typed `boolean` may arrive as `"true"`, an enum may arrive as `"disabled"`, an object may be
 * missing, `null`, an empty array or a string. None of these helpers throws on such input.
 *
 * They do not hide values that are unknown at preview: reading a field through the
 * `@pulumi/policy` proxy still throws its `UnknownValueError`, which CrossGuard turns into an
 * advisory "can't run during preview" diagnostic (see `unknowns.ts` for the places where a rule
 * deliberately looks at a value without reading it).
 */

/** A non-null, non-array object. */
export function isObj(x: unknown): x is Record<string, unknown> {
    return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * The object, or an empty object when `x` is missing or not an object. The declared type is kept
 * so field names stay checked against the SDK's args types; every leaf is still read through
 * `str`/`bool`/`num`/`arr`/`obj`, so a lying type never turns into a crash.
 */
export function obj<T>(x: T | null | undefined): Partial<NonNullable<T>> {
    const empty: Partial<NonNullable<T>> = {};
    return isObj(x) ? x : empty;
}

/** The array, or an empty array when `x` is missing or not an array. */
export function arr<T>(x: readonly T[] | T[] | null | undefined | unknown): T[] {
    return Array.isArray(x) ? (x as T[]) : [];
}

/** The value as a string: strings as-is, numbers and booleans converted, anything else undefined. */
export function str(x: unknown): string | undefined {
    if (typeof x === "string") return x;
    if (typeof x === "number" && Number.isFinite(x)) return String(x);
    if (typeof x === "boolean") return String(x);
    return undefined;
}

/** Trimmed, lower-cased string (ARM enums are case-insensitive), or undefined. */
export function lower(x: unknown): string | undefined {
    const s = str(x);
    return s === undefined ? undefined : s.trim().toLowerCase();
}

/** Case-insensitive comparison with an expected enum value. */
export function eqi(x: unknown, expected: string): boolean {
    return lower(x) === expected.toLowerCase();
}

/** A boolean, accepting `"true"`/`"false"` in any case; anything else is undefined. */
export function bool(x: unknown): boolean | undefined {
    if (typeof x === "boolean") return x;
    const s = lower(x);
    if (s === "true") return true;
    if (s === "false") return false;
    return undefined;
}

export function isTrue(x: unknown): boolean {
    return bool(x) === true;
}

/** A finite number, accepting numeric strings; anything else is undefined. */
export function num(x: unknown): number | undefined {
    if (typeof x === "number") return Number.isFinite(x) ? x : undefined;
    if (typeof x === "string" && x.trim() !== "") {
        const n = Number(x.trim());
        return Number.isFinite(n) ? n : undefined;
    }
    return undefined;
}

/** Non-empty trimmed string, or undefined. */
export function nonEmpty(x: unknown): string | undefined {
    const s = str(x);
    return s !== undefined && s.trim() !== "" ? s.trim() : undefined;
}

/** Strings of an array, skipping everything that is not a string. */
export function strings(x: unknown): string[] {
    const out: string[] = [];
    for (const e of arr<unknown>(x)) {
        const s = str(e);
        if (s !== undefined) out.push(s);
    }
    return out;
}

/** Azure region name normalised the way Azure Policy compares them ("West Europe" -> "westeurope"). */
export function normRegion(x: unknown): string | undefined {
    const s = lower(x);
    return s === undefined ? undefined : s.replace(/\s+/g, "");
}

/** JSON-ish rendering of a value for messages, short and never throwing. */
export function show(x: unknown): string {
    if (x === undefined) return "absent";
    try {
        const s = JSON.stringify(x);
        if (s === undefined) return typeof x;
        return s.length > 120 ? s.slice(0, 117) + "..." : s;
    } catch {
        return typeof x;
    }
}

/** The last path segment of an ARM id (`.../roleDefinitions/<guid>` -> `<guid>`), lower-cased. */
export function lastSegment(id: unknown): string | undefined {
    const s = lower(id);
    if (s === undefined) return undefined;
    const parts = s.split("/").filter((p) => p !== "");
    return parts.length > 0 ? parts[parts.length - 1] : undefined;
}
