/**
 * A loopback fake of the IoT Hub service API (api-version 2021-04-12) for the operations the API
 * uses, asserting each request as the data-plane contract defines it (see src/iotHub.ts for the
 * sources): the path, the api-version query, a bearer token really signed by the managed identity
 * with the audience https://iothubs.azure.net, the JSON body shape (CloudToDeviceMethod for
 * methods, a Twin fragment with properties.desired for PATCH), If-Match on PATCH. Requests that
 * break the contract are answered 400 and recorded in `violations`, which tests assert empty.
 *
 * Devices: `online` ones answer methods through `onMethod`; offline ones get 404103; unknown ids
 * 404001; `hang` ones never answer (IoT Hub answers 504101 after responseTimeoutInSeconds; the fake
 * waits `timeoutDelayMs` instead so tests stay fast).
 */
import type * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { FakeManagedIdentity } from "./identity";
import type { Certificate } from "./tls";

export const FAKE_HUB_API_VERSION = "2021-04-12";

export interface FakeDevice {
    connected: boolean;
    /** Never answers direct methods (IoT Hub then answers 504101). */
    hang?: boolean;
    desired: Record<string, unknown>;
    reported: Record<string, unknown>;
    tags?: Record<string, unknown>;
    version: number;
    onMethod?: (name: string, payload: unknown) => { status: number; payload: unknown };
}

export interface RecordedHubRequest {
    method: string;
    path: string;
    apiVersion: string | null;
    ifMatch?: string;
    body: unknown;
}

export interface FakeHubOptions {
    certificate: Certificate;
    identity: FakeManagedIdentity;
    /** How long a hanging device keeps IoT Hub waiting before 504 (default: the request's responseTimeoutInSeconds). */
    timeoutDelayMs?: number;
    /** Stall GET/PATCH twin answers by this long (to exercise the API's own HTTP timeout). */
    twinDelayMs?: number;
}

const METHOD_KEYS = ["methodName", "payload", "responseTimeoutInSeconds", "connectTimeoutInSeconds"];

function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete target[k];
        else if (typeof v === "object" && !Array.isArray(v) && typeof target[k] === "object" && target[k] !== null && !Array.isArray(target[k])) {
            mergePatch(target[k] as Record<string, unknown>, v as Record<string, unknown>);
        } else target[k] = v;
    }
}

export class FakeIoTHub {
    readonly devices = new Map<string, FakeDevice>();
    readonly requests: RecordedHubRequest[] = [];
    readonly violations: string[] = [];
    private server: https.Server | undefined;
    private pending = new Set<NodeJS.Timeout>();
    baseUrl = "";

    constructor(private readonly options: FakeHubOptions) {}

    etagOf(deviceId: string): string {
        const d = this.devices.get(deviceId)!;
        return Buffer.from(`${deviceId}:${d.version}`).toString("base64");
    }

    twinOf(deviceId: string): Record<string, unknown> {
        const d = this.devices.get(deviceId)!;
        return {
            deviceId,
            etag: this.etagOf(deviceId),
            deviceEtag: "MTIzNDU2",
            status: "enabled",
            connectionState: d.connected ? "Connected" : "Disconnected",
            version: d.version,
            tags: d.tags ?? {},
            properties: {
                desired: { ...d.desired, $version: d.version },
                reported: { ...d.reported, $version: 1 },
            },
        };
    }

    async start(): Promise<void> {
        this.server = https.createServer({ key: this.options.certificate.key, cert: this.options.certificate.cert }, (req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                void this.handle(req, Buffer.concat(chunks), res);
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.baseUrl = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async close(): Promise<void> {
        for (const t of this.pending) clearTimeout(t);
        this.server?.closeAllConnections();
        await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    }

    private reply(res: { writeHead(s: number, h: Record<string, string>): unknown; end(b: string): unknown }, status: number, body: unknown, headers: Record<string, string> = {}): void {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
        res.end(JSON.stringify(body));
    }

    private violation(res: Parameters<FakeIoTHub["reply"]>[0], text: string): void {
        this.violations.push(text);
        this.reply(res, 400, { errorCode: 400004, message: `fake IoT Hub: ${text}` });
    }

    private later(ms: number, fn: () => void): void {
        const t = setTimeout(() => {
            this.pending.delete(t);
            fn();
        }, ms);
        this.pending.add(t);
    }

    private async handle(req: http.IncomingMessage, raw: Buffer, res: Parameters<FakeIoTHub["reply"]>[0]): Promise<void> {
        const url = new URL(req.url ?? "/", this.baseUrl);
        const record: RecordedHubRequest = { method: req.method ?? "", path: url.pathname, apiVersion: url.searchParams.get("api-version"), body: undefined };
        if (typeof req.headers["if-match"] === "string") record.ifMatch = req.headers["if-match"];
        this.requests.push(record);

        // Authorization: a bearer token for https://iothubs.azure.net from the API's identity.
        const auth = req.headers.authorization ?? "";
        const m = /^Bearer (.+)$/.exec(auth);
        try {
            if (!m) throw new Error("no bearer token");
            await this.options.identity.verify(m[1], "https://iothubs.azure.net");
        } catch (err) {
            this.violations.push(`unauthorized: ${(err as Error).message}`);
            this.reply(res, 401, { errorCode: 401003, message: "IotHubUnauthorized" });
            return;
        }
        if (record.apiVersion !== FAKE_HUB_API_VERSION) return this.violation(res, `api-version ${record.apiVersion}`);
        if ([...url.searchParams.keys()].some((k) => k !== "api-version")) return this.violation(res, "unexpected query parameters");

        let body: unknown;
        if (raw.length > 0) {
            if (!/^application\/json/.test(req.headers["content-type"] ?? "")) return this.violation(res, "body without application/json");
            try {
                body = JSON.parse(raw.toString("utf8"));
            } catch {
                return this.violation(res, "body is not JSON");
            }
        }
        record.body = body;

        const methods = /^\/twins\/([^/]+)\/methods$/.exec(url.pathname);
        const twin = /^\/twins\/([^/]+)$/.exec(url.pathname);
        if (methods && req.method === "POST") return this.invoke(decodeURIComponent(methods[1]), body, res);
        if (twin && req.method === "GET") {
            if (raw.length > 0) return this.violation(res, "GET twin with a body");
            return this.delayTwin(() => this.getTwin(decodeURIComponent(twin[1]), res));
        }
        if (twin && req.method === "PATCH") return this.delayTwin(() => this.patchTwin(decodeURIComponent(twin[1]), body, record.ifMatch, res));
        return this.violation(res, `no such operation ${req.method} ${url.pathname}`);
    }

    private delayTwin(fn: () => void): void {
        if (this.options.twinDelayMs) this.later(this.options.twinDelayMs, fn);
        else fn();
    }

    private invoke(deviceId: string, body: unknown, res: Parameters<FakeIoTHub["reply"]>[0]): void {
        if (body === null || typeof body !== "object" || Array.isArray(body)) return this.violation(res, "method body is not an object");
        const b = body as Record<string, unknown>;
        const keys = Object.keys(b).sort();
        if (keys.join() !== [...METHOD_KEYS].sort().join()) return this.violation(res, `method body keys ${keys.join(",")}`);
        if (typeof b.methodName !== "string" || b.methodName === "") return this.violation(res, "methodName");
        const rt = b.responseTimeoutInSeconds;
        const ct = b.connectTimeoutInSeconds;
        if (typeof rt !== "number" || !Number.isInteger(rt) || rt < 5 || rt > 300) return this.violation(res, "responseTimeoutInSeconds out of 5-300");
        if (typeof ct !== "number" || !Number.isInteger(ct) || ct < 0 || ct > 300) return this.violation(res, "connectTimeoutInSeconds out of 0-300");
        if (Buffer.byteLength(JSON.stringify(b.payload)) > 128 * 1024) return this.reply(res, 413, { errorCode: 413001, message: "MessageTooLarge" });

        const device = this.devices.get(deviceId);
        if (!device) return this.reply(res, 404, { errorCode: 404001, trackingId: "fake", message: "DeviceNotFound", timestampUtc: new Date().toISOString() });
        if (!device.connected) {
            // The shape IoT Hub uses for direct method failures: the error JSON inside "Message".
            return this.reply(res, 404, {
                Message: JSON.stringify({ errorCode: 404103, trackingId: "fake", message: "Timed out waiting for device to connect.", info: { timeout: `00:00:${String(ct).padStart(2, "0")}` }, timestampUtc: new Date().toISOString() }),
                ExceptionMessage: "",
            });
        }
        if (device.hang) {
            this.later(this.options.timeoutDelayMs ?? rt * 1000, () =>
                this.reply(res, 504, { Message: JSON.stringify({ errorCode: 504101, trackingId: "fake", message: "Timed out waiting for the response from device.", info: {}, timestampUtc: new Date().toISOString() }), ExceptionMessage: "" }),
            );
            return;
        }
        const answer = device.onMethod ? device.onMethod(b.methodName, b.payload) : { status: 200, payload: { method: b.methodName, echo: b.payload } };
        this.reply(res, 200, answer);
    }

    private getTwin(deviceId: string, res: Parameters<FakeIoTHub["reply"]>[0]): void {
        if (!this.devices.has(deviceId)) return this.reply(res, 404, { errorCode: 404001, message: "DeviceNotFound" });
        this.reply(res, 200, this.twinOf(deviceId), { etag: `"${this.etagOf(deviceId)}"` });
    }

    private patchTwin(deviceId: string, body: unknown, ifMatch: string | undefined, res: Parameters<FakeIoTHub["reply"]>[0]): void {
        const device = this.devices.get(deviceId);
        if (!device) return this.reply(res, 404, { errorCode: 404001, message: "DeviceNotFound" });
        const b = body as { properties?: { desired?: unknown } } | undefined;
        if (!b || typeof b !== "object" || Object.keys(b).join() !== "properties" || !b.properties || Object.keys(b.properties).join() !== "desired") {
            return this.violation(res, "PATCH body must hold properties.desired only");
        }
        const desired = b.properties.desired;
        if (desired === null || typeof desired !== "object" || Array.isArray(desired)) return this.violation(res, "desired is not an object");
        if (ifMatch !== undefined && ifMatch !== "*") {
            // RFC 7232 entity tags are quoted.
            if (!/^"[^"]*"$/.test(ifMatch)) return this.violation(res, `If-Match ${ifMatch} is not a quoted entity tag`);
            if (ifMatch.slice(1, -1) !== this.etagOf(deviceId)) {
                return this.reply(res, 412, { errorCode: 412001, trackingId: "fake", message: "Precondition failed: etag mismatch", timestampUtc: new Date().toISOString() });
            }
        }
        mergePatch(device.desired, desired as Record<string, unknown>);
        device.version += 1;
        this.reply(res, 200, this.twinOf(deviceId), { etag: `"${this.etagOf(deviceId)}"` });
    }
}
