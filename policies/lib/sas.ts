/**
 * Shared access signature (SAS) policy helpers for IoT Hub and DPS.
 *
 * IoT Hub and DPS keep a policy's rights in one comma-joined string (`"RegistryRead, ServiceConnect"`).
 */
import { isSetAt } from "./unknowns";
import { arr, isObj, lower, str } from "./values";

/** IoT Hub shared access rights. */
export const HUB_RIGHTS = ["RegistryRead", "RegistryWrite", "ServiceConnect", "DeviceConnect"] as const;
/** DPS shared access rights. */
export const DPS_RIGHTS = [
    "ServiceConfig",
    "EnrollmentRead",
    "EnrollmentWrite",
    "DeviceConnect",
    "RegistrationStatusRead",
    "RegistrationStatusWrite",
] as const;

/**
 * Splits a rights value into trimmed right names. Known names are returned in their canonical
 * casing; unknown names are kept as written so a rule can report them. Accepts an array too.
 */
export function splitRights(x: unknown, known: readonly string[] = [...HUB_RIGHTS, ...DPS_RIGHTS]): string[] {
    const parts: string[] = [];
    if (Array.isArray(x)) {
        for (const e of arr<unknown>(x)) {
            const s = str(e);
            if (s !== undefined) parts.push(...s.split(","));
        }
    } else {
        const s = str(x);
        if (s !== undefined) parts.push(...s.split(","));
    }
    const out: string[] = [];
    for (const p of parts) {
        const t = p.trim();
        if (t === "") continue;
        const canonical = known.find((k) => k.toLowerCase() === t.toLowerCase()) ?? t;
        if (!out.includes(canonical)) out.push(canonical);
    }
    return out;
}

/** True when the two right sets are equal (order and duplicates ignored). */
export function sameRights(a: readonly string[], b: readonly string[]): boolean {
    const la = new Set(a.map((r) => r.toLowerCase()));
    const lb = new Set(b.map((r) => r.toLowerCase()));
    if (la.size !== lb.size) return false;
    for (const r of la) if (!lb.has(r)) return false;
    return true;
}

export function hasRight(rights: readonly string[], right: string): boolean {
    return rights.some((r) => r.toLowerCase() === right.toLowerCase());
}

/** Parses `Key=Value;Key2=Value2` (keys lower-cased). Values may contain `=` (base64 keys). */
export function parseConnectionString(x: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    const s = str(x);
    if (s === undefined) return out;
    for (const part of s.split(";")) {
        const eq = part.indexOf("=");
        if (eq <= 0) continue;
        out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
    }
    return out;
}

/** The hub name of an IoT Hub connection string (`HostName=<hub>.azure-devices.net;...`), lower-cased. */
export function hubNameFromConnectionString(x: unknown): string | undefined {
    const host = lower(parseConnectionString(x)["hostname"]);
    if (host === undefined || host === "") return undefined;
    const dot = host.indexOf(".");
    return dot === -1 ? host : host.slice(0, dot);
}

/** A SAS policy as read from a hub or DPS, with its rights split. */
export interface SasPolicy {
    keyName: string | undefined;
    rights: string[];
    hasLiteralKey: boolean;
    raw: Record<string, unknown>;
}

/** Reads `authorizationPolicies[]` defensively (non-object entries are skipped). */
export function readSasPolicies(x: unknown, known?: readonly string[]): SasPolicy[] {
    const out: SasPolicy[] = [];
    for (const e of arr<unknown>(x)) {
        if (!isObj(e)) continue;
        out.push({
            keyName: str(e["keyName"]),
            rights: splitRights(e["rights"], known),
            hasLiteralKey: isLiteralKey(e, "primaryKey") || isLiteralKey(e, "secondaryKey"),
            raw: e,
        });
    }
    return out;
}

function isLiteralKey(e: Record<string, unknown>, key: string): boolean {
    // Any value set for a key, known or not (a secret from another resource is unknown at preview),
    // means the key does not come from Azure.
    return isSetAt(e, key);
}
