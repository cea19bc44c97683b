/**
 * Input checks, each against the documented IoT Hub rule it enforces.
 */
import { ApiError, badRequest } from "./http";

/**
 * Device ids: "A case-sensitive string (up to 128 characters long) of ASCII 7-bit alphanumeric
 * characters plus certain special characters: - . % _ * ? ! ( ) , : = @ $ '. The special characters
 * + # aren't supported." (MicrosoftDocs/azure-docs, articles/iot-hub/iot-hub-devguide-identity-registry.md,
 * "Device identity properties").
 */
export const DEVICE_ID = /^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/;

/**
 * Direct method names travel as an MQTT topic level (`$iothub/methods/POST/{method name}/`) and
 * an AMQP property; "property names and values can only contain US-ASCII printable alphanumeric,
 * except any in the following set: $ ( ) < > @ , ; : \ " / [ ] ? = { } SP HT"
 * (articles/iot-hub/iot-hub-devguide-direct-methods.md, "Method lifecycle"). This accepts printable
 * ASCII minus that set, and minus the MQTT wildcards + and # (not allowed in a topic name) and %
 * (so no escape sequence survives decoding). IoT Hub documents no length limit for method names;
 * 128 characters is this API's own bound.
 */
export const METHOD_NAME = /^[A-Za-z0-9!&'*\-._^`|~]{1,128}$/;

export function decodeSegment(raw: string, what: string): string {
    try {
        return decodeURIComponent(raw);
    } catch {
        throw badRequest(`invalid-${what}`, `The ${what.replace("-", " ")} in the path is not valid percent-encoding.`);
    }
}

export function checkDeviceId(id: string): string {
    if (!DEVICE_ID.test(id)) {
        throw badRequest(
            "invalid-device-id",
            "The device id must be 1-128 characters: ASCII letters, digits and - . % _ * ? ! ( ) , : = @ $ ' (IoT Hub's device id rules).",
        );
    }
    return id;
}

export function checkMethodName(name: string): string {
    if (!METHOD_NAME.test(name)) {
        throw badRequest(
            "invalid-method-name",
            "The method name must be 1-128 printable ASCII characters without spaces or any of $ ( ) < > @ , ; : \\ \" / [ ] ? = { } + # %.",
        );
    }
    return name;
}

/** Parses a JSON request body that must be an object; `what` names it in errors. */
export function parseJsonObject(body: Buffer, contentType: string | undefined, what: string): Record<string, unknown> {
    const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json" && type !== "application/merge-patch+json") {
        throw new ApiError({ status: 415, type: "unsupported-media-type", title: "Unsupported media type", detail: `The ${what} must be sent as application/json.` });
    }
    let value: unknown;
    try {
        value = JSON.parse(body.toString("utf8"));
    } catch {
        throw badRequest("invalid-json", `The ${what} is not valid JSON.`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw badRequest("invalid-json", `The ${what} must be a JSON object.`);
    return value as Record<string, unknown>;
}

export function integerInRange(value: unknown, name: string, min: number, max: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw badRequest("invalid-parameter", `${name} must be an integer from ${min} to ${max}.`);
    }
    return value;
}

/**
 * Desired properties, as the device twin documents them (articles/iot-hub/iot-hub-devguide-device-twins.md):
 * keys are case-sensitive UTF-8 strings up to 1 KB that exclude control characters, '.', '$' and
 * space; objects nest at most 10 levels (the spec's TwinProperties: "The maximum depth of the
 * object is 10"); the whole of properties/desired is capped at 32 KB ("Device twin size"). `null`
 * deletes a property in a PATCH.
 */
export const MAX_DESIRED_BYTES = 32 * 1024;
/** C0 and C1 control characters, '.', '$' and space. */
const isBadKeyChar = (c: number): boolean => c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 0x2e || c === 0x24 || c === 0x20;
const hasBadKeyChar = (key: string): boolean => [...key].some((ch) => isBadKeyChar(ch.codePointAt(0)!));

export function checkDesired(desired: unknown): Record<string, unknown> {
    if (desired === null || typeof desired !== "object" || Array.isArray(desired)) {
        throw badRequest("invalid-twin-patch", "properties.desired must be a JSON object.");
    }
    const walk = (value: unknown, depth: number, path: string): void => {
        if (value === null || typeof value !== "object") return;
        if (depth > 10) throw badRequest("invalid-twin-patch", `properties.desired nests deeper than 10 levels (at ${path}).`);
        if (Array.isArray(value)) {
            value.forEach((v, i) => walk(v, depth + 1, `${path}[${i}]`));
            return;
        }
        for (const [k, v] of Object.entries(value)) {
            if (k === "" || Buffer.byteLength(k, "utf8") > 1024 || hasBadKeyChar(k)) {
                throw badRequest("invalid-twin-patch", `A desired property name under ${path} is empty, longer than 1 KB, or contains a control character, '.', '$' or a space.`);
            }
            walk(v, depth + 1, `${path}.${k}`);
        }
    };
    walk(desired, 1, "properties.desired");
    if (Buffer.byteLength(JSON.stringify(desired), "utf8") > MAX_DESIRED_BYTES) {
        throw badRequest("invalid-twin-patch", "properties.desired is larger than IoT Hub's 32 KB limit.");
    }
    return desired as Record<string, unknown>;
}

/**
 * An If-Match value as a client may send it (`"etag"`, `W/"etag"`, bare `etag`, or `*`), reduced
 * to the twin etag IoT Hub issued; undefined when absent. Twin etags are base64-like strings.
 */
export function parseIfMatch(value: string | undefined): string | undefined {
    if (value === undefined || value.trim() === "") return undefined;
    const v = value.trim();
    if (v === "*") return "*";
    const m = /^(?:W\/)?"([^"\\]{1,256})"$/.exec(v) ?? /^([A-Za-z0-9+/=\-_:.]{1,256})$/.exec(v);
    if (!m) throw badRequest("invalid-if-match", "If-Match must be a single entity tag, as returned in the twin's ETag header, or *.");
    return m[1];
}
