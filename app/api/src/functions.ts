/**
 * Azure Functions adapter (Node.js programming model v4): one HTTP function per route, all with
 * authLevel anonymous, because the bearer token is validated by this code (and by App Service
 * Authentication in front of the app), not by a function key. The host's route prefix is empty
 * (host.json), so the routes are the same as the local server's.
 */
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import type { Api } from "./core";
import { BodyTooLargeError, type ApiRequest, type ApiResponse } from "./http";
import { API_FUNCTIONS } from "./settings";

async function readLimited(request: HttpRequest, maxBytes: number): Promise<Buffer> {
    const declared = request.headers.get("content-length");
    if (declared !== null && Number(declared) > maxBytes) throw new BodyTooLargeError(maxBytes);
    if (!request.body) return Buffer.alloc(0);
    const reader = request.body.getReader();
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
            await reader.cancel();
            throw new BodyTooLargeError(maxBytes);
        }
        chunks.push(Buffer.from(value));
    }
    return Buffer.concat(chunks);
}

export function toApiRequest(request: HttpRequest): ApiRequest {
    const url = new URL(request.url);
    return {
        method: request.method,
        path: url.pathname,
        query: url.searchParams,
        header: (name) => request.headers.get(name) ?? undefined,
        readBody: (maxBytes) => readLimited(request, maxBytes),
    };
}

export function toHttpResponse(res: ApiResponse): HttpResponseInit {
    return { status: res.status, headers: res.headers, ...(res.body !== undefined ? { body: res.body } : {}) };
}

/** The part of `app` the adapter uses (tests pass a recorder). */
export interface FunctionRegistrar {
    http(name: string, options: { methods: ("GET" | "POST" | "PATCH")[]; route: string; authLevel: "anonymous"; handler: (request: HttpRequest) => Promise<HttpResponseInit> }): void;
}

export function registerFunctions(api: Api, registrar: FunctionRegistrar = app): void {
    for (const f of API_FUNCTIONS) {
        registrar.http(f.name, {
            methods: [f.method],
            route: f.route,
            authLevel: "anonymous",
            handler: async (request) => toHttpResponse(await api.handle(toApiRequest(request))),
        });
    }
}
