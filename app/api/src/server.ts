/**
 * Plain node:http adapter: serves the same core on a local port (local mode, benchmark, tests).
 */
import * as http from "node:http";
import type { Api } from "./core";
import { BodyTooLargeError, type ApiRequest } from "./http";

function readLimited(req: http.IncomingMessage, maxBytes: number, state: { incomplete: boolean }): Promise<Buffer> {
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > maxBytes) {
        state.incomplete = true;
        return Promise.reject(new BodyTooLargeError(maxBytes));
    }
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const onData = (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) {
                state.incomplete = true;
                req.off("data", onData);
                req.pause();
                reject(new BodyTooLargeError(maxBytes));
                return;
            }
            chunks.push(c);
        };
        req.on("data", onData);
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

export function toApiRequest(req: http.IncomingMessage, state: { incomplete: boolean }): ApiRequest {
    const url = new URL(req.url ?? "/", "http://localhost");
    return {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        header: (name) => {
            const v = req.headers[name.toLowerCase()];
            return Array.isArray(v) ? v[0] : v;
        },
        readBody: (maxBytes) => readLimited(req, maxBytes, state),
    };
}

export function createHttpServer(api: Api): http.Server {
    const server = http.createServer((req, res) => {
        const state = { incomplete: false };
        api.handle(toApiRequest(req, state)).then(
            (out) => {
                if (state.incomplete) out.headers.connection = "close";
                res.writeHead(out.status, out.headers);
                res.end(out.body, () => {
                    // A body the API stopped reading is not drained: the connection is closed.
                    if (state.incomplete) req.destroy();
                });
            },
            () => {
                res.writeHead(500, { "content-type": "text/plain" });
                res.end("internal error");
            },
        );
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    return server;
}
