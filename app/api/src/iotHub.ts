/**
 * IoT Hub service (data-plane) REST client: direct methods and device twins, authorized with an
 * Entra ID token of the API's managed identity (no shared access keys).
 *
 * Contract: the IoT Hub service API, api-version 2021-04-12, the newest stable version of the
 * data-plane spec in Azure/azure-rest-api-specs (specification/iothub/data-plane/...; the spec
 * repository was not reachable from this machine, so the operations were read from the reference
 * generated from it, learn.microsoft.com/rest/api/iothub/service/devices/{invoke-method,get-twin,
 * update-twin}, all "api-version=2021-04-12", and from the spec copy Azure/azure-iot-hub-node
 * ships, src/service.json, whose operations Devices_InvokeMethod, Devices_GetTwin and
 * Devices_UpdateTwin have the same paths and bodies):
 * - POST /twins/{id}/methods  body CloudToDeviceMethod {methodName, payload, responseTimeoutInSeconds,
 *   connectTimeoutInSeconds} -> 200 CloudToDeviceMethodResult {status, payload};
 * - GET /twins/{id} -> 200 Twin;
 * - PATCH /twins/{id}  body Twin (tags and desired properties to merge), header If-Match (a weak
 *   ETag per RFC 7232) -> 200 Twin.
 * Tokens: "The resource name to request the token is https://iothubs.azure.net"
 * (articles/iot-hub/authenticate-authorize-azure-ad.md), hence the `.default` scope below.
 * Error codes: articles/iot-hub/troubleshoot-error-codes.md (404103 DeviceNotOnline, 404001
 * DeviceNotFound, 412 PreconditionFailed, 504101 GatewayTimeout).
 */
import * as https from "node:https";
import type { TokenCredential } from "@azure/identity";
import { ApiError, type ProblemInit } from "./http";

export const IOTHUB_API_VERSION = "2021-04-12";
export const IOTHUB_TOKEN_SCOPE = "https://iothubs.azure.net/.default";
/** A method response payload is at most 128 KB; a twin at most 8 KB of tags and 2 x 32 KB of properties plus metadata. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const TWIN_TIMEOUT_MS = 10_000;
/** Extra time over the method's own timeouts before this client gives up on IoT Hub's answer. */
export const METHOD_HTTP_MARGIN_MS = 5_000;
/** Refresh the hub token this long before it expires. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

export interface HubClientOptions {
    hostName: string;
    credential: TokenCredential;
    /** Origin to call instead of https://<hostName> (tests and local mode: a loopback fake). */
    baseUrl?: string;
    /** TLS agent (tests: one that trusts the fake's self-signed certificate). */
    agent?: https.Agent;
    /** Timeout of a twin read or update (default 10 s). */
    twinTimeoutMs?: number;
}

export interface MethodInvocation {
    methodName: string;
    payload: unknown;
    responseTimeoutInSeconds: number;
    connectTimeoutInSeconds: number;
}

export interface MethodResult {
    status: number;
    payload: unknown;
}

export interface TwinResult {
    twin: Record<string, unknown>;
    etag: string | undefined;
}

interface HubResponse {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
}

class HubTimeout extends Error {}

/** The numeric IoT Hub error code of an error response, from either body shape the service uses. */
export function hubErrorCode(body: Buffer, headers: HubResponse["headers"]): number | undefined {
    const fromText = (text: unknown): number | undefined => {
        if (typeof text !== "string") return undefined;
        const m = /"?errorCode"?\s*[:=]\s*"?(\d{6})/i.exec(text);
        return m ? Number(m[1]) : undefined;
    };
    try {
        const json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
        if (typeof json.errorCode === "number") return json.errorCode;
        const nested = fromText(json.Message) ?? fromText(json.message);
        if (nested !== undefined) return nested;
    } catch {
        // not JSON: fall through to the header
    }
    const header = headers["iothub-errorcode"];
    const name = Array.isArray(header) ? header[0] : header;
    return name !== undefined ? ERROR_NAMES[name.toLowerCase()] : undefined;
}

/** The `iothub-errorcode` response header carries the code's name. */
const ERROR_NAMES: Record<string, number> = {
    devicenotonline: 404103,
    devicenotfound: 404001,
    gatewaytimeout: 504101,
    preconditionfailed: 412001,
};

function upstream(status: number, type: string, title: string, detail: string, extensions?: ProblemInit["extensions"], headers?: Record<string, string>): ApiError {
    return new ApiError({ status, type, title, detail, ...(extensions ? { extensions } : {}), ...(headers ? { headers } : {}) });
}

function mapHubError(res: HubResponse, operation: "method" | "twin"): ApiError {
    const code = hubErrorCode(res.body, res.headers);
    const ext = code !== undefined ? { iotHubErrorCode: code } : undefined;
    switch (res.status) {
        case 404:
            if (operation === "method" && code === 404103) {
                return upstream(404, "device-offline", "Device offline", "The device is not connected to IoT Hub, or has not subscribed to direct methods (IoT Hub 404103 DeviceNotOnline).", ext);
            }
            return upstream(404, "device-not-found", "Device not found", "IoT Hub has no device with this id (or it is disabled).", ext);
        case 504:
            return upstream(504, "device-timeout", "Device did not answer in time", "IoT Hub timed out waiting for the device's response (IoT Hub 504101 GatewayTimeout).", ext);
        case 412:
            return upstream(412, "etag-mismatch", "Twin changed", "The twin's etag no longer matches If-Match: read the twin again and retry with its current ETag.", ext);
        case 400:
            return upstream(400, "rejected-by-hub", "Rejected by IoT Hub", "IoT Hub rejected the request as invalid.", ext);
        case 429: {
            const retry = res.headers["retry-after"];
            const retryAfter = typeof retry === "string" && /^\d{1,4}$/.test(retry) ? retry : "5";
            return upstream(503, "hub-throttled", "IoT Hub throttled the request", "IoT Hub is throttling the API; retry later.", ext, { "retry-after": retryAfter });
        }
        case 401:
        case 403:
            return upstream(502, "hub-access-denied", "IoT Hub refused the API", "IoT Hub refused the API's identity; its role assignment on the hub needs checking.", ext);
        default:
            return upstream(502, "hub-error", "IoT Hub error", `IoT Hub answered HTTP ${res.status}.`, ext);
    }
}

export class IoTHubClient {
    private readonly origin: URL;
    private readonly agent: https.Agent;
    private token: { value: string; refreshAt: number } | undefined;
    private pendingToken: Promise<string> | undefined;

    constructor(private readonly options: HubClientOptions) {
        this.origin = new URL(options.baseUrl ?? `https://${options.hostName}`);
        if (this.origin.protocol !== "https:") throw new Error("IoT Hub is only called over https");
        this.agent = options.agent ?? new https.Agent({ keepAlive: true, maxSockets: 50 });
    }

    async invokeMethod(deviceId: string, call: MethodInvocation): Promise<MethodResult> {
        const body = JSON.stringify({
            methodName: call.methodName,
            payload: call.payload,
            responseTimeoutInSeconds: call.responseTimeoutInSeconds,
            connectTimeoutInSeconds: call.connectTimeoutInSeconds,
        });
        const timeoutMs = (call.responseTimeoutInSeconds + call.connectTimeoutInSeconds) * 1000 + METHOD_HTTP_MARGIN_MS;
        const res = await this.send("POST", `/twins/${encodeURIComponent(deviceId)}/methods`, body, {}, timeoutMs, "method");
        if (res.status !== 200) throw mapHubError(res, "method");
        const json = this.json(res) as { status?: unknown; payload?: unknown };
        if (typeof json.status !== "number" || !Number.isInteger(json.status)) {
            throw upstream(502, "hub-error", "IoT Hub error", "IoT Hub's method result had no integer status.");
        }
        return { status: json.status, payload: json.payload ?? null };
    }

    async getTwin(deviceId: string): Promise<TwinResult> {
        const res = await this.send("GET", `/twins/${encodeURIComponent(deviceId)}`, undefined, {}, this.options.twinTimeoutMs ?? TWIN_TIMEOUT_MS, "twin");
        if (res.status !== 200) throw mapHubError(res, "twin");
        return this.twin(res);
    }

    /** PATCHes `properties.desired` only (never tags), optionally conditional on the twin's etag. */
    async updateDesired(deviceId: string, desired: Record<string, unknown>, ifMatch: string | undefined): Promise<TwinResult> {
        const headers: Record<string, string> = {};
        if (ifMatch !== undefined) headers["if-match"] = ifMatch === "*" ? "*" : `"${ifMatch}"`;
        const body = JSON.stringify({ properties: { desired } });
        const res = await this.send("PATCH", `/twins/${encodeURIComponent(deviceId)}`, body, headers, this.options.twinTimeoutMs ?? TWIN_TIMEOUT_MS, "twin");
        if (res.status !== 200) throw mapHubError(res, "twin");
        return this.twin(res);
    }

    close(): void {
        if (!this.options.agent) this.agent.destroy();
    }

    private twin(res: HubResponse): TwinResult {
        const twin = this.json(res);
        if (twin === null || typeof twin !== "object" || Array.isArray(twin)) throw upstream(502, "hub-error", "IoT Hub error", "IoT Hub's twin was not a JSON object.");
        const t = twin as Record<string, unknown>;
        const header = res.headers.etag;
        const fromHeader = typeof header === "string" ? header.replace(/^W\//, "").replace(/^"|"$/g, "") : undefined;
        return { twin: t, etag: typeof t.etag === "string" ? t.etag : fromHeader };
    }

    private json(res: HubResponse): unknown {
        try {
            return JSON.parse(res.body.toString("utf8"));
        } catch {
            throw upstream(502, "hub-error", "IoT Hub error", "IoT Hub's answer was not JSON.");
        }
    }

    private async accessToken(): Promise<string> {
        const now = Date.now();
        if (this.token && now < this.token.refreshAt) return this.token.value;
        if (!this.pendingToken) {
            this.pendingToken = (async () => {
                try {
                    const t = await this.options.credential.getToken(IOTHUB_TOKEN_SCOPE);
                    if (!t) throw new Error("no token");
                    this.token = { value: t.token, refreshAt: Math.max(Date.now() + 60_000, t.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS) };
                    return t.token;
                } finally {
                    this.pendingToken = undefined;
                }
            })();
        }
        try {
            return await this.pendingToken;
        } catch {
            throw upstream(502, "hub-identity-unavailable", "Managed identity unavailable", "The API could not obtain an Entra ID token for IoT Hub from its managed identity.");
        }
    }

    private async send(method: string, path: string, body: string | undefined, extraHeaders: Record<string, string>, timeoutMs: number, operation: "method" | "twin"): Promise<HubResponse> {
        const token = await this.accessToken();
        const url = new URL(`${path}?api-version=${IOTHUB_API_VERSION}`, this.origin);
        try {
            return await new Promise<HubResponse>((resolve, reject) => {
                const req = https.request(
                    url,
                    {
                        method,
                        agent: this.agent,
                        headers: {
                            authorization: `Bearer ${token}`,
                            accept: "application/json",
                            ...(body !== undefined ? { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(body)) } : {}),
                            ...extraHeaders,
                        },
                    },
                    (res) => {
                        const chunks: Buffer[] = [];
                        let size = 0;
                        res.on("data", (c: Buffer) => {
                            size += c.length;
                            if (size > MAX_RESPONSE_BYTES) {
                                req.destroy(new Error("IoT Hub response too large"));
                                return;
                            }
                            chunks.push(c);
                        });
                        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
                        res.on("error", reject);
                    },
                );
                const timer = setTimeout(() => req.destroy(new HubTimeout()), timeoutMs);
                req.on("close", () => clearTimeout(timer));
                req.on("error", reject);
                req.end(body);
            });
        } catch (err) {
            if (err instanceof HubTimeout) {
                throw upstream(
                    504,
                    operation === "method" ? "device-timeout" : "hub-timeout",
                    operation === "method" ? "Device did not answer in time" : "IoT Hub did not answer in time",
                    `No answer from IoT Hub within ${Math.round(timeoutMs / 1000)} s.`,
                );
            }
            throw upstream(502, "hub-unreachable", "IoT Hub unreachable", "The API could not reach IoT Hub.");
        }
    }
}
