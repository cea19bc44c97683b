/**
 * Decoding of a telemetry message body. IoT Hub's own Cosmos DB endpoint writes a body "in JSON (if
 * specified in the message content-type) or as base 64 encoded binary" (MicrosoftDocs/azure-docs,
 * articles/iot-hub/iot-hub-devguide-messages-d2c.md, "Azure Cosmos DB as a routing endpoint"); this does the same, and
 * never throws: a body that claims to be JSON but is not is kept as base64 with `bodyError` set.
 *
 * IoT Hub's content encoding is the character set (`utf-8`, `utf-16` or `utf-32`, the ones its
 * routing queries accept); a `charset` parameter of the content type is honoured when the encoding
 * is absent, and UTF-8 is the default (RFC 8259 section 8.1).
 */

export type BodyFormat = "json" | "base64";

export interface DecodedBody {
    body: unknown;
    bodyFormat: BodyFormat;
    /** Why a body that should have been JSON is kept as base64. */
    bodyError?: string;
    /** The body's bytes as received (what the document id hashes). */
    bytes: Uint8Array;
}

type Charset = "utf-8" | "utf-16le" | "utf-16be" | "utf-16" | "utf-32le" | "utf-32be" | "utf-32";

const CHARSETS: Record<string, Charset> = {
    "utf-8": "utf-8",
    utf8: "utf-8",
    "utf-16": "utf-16",
    utf16: "utf-16",
    "utf-16le": "utf-16le",
    "utf-16be": "utf-16be",
    "utf-32": "utf-32",
    utf32: "utf-32",
    "utf-32le": "utf-32le",
    "utf-32be": "utf-32be",
};

const decoders = {
    "utf-8": new TextDecoder("utf-8", { fatal: true }),
    "utf-16le": new TextDecoder("utf-16le", { fatal: true }),
    "utf-16be": new TextDecoder("utf-16be", { fatal: true }),
};

/** `application/json`, `text/json` and any `+json` media type (RFC 6839). */
export function isJsonContentType(contentType: string | undefined): boolean {
    if (!contentType) return false;
    const media = contentType.split(";", 1)[0].trim().toLowerCase();
    return media === "application/json" || media === "text/json" || media.endsWith("+json");
}

function charsetParameter(contentType: string | undefined): string | undefined {
    if (!contentType) return undefined;
    for (const part of contentType.split(";").slice(1)) {
        const [key, value] = part.split("=", 2).map((s) => s.trim());
        if (key.toLowerCase() === "charset" && value) return value.replace(/^"|"$/g, "");
    }
    return undefined;
}

export function toBytes(raw: unknown): Uint8Array | undefined {
    if (raw instanceof Uint8Array) return raw; // Buffer is a Uint8Array
    if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
    if (ArrayBuffer.isView(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    return undefined;
}

function base64(bytes: Uint8Array): string {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * Byte order of BOM-less UTF-16/32 JSON: its first character is ASCII, so the position of the zero
 * bytes among the first four gives the order (the detection of RFC 4627 section 3).
 */
function byteOrder(bytes: Uint8Array, unit: 2 | 4): "le" | "be" {
    if (bytes.length >= unit) {
        if (unit === 2 && bytes[0] === 0 && bytes[1] !== 0) return "be";
        if (unit === 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] !== 0) return "be";
    }
    return "le";
}

function decodeUtf32(bytes: Uint8Array, order: "le" | "be"): string {
    if (bytes.length % 4 !== 0) throw new RangeError("truncated UTF-32");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const parts: string[] = [];
    for (let i = 0; i < bytes.length; i += 4) {
        const cp = view.getUint32(i, order === "le");
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new RangeError("invalid UTF-32 code point");
        parts.push(String.fromCodePoint(cp));
    }
    return parts.join("");
}

function decodeText(bytes: Uint8Array, charset: Charset): string {
    switch (charset) {
        case "utf-8":
            return decoders["utf-8"].decode(bytes); // strips a BOM
        case "utf-16le":
        case "utf-16be":
            return decoders[charset].decode(bytes);
        case "utf-16": {
            if (bytes[0] === 0xfe && bytes[1] === 0xff) return decoders["utf-16be"].decode(bytes);
            if (bytes[0] === 0xff && bytes[1] === 0xfe) return decoders["utf-16le"].decode(bytes);
            return decoders[byteOrder(bytes, 2) === "le" ? "utf-16le" : "utf-16be"].decode(bytes);
        }
        case "utf-32le":
        case "utf-32be":
            return stripBom(decodeUtf32(bytes, charset === "utf-32le" ? "le" : "be"));
        case "utf-32": {
            if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) return stripBom(decodeUtf32(bytes, "be"));
            if (bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) return stripBom(decodeUtf32(bytes, "le"));
            return decodeUtf32(bytes, byteOrder(bytes, 4));
        }
    }
}

function stripBom(text: string): string {
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
    try {
        return { ok: true, value: JSON.parse(text) };
    } catch {
        return { ok: false };
    }
}

/**
 * Decodes one body. `raw` is what the Functions worker delivered: bytes (Buffer, Uint8Array,
 * ArrayBuffer) with dataType "binary", else a string, or a value the worker already parsed as JSON.
 */
export function decodeBody(raw: unknown, contentType: string | undefined, contentEncoding: string | undefined): DecodedBody {
    const json = isJsonContentType(contentType);
    const bytes = toBytes(raw);

    if (bytes === undefined) {
        if (typeof raw === "string") {
            const utf8 = new Uint8Array(Buffer.from(raw, "utf8"));
            if (!json) return { body: base64(utf8), bodyFormat: "base64", bytes: utf8 };
            const parsed = tryJson(stripBom(raw));
            return parsed.ok
                ? { body: parsed.value, bodyFormat: "json", bytes: utf8 }
                : { body: base64(utf8), bodyFormat: "base64", bodyError: "invalid-json", bytes: utf8 };
        }
        if (raw === undefined) {
            const empty = new Uint8Array(0);
            return json
                ? { body: "", bodyFormat: "base64", bodyError: "invalid-json", bytes: empty }
                : { body: "", bodyFormat: "base64", bytes: empty };
        }
        // Already parsed by the worker (no dataType): it was JSON whatever the content type said.
        return { body: raw, bodyFormat: "json", bytes: new Uint8Array(Buffer.from(JSON.stringify(raw), "utf8")) };
    }

    if (!json) return { body: base64(bytes), bodyFormat: "base64", bytes };

    const declared = (contentEncoding || charsetParameter(contentType) || "utf-8").trim().toLowerCase();
    const charset = CHARSETS[declared];
    if (charset === undefined) {
        return { body: base64(bytes), bodyFormat: "base64", bodyError: "unsupported-content-encoding", bytes };
    }
    let text: string;
    try {
        text = decodeText(bytes, charset);
    } catch {
        return { body: base64(bytes), bodyFormat: "base64", bodyError: `invalid-${charset.slice(0, 6)}`, bytes };
    }
    const parsed = tryJson(text);
    return parsed.ok
        ? { body: parsed.value, bodyFormat: "json", bytes }
        : { body: base64(bytes), bodyFormat: "base64", bodyError: "invalid-json", bytes };
}
