/**
 * IPv4 address and CIDR parsing for IP allow/block lists. Azure's IoT Hub, DPS and Cosmos DB
 * firewalls take IPv4 only, so IPv6 is rejected with a message rather than passed through.
 */

export interface Cidr {
    /** Canonical text: `a.b.c.d/n` (a single address becomes `/32`). */
    text: string;
    network: number;
    prefix: number;
}

/** The shortest prefix we accept: anything wider opens a large share of the internet. */
export const MIN_PREFIX = 8;

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; problem: string };

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseCidr(input: string): CidrResult {
    const text = input.trim();
    const [addr, prefixText, ...rest] = text.split("/");
    if (rest.length > 0 || addr === undefined) return { ok: false, problem: `"${input}" is not an IPv4 address or CIDR range` };
    const m = DOTTED.exec(addr);
    if (!m) {
        return addr.includes(":")
            ? { ok: false, problem: `"${input}" is IPv6; these firewalls take IPv4 ranges only` }
            : { ok: false, problem: `"${input}" is not an IPv4 address or CIDR range (expected e.g. 203.0.113.0/24)` };
    }
    const octets = m.slice(1, 5).map(Number);
    if (octets.some((o) => o > 255)) return { ok: false, problem: `"${input}" has an octet above 255` };
    let prefix = 32;
    if (prefixText !== undefined) {
        if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
            return { ok: false, problem: `"${input}" has an invalid prefix length (0-32)` };
        }
        prefix = Number(prefixText);
    }
    const network = (((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if ((network & mask) >>> 0 !== network) {
        const base = (network & mask) >>> 0;
        return { ok: false, problem: `"${input}" has host bits set; write the network address ${toDotted(base)}/${prefix}` };
    }
    if (prefix < MIN_PREFIX) {
        return { ok: false, problem: `"${input}" is wider than /${MIN_PREFIX} and would open a large part of the internet; list the specific ranges your devices and operators use` };
    }
    return { ok: true, cidr: { text: `${toDotted(network)}/${prefix}`, network, prefix } };
}

export function toDotted(n: number): string {
    return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/** True when `inner` lies entirely within `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    if (inner.prefix < outer.prefix) return false;
    const mask = outer.prefix === 0 ? 0 : (0xffffffff << (32 - outer.prefix)) >>> 0;
    return ((inner.network & mask) >>> 0) === outer.network;
}

function cidrOf(network: number, prefix: number): Cidr {
    return { text: `${toDotted(network)}/${prefix}`, network, prefix };
}

/** The two halves of a range one bit longer (a /32 has none). */
function halves(c: Cidr): [Cidr, Cidr] {
    const bit = 2 ** (31 - c.prefix);
    return [cidrOf(c.network, c.prefix + 1), cidrOf((c.network + bit) >>> 0, c.prefix + 1)];
}

function overlaps(a: Cidr, b: Cidr): boolean {
    return cidrContains(a, b) || cidrContains(b, a);
}

/**
 * The allowed ranges with the blocked ranges taken out, as the fewest CIDR ranges that cover
 * exactly the remaining addresses (each allowed range is split in halves until no half is
 * partly blocked). IoT Hub's `networkRuleSets` has only Allow rules and a default action, so a
 * block inside an allowed range can only be expressed this way. Ranges nested in another result
 * are dropped; the order follows the allowed list, then the address.
 */
export function subtractCidrs(allowed: readonly Cidr[], blocked: readonly Cidr[]): Cidr[] {
    const out: Cidr[] = [];
    const visit = (c: Cidr): void => {
        const hits = blocked.filter((b) => overlaps(b, c));
        if (hits.length === 0) out.push(c);
        else if (hits.some((b) => cidrContains(b, c))) return;
        else halves(c).forEach(visit);
    };
    allowed.forEach(visit);
    return out.filter((c, i) => !out.some((d, j) => j !== i && cidrContains(d, c) && (d.prefix < c.prefix || j < i)));
}

/** Whether the address lies in the range. */
export function cidrHas(range: Cidr, address: number): boolean {
    return cidrContains(range, cidrOf(address >>> 0, 32));
}

// ---- Rule-side parsing (was policies/lib/cidr.ts) ----
export interface Ipv4Range {
    /** The network address as an unsigned 32-bit number. */
    address: number;
    /** Prefix length 0..32. */
    prefix: number;
    /** The text it was parsed from, trimmed. */
    text: string;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) return undefined;
    let n = 0;
    for (const p of parts) {
        if (!OCTET.test(p)) return undefined;
        n = n * 256 + Number(p);
    }
    return n;
}

export function parseIpv4Cidr(x: unknown): Ipv4Range | undefined {
    if (typeof x !== "string") return undefined;
    const text = x.trim();
    const slash = text.indexOf("/");
    const addrText = slash === -1 ? text : text.slice(0, slash);
    const prefixText = slash === -1 ? "32" : text.slice(slash + 1);
    if (!/^\d{1,2}$/.test(prefixText)) return undefined;
    const prefix = Number(prefixText);
    if (prefix > 32) return undefined;
    const address = parseIpv4(addrText);
    if (address === undefined) return undefined;
    return { address, prefix, text };
}

/** True for a range covering every IPv4 address (`0.0.0.0/0`, `1.2.3.4/0`). */
export function coversInternet(r: Ipv4Range): boolean {
    return r.prefix === 0;
}
