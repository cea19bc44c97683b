/**
 * The API core: routes, token checks, input validation and the calls to IoT Hub and Cosmos DB,
 * independent of the host (request in, response out). Every failure is an RFC 9457 problem
 * document; every request is logged as one line with only what an operator needs: route, status,
 * device id (once validated), latency and the correlation id (never a token, a claim or a payload).
 */
import { randomUUID } from "node:crypto";
import type { Principal, Requirement, TokenValidator } from "./auth";
import { ApiError, BodyTooLargeError, badRequest, jsonResponse, problemResponse, type ApiRequest, type ApiResponse } from "./http";
import type { MethodInvocation, MethodResult, TwinResult } from "./iotHub";
import { API_FUNCTIONS, API_ROLES, API_SCOPES } from "./settings";
import {
    DEFAULT_LIMIT,
    DEFAULT_WINDOW_HOURS,
    MAX_LIMIT,
    MAX_WINDOW_DAYS,
    decodeContinuation,
    type ResumePoint,
    type TelemetryPage,
    type TelemetryQuery,
} from "./telemetry";
import { checkDesired, checkDeviceId, checkMethodName, decodeSegment, integerInRange, parseIfMatch, parseJsonObject } from "./validation";

/** What the core needs from IoT Hub (src/iotHub.ts implements it). */
export interface DeviceService {
    invokeMethod(deviceId: string, call: MethodInvocation): Promise<MethodResult>;
    getTwin(deviceId: string): Promise<TwinResult>;
    updateDesired(deviceId: string, desired: Record<string, unknown>, ifMatch: string | undefined): Promise<TwinResult>;
}

/** What the core needs from the telemetry store (src/telemetry.ts implements it). */
export interface TelemetryService {
    page(q: TelemetryQuery): Promise<TelemetryPage>;
}

export interface RequestLog {
    route: string;
    status: number;
    latencyMs: number;
    correlationId: string;
    deviceId?: string;
    /** The problem type slug, for failures. */
    problem?: string;
    /** Name of an unexpected error (never its message, which may quote input). */
    error?: string;
}

export interface ApiDeps {
    auth: Pick<TokenValidator, "authenticate" | "authorize">;
    devices: DeviceService;
    telemetry: TelemetryService;
    log?: (entry: RequestLog) => void;
    now?: () => Date;
}

/** Direct method payloads are JSON documents of at most 128 KB (articles/iot-hub/iot-hub-devguide-direct-methods.md). */
export const MAX_METHOD_PAYLOAD_BYTES = 128 * 1024;
/**
 * This API's bounds on the method timeouts (IoT Hub allows 5-300 s and 0-300 s): their sum plus the
 * HTTP margin stays under the 230 s an HTTP-triggered function has to answer
 * (MicrosoftDocs/azure-docs, includes/functions-timeout-duration.md).
 */
export const METHOD_TIMEOUTS = { response: { min: 5, max: 120, default: 30 }, connect: { min: 0, max: 60, default: 0 } } as const;
const METHOD_BODY_LIMIT = MAX_METHOD_PAYLOAD_BYTES + 4 * 1024;
const TWIN_BODY_LIMIT = 40 * 1024;

interface Context {
    req: ApiRequest;
    params: string[];
    now: Date;
    setDevice(id: string): void;
}

interface Route {
    name: string;
    method: string;
    template: string;
    pattern: RegExp;
    need: Requirement;
    handle(ctx: Context): Promise<ApiResponse>;
}

const READ: Requirement = { scopes: [API_SCOPES.telemetryRead], roles: [API_ROLES.telemetryReader] };
const MANAGE: Requirement = { scopes: [API_SCOPES.devicesManage], roles: [API_ROLES.devicesOperator] };
const READ_TWIN: Requirement = { scopes: [API_SCOPES.telemetryRead, API_SCOPES.devicesManage], roles: [API_ROLES.telemetryReader, API_ROLES.devicesOperator] };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function single(query: URLSearchParams, name: string): string | undefined {
    const all = query.getAll(name);
    if (all.length > 1) throw badRequest("invalid-parameter", `${name} may be given once.`);
    return all[0];
}

function parseSince(value: string): Date {
    const ms = ISO_INSTANT.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(ms)) throw badRequest("invalid-parameter", "since must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z.");
    return new Date(ms);
}

function checkWindow(since: Date, now: Date): void {
    if (since.getTime() > now.getTime() + 5 * 60_000) throw badRequest("invalid-parameter", "since is in the future.");
    if (since.getTime() < now.getTime() - MAX_WINDOW_DAYS * 86_400_000) throw badRequest("invalid-parameter", `since may be at most ${MAX_WINDOW_DAYS} days ago.`);
}

function etagHeader(etag: string | undefined): Record<string, string> {
    return etag ? { etag: `"${etag}"` } : {};
}

async function readJsonBody(req: ApiRequest, limit: number, what: string, allowEmpty: boolean): Promise<Record<string, unknown>> {
    const body = await req.readBody(limit);
    if (body.length === 0) {
        if (allowEmpty) return {};
        throw badRequest("invalid-json", `The ${what} is empty.`);
    }
    return parseJsonObject(body, req.header("content-type"), what);
}

function buildRoutes(deps: ApiDeps): Route[] {
    const spec = (name: (typeof API_FUNCTIONS)[number]["name"]) => {
        const f = API_FUNCTIONS.find((x) => x.name === name)!;
        const template = `/${f.route}`;
        const pattern = new RegExp(`^${template.replace(/\{[a-z]+\}/g, "([^/]+)")}$`);
        return { name: f.name, method: f.method, template, pattern };
    };
    return [
        {
            ...spec("telemetry-list"),
            need: READ,
            async handle({ req, params, now, setDevice }) {
                const deviceId = checkDeviceId(decodeSegment(params[0], "device-id"));
                setDevice(deviceId);
                const sinceParam = single(req.query, "since");
                const limitParam = single(req.query, "limit");
                const token = single(req.query, "continuation");
                let since = sinceParam !== undefined ? parseSince(sinceParam) : undefined;
                let resume: ResumePoint | undefined;
                if (token !== undefined) {
                    const decoded = decodeContinuation(token, deviceId);
                    if (since !== undefined && since.getTime() !== decoded.since.getTime()) {
                        throw badRequest("invalid-continuation", "The continuation token belongs to a query with another since; repeat the same since, or omit it.");
                    }
                    since = decoded.since;
                    resume = decoded.resume;
                }
                since ??= new Date(now.getTime() - DEFAULT_WINDOW_HOURS * 3_600_000);
                checkWindow(since, now);
                let limit = DEFAULT_LIMIT;
                if (limitParam !== undefined) {
                    if (!/^\d{1,4}$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > MAX_LIMIT) {
                        throw badRequest("invalid-parameter", `limit must be an integer from 1 to ${MAX_LIMIT}.`);
                    }
                    limit = Number(limitParam);
                }
                const page = await deps.telemetry.page({ deviceId, since, now, limit, ...(resume ? { resume } : {}) });
                return jsonResponse(200, { deviceId, since: since.toISOString(), items: page.items, continuation: page.continuation });
            },
        },
        {
            ...spec("device-method-invoke"),
            need: MANAGE,
            async handle({ req, params, setDevice }) {
                const deviceId = checkDeviceId(decodeSegment(params[0], "device-id"));
                setDevice(deviceId);
                const methodName = checkMethodName(decodeSegment(params[1], "method-name"));
                const body = await readJsonBody(req, METHOD_BODY_LIMIT, "request body", true);
                for (const key of Object.keys(body)) {
                    if (!["payload", "responseTimeoutInSeconds", "connectTimeoutInSeconds"].includes(key)) {
                        throw badRequest("invalid-parameter", "The body may only hold payload, responseTimeoutInSeconds and connectTimeoutInSeconds.");
                    }
                }
                const payload = body.payload === undefined ? null : body.payload;
                if (Buffer.byteLength(JSON.stringify(payload), "utf8") > MAX_METHOD_PAYLOAD_BYTES) {
                    throw new ApiError({ status: 413, type: "payload-too-large", title: "Payload too large", detail: "A direct method payload may be at most 128 KB of JSON." });
                }
                const t = METHOD_TIMEOUTS;
                const call: MethodInvocation = {
                    methodName,
                    payload,
                    responseTimeoutInSeconds: integerInRange(body.responseTimeoutInSeconds, "responseTimeoutInSeconds", t.response.min, t.response.max, t.response.default),
                    connectTimeoutInSeconds: integerInRange(body.connectTimeoutInSeconds, "connectTimeoutInSeconds", t.connect.min, t.connect.max, t.connect.default),
                };
                const result = await deps.devices.invokeMethod(deviceId, call);
                return jsonResponse(200, { status: result.status, payload: result.payload });
            },
        },
        {
            ...spec("twin-get"),
            need: READ_TWIN,
            async handle({ params, setDevice }) {
                const deviceId = checkDeviceId(decodeSegment(params[0], "device-id"));
                setDevice(deviceId);
                const { twin, etag } = await deps.devices.getTwin(deviceId);
                return jsonResponse(200, twin, etagHeader(etag));
            },
        },
        {
            ...spec("twin-update-desired"),
            need: MANAGE,
            async handle({ req, params, setDevice }) {
                const deviceId = checkDeviceId(decodeSegment(params[0], "device-id"));
                setDevice(deviceId);
                const ifMatch = parseIfMatch(req.header("if-match"));
                const body = await readJsonBody(req, TWIN_BODY_LIMIT, "twin patch", false);
                const properties = body.properties as Record<string, unknown> | undefined;
                if (
                    Object.keys(body).length !== 1 ||
                    properties === null ||
                    typeof properties !== "object" ||
                    Array.isArray(properties) ||
                    Object.keys(properties).length !== 1 ||
                    !("desired" in properties)
                ) {
                    throw badRequest("invalid-twin-patch", 'Only desired properties can be changed: send {"properties": {"desired": {...}}}.');
                }
                const desired = checkDesired(properties.desired);
                const { twin, etag } = await deps.devices.updateDesired(deviceId, desired, ifMatch);
                return jsonResponse(200, twin, etagHeader(etag));
            },
        },
    ];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Api {
    handle(req: ApiRequest): Promise<ApiResponse>;
}

export function createApi(deps: ApiDeps): Api {
    const routes = buildRoutes(deps);
    const log = deps.log ?? ((entry: RequestLog) => console.log(JSON.stringify(entry)));
    const clock = deps.now ?? (() => new Date());

    return {
        async handle(req) {
            const started = process.hrtime.bigint();
            const incoming = req.header("x-correlation-id");
            const correlationId = incoming !== undefined && UUID.test(incoming) ? incoming.toLowerCase() : randomUUID();
            let routeName = "unmatched";
            let deviceId: string | undefined;
            let response: ApiResponse;
            let problem: string | undefined;
            let errorName: string | undefined;
            try {
                const candidates = routes.filter((r) => r.pattern.test(req.path));
                if (candidates.length === 0) {
                    throw new ApiError({ status: 404, type: "not-found", title: "Not found", detail: "No such resource." });
                }
                const route = candidates.find((r) => r.method === req.method.toUpperCase());
                if (!route) {
                    throw new ApiError({
                        status: 405,
                        type: "method-not-allowed",
                        title: "Method not allowed",
                        detail: `This resource accepts ${candidates.map((r) => r.method).join(", ")}.`,
                        headers: { allow: candidates.map((r) => r.method).join(", ") },
                    });
                }
                routeName = `${route.method} ${route.template}`;
                const principal: Principal = await deps.auth.authenticate(req.header("authorization"));
                deps.auth.authorize(principal, route.need);
                const params = route.pattern.exec(req.path)!.slice(1);
                response = await route.handle({ req, params, now: clock(), setDevice: (id) => (deviceId = id) });
            } catch (err) {
                let apiError: ApiError;
                if (err instanceof ApiError) apiError = err;
                else if (err instanceof BodyTooLargeError) {
                    apiError = new ApiError({ status: 413, type: "body-too-large", title: "Request body too large", detail: `The request body may be at most ${err.limit} bytes.` });
                } else {
                    errorName = err instanceof Error ? err.name : typeof err;
                    apiError = new ApiError({ status: 500, type: "internal-error", title: "Internal error", detail: "The API failed unexpectedly; the correlation id identifies the failure in the logs." });
                }
                problem = apiError.problem.type;
                response = problemResponse(apiError.problem, correlationId);
            }
            response.headers["x-correlation-id"] = correlationId;
            const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
            log({
                route: routeName,
                status: response.status,
                latencyMs: Math.round(latencyMs * 100) / 100,
                correlationId,
                ...(deviceId !== undefined ? { deviceId } : {}),
                ...(problem !== undefined ? { problem } : {}),
                ...(errorName !== undefined ? { error: errorName } : {}),
            });
            return response;
        },
    };
}
