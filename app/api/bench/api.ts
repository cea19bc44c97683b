/**
 * Benchmark (not a test): the cost of token validation with a warm JWKS cache, and end-to-end
 * request latency through the local HTTP server against the loopback fakes (IoT Hub over TLS,
 * Cosmos DB over TLS through the real SDK). Sequential requests on one keep-alive connection,
 * bounded in count and time, loopback only.
 *
 *   npm run bench:api [-- --requests 10000]
 */
import * as http from "node:http";
import { parseArgs } from "node:util";
import { startFakeEnvironment } from "../fakes/environment";
import { SAMPLE_DEVICES, seed } from "../fakes/seed";
import { API_SCOPES } from "../src/settings";

const TIME_LIMIT_MS = 120_000;

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report(name: string, samples: number[], wallMs: number): void {
    const s = [...samples].sort((a, b) => a - b);
    const fmt = (x: number) => x.toFixed(3);
    console.log(`${name}: n=${s.length} p50=${fmt(percentile(s, 50))} ms p99=${fmt(percentile(s, 99))} ms max=${fmt(s[s.length - 1])} ms (${Math.round((s.length / wallMs) * 1000)}/s)`);
}

async function timed(n: number, fn: () => Promise<void>): Promise<{ samples: number[]; wallMs: number }> {
    const samples: number[] = [];
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        await fn();
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (Number(process.hrtime.bigint() - start) / 1e6 > TIME_LIMIT_MS) break;
    }
    return { samples, wallMs: Number(process.hrtime.bigint() - start) / 1e6 };
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { requests: { type: "string", default: "10000" } } });
    const n = Math.max(1, Math.min(100_000, Number(values.requests)));
    const env = await startFakeEnvironment();
    seed(env);
    try {
        const token = await env.tenant.userToken({ scopes: [API_SCOPES.telemetryRead, API_SCOPES.devicesManage] });
        const header = `Bearer ${token}`;
        console.log(`node ${process.version}, ${n} sequential operations per line, loopback only`);

        // Token validation alone, warm JWKS (the first call fetches it).
        await env.services.validator.authenticate(header);
        const fetchesBefore = env.tenant.jwksFetches;
        const v = await timed(n, async () => {
            const p = await env.services.validator.authenticate(header);
            env.services.validator.authorize(p, { scopes: [API_SCOPES.telemetryRead], roles: [] });
        });
        report("token validation (RS256, warm JWKS cache)", v.samples, v.wallMs);
        if (env.tenant.jwksFetches !== fetchesBefore) throw new Error("the JWKS was fetched during the warm run");

        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const url = new URL(env.baseUrl);
        const request = (method: string, path: string, body?: string) =>
            new Promise<void>((resolve, reject) => {
                const req = http.request(
                    { host: url.hostname, port: url.port, method, path, agent, headers: { authorization: header, ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}) } },
                    (res) => {
                        res.resume();
                        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`))));
                    },
                );
                req.on("error", reject);
                req.end(body);
            });
        const d = SAMPLE_DEVICES.online;
        for (const [name, method, path, body] of [
            ["GET /devices/{id}/twin (IoT Hub fake, TLS)", "GET", `/devices/${d}/twin`, undefined],
            ["POST /devices/{id}/methods/{name} (IoT Hub fake, TLS)", "POST", `/devices/${d}/methods/ping`, '{"payload":{"n":1}}'],
            ["GET /devices/{id}/telemetry?limit=10 (Cosmos DB fake via SDK, TLS)", "GET", `/devices/${d}/telemetry?limit=10`, undefined],
        ] as const) {
            for (let i = 0; i < 50; i++) await request(method, path, body); // warm-up
            const r = await timed(n, () => request(method, path, body));
            report(`end-to-end ${name}`, r.samples, r.wallMs);
        }
        agent.destroy();
    } finally {
        await env.close();
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
