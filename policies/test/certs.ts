/**
 * Builds real X.509 certificates (DER by hand, signed with node:crypto) with chosen validity dates,
 * so certificate rules are tested against genuine PEM/DER rather than strings that merely look like it.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

function len(n: number): Buffer {
    if (n < 0x80) return Buffer.from([n]);
    const bytes: number[] = [];
    for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, value: Buffer): Buffer {
    return Buffer.concat([Buffer.from([tag]), len(value.length), value]);
}
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
function oid(dotted: string): Buffer {
    const parts = dotted.split(".").map(Number);
    const out = [40 * parts[0] + parts[1]];
    for (const p of parts.slice(2)) {
        const stack = [p & 0x7f];
        for (let v = p >> 7; v > 0; v >>= 7) stack.unshift(0x80 | (v & 0x7f));
        out.push(...stack);
    }
    return tlv(0x06, Buffer.from(out));
}
function int(n: number): Buffer {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
    return tlv(0x02, Buffer.from(bytes));
}
function time(d: Date): Buffer {
    const y = d.getUTCFullYear();
    const p = (n: number) => String(n).padStart(2, "0");
    const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
    return y >= 1950 && y < 2050 ? tlv(0x17, Buffer.from(`${p(y % 100)}${rest}`)) : tlv(0x18, Buffer.from(`${y}${rest}`));
}
const name = (cn: string): Buffer => seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(cn)))));

let key: { privateKey: KeyObject; spki: Buffer } | undefined;
function signingKey(): { privateKey: KeyObject; spki: Buffer } {
    if (!key) {
        const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
        key = { privateKey: createPrivateKey(pair.privateKey.export({ type: "pkcs8", format: "pem" })), spki: pair.publicKey.export({ type: "spki", format: "der" }) };
    }
    return key;
}

export interface CertOptions {
    cn?: string;
    notBefore: Date;
    notAfter: Date;
    ca?: boolean;
}

/** A self-signed certificate in PEM form. */
export function makeCertPem(o: CertOptions): string {
    const k = signingKey();
    const alg = seq(oid("1.2.840.10045.4.3.2")); // ecdsa-with-SHA256
    const basicConstraints = seq(oid("2.5.29.19"), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq(...(o.ca ?? true ? [tlv(0x01, Buffer.from([0xff]))] : []))));
    const tbs = seq(
        tlv(0xa0, int(2)),
        int(Math.floor(Math.random() * 1e9) + 1),
        alg,
        name(o.cn ?? "Test Root CA"),
        seq(time(o.notBefore), time(o.notAfter)),
        name(o.cn ?? "Test Root CA"),
        k.spki,
        tlv(0xa3, seq(basicConstraints)),
    );
    const sig = sign("sha256", tbs, k.privateKey);
    const der = seq(tbs, alg, tlv(0x03, Buffer.concat([Buffer.from([0]), sig])));
    const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
    return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

export const DAY = 24 * 60 * 60 * 1000;

/** A CA certificate valid from `fromDays` to `toDays` relative to now. */
export function caCert(fromDays: number, toDays: number, cn = "Test Root CA"): string {
    const now = Date.now();
    return makeCertPem({ cn, notBefore: new Date(now + fromDays * DAY), notAfter: new Date(now + toDays * DAY) });
}

/** Base64 of the DER (the `.cer` form ARM also accepts). */
export function pemToBase64Der(pem: string): string {
    return pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
}
