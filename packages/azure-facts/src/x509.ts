/**
 * Certificate parsing for CA certificates (DPS / IoT Hub) and Entra application certificates.
 * Accepts PEM text, base64 of DER (what ARM returns for `.cer`), base64 of PEM, or hex of DER.
 * Never throws: unparseable input gives `undefined`.
 */
import { X509Certificate } from "node:crypto";

export interface CertInfo {
    subject: string;
    validFrom: Date;
    validTo: Date;
    ca: boolean;
}

function tryParse(data: string | Buffer): CertInfo | undefined {
    try {
        const c = new X509Certificate(data);
        const validFrom = new Date(c.validFrom);
        const validTo = new Date(c.validTo);
        if (Number.isNaN(validFrom.getTime()) || Number.isNaN(validTo.getTime())) return undefined;
        return { subject: c.subject.replace(/\n/g, ", "), validFrom, validTo, ca: c.ca };
    } catch {
        return undefined;
    }
}

export function parseCertificate(value: unknown, encoding?: string): CertInfo | undefined {
    if (typeof value !== "string") return undefined;
    const text = value.trim();
    if (text === "" || text.length > 200_000) return undefined;
    if (text.includes("-----BEGIN")) return tryParse(text);
    const enc = (encoding ?? "").toLowerCase();
    if (enc === "hex" && /^[0-9a-f\s]+$/i.test(text)) {
        return tryParse(Buffer.from(text.replace(/\s+/g, ""), "hex"));
    }
    if (/^[A-Za-z0-9+/=\s]+$/.test(text)) {
        const buf = Buffer.from(text.replace(/\s+/g, ""), "base64");
        const asText = buf.toString("latin1");
        if (asText.includes("-----BEGIN")) return tryParse(asText);
        return tryParse(buf);
    }
    return undefined;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from `now` until `date` (negative when in the past). */
export function daysUntil(date: Date, now: Date = new Date()): number {
    return Math.floor((date.getTime() - now.getTime()) / DAY_MS);
}
