/**
 * IPv4 address / CIDR parsing for IP filter rules (IoT Hub `ipMask`, DPS `ipMask`, Cosmos DB
 * `ipAddressOrRange`). A bare address is a /32. Never throws: unparseable input is `undefined`.
 */

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
