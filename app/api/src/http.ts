/**
 * The framework-agnostic request and response the core handles, and RFC 9457 problem documents.
 * The adapters (src/functions.ts for Azure Functions, src/server.ts for node:http) translate
 * their own request objects into ApiRequest and write ApiResponse back.
 */

export interface ApiRequest {
    method: string;
    /** Path without the query, still percent-encoded (e.g. `/devices/a%3Ab/twin`). */
    path: string;
    query: URLSearchParams;
    /** Header lookup by lower-case name; the first value when repeated. */
    header(name: string): string | undefined;
    /**
     * Reads the body, at most `maxBytes` bytes: rejects with BodyTooLargeError past that (the
     * adapter stops reading), so a route decides its own cap.
     */
    readBody(maxBytes: number): Promise<Buffer>;
}

export interface ApiResponse {
    status: number;
    headers: Record<string, string>;
    body?: string;
}

export class BodyTooLargeError extends Error {
    constructor(public readonly limit: number) {
        super(`request body exceeds ${limit} bytes`);
        this.name = "BodyTooLargeError";
    }
}

/** Problem types (RFC 9457 `type`), documented in app/api/README.md. */
export const PROBLEM_BASE = "urn:secure-iot:api:problem:";

export interface ProblemInit {
    status: number;
    /** Slug appended to PROBLEM_BASE; a stable identifier clients may switch on. */
    type: string;
    title: string;
    detail: string;
    headers?: Record<string, string>;
    /** Extension members (RFC 9457 section 3.2); never anything from a token or a device payload. */
    extensions?: Record<string, string | number>;
}

/** An error a handler throws to answer with a problem document. */
export class ApiError extends Error {
    constructor(public readonly problem: ProblemInit) {
        super(problem.detail);
        this.name = "ApiError";
    }
}

export function problemResponse(p: ProblemInit, correlationId: string): ApiResponse {
    const body = {
        type: `${PROBLEM_BASE}${p.type}`,
        title: p.title,
        status: p.status,
        detail: p.detail,
        instance: `urn:uuid:${correlationId}`,
        ...(p.extensions ?? {}),
    };
    return {
        status: p.status,
        headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...(p.headers ?? {}) },
        body: JSON.stringify(body),
    };
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
    return {
        status,
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
        body: JSON.stringify(value),
    };
}

export const badRequest = (type: string, detail: string): ApiError => new ApiError({ status: 400, type, title: "Bad request", detail });
