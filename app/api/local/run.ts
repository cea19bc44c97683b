/**
 * Local mode: the API on 127.0.0.1 against loopback fakes of everything it uses (a local JWKS, a
 * fake IoT Hub, a fake Cosmos DB seeded with sample telemetry), with ready-to-paste curl commands
 * carrying locally signed tokens. Nothing leaves the machine. Ctrl-C stops it.
 *
 *   npm run api:local [-- --port 7071]
 */
import { parseArgs } from "node:util";
import { startFakeEnvironment } from "../fakes/environment";
import { SAMPLE_DEVICES, seed } from "../fakes/seed";

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { port: { type: "string", default: process.env.API_LOCAL_PORT ?? "7071" } } });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number`);

    const env = await startFakeEnvironment({
        port,
        // A device that never answers: IoT Hub would wait responseTimeoutInSeconds; the fake answers 504 after 3 s.
        hubTimeoutDelayMs: 3_000,
        log: (entry) => console.log(`[api] ${JSON.stringify(entry)}`),
    });
    const { documents } = seed(env);
    const operator = await env.tenant.userToken({ scopes: ["Telemetry.Read", "Devices.Manage"] });
    const reader = await env.tenant.userToken({ scopes: ["Telemetry.Read"] });
    const base = env.baseUrl;
    const since = new Date(Date.now() - 35 * 86_400_000).toISOString();
    const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    const auth = (t: string) => `-H ${q(`Authorization: Bearer ${t}`)}`;

    const lines = [
        `Local API on ${base} (fakes: JWKS ${env.tenant.jwksUrl}, IoT Hub ${env.hub.baseUrl}, Cosmos DB ${env.cosmos.endpoint}; ${documents} telemetry documents).`,
        `Tokens are signed by a local key for tenant ${env.config.tenantId}, API ${env.config.apiClientId}, mobile client ${env.config.allowedClientIds[0]}; they expire in 1 hour.`,
        "",
        "# Latest telemetry of sensor-01 (Telemetry.Read):",
        `curl -s ${auth(reader)} ${q(`${base}/devices/${SAMPLE_DEVICES.online}/telemetry?limit=5`)}`,
        "",
        "# 35 days back, 3 per page, across two month partitions (pass the returned continuation as &continuation=...):",
        `curl -s ${auth(reader)} ${q(`${base}/devices/${SAMPLE_DEVICES.online}/telemetry?since=${since}&limit=3`)}`,
        "",
        "# The twin, with its ETag (Telemetry.Read or Devices.Manage):",
        `curl -si ${auth(reader)} ${q(`${base}/devices/${SAMPLE_DEVICES.online}/twin`)}`,
        "",
        "# Change a desired property, only if the twin is unchanged (put the ETag from above in If-Match; a stale one answers 412):",
        `curl -si -X PATCH ${auth(operator)} -H 'Content-Type: application/json' -H ${q(`If-Match: "${env.hub.etagOf(SAMPLE_DEVICES.online)}"`)} -d '{"properties":{"desired":{"telemetryIntervalSeconds":30}}}' ${q(`${base}/devices/${SAMPLE_DEVICES.online}/twin`)}`,
        "",
        "# Invoke a direct method (Devices.Manage):",
        `curl -s -X POST ${auth(operator)} -H 'Content-Type: application/json' -d '{"payload":{"delaySeconds":5},"responseTimeoutInSeconds":10}' ${q(`${base}/devices/${SAMPLE_DEVICES.online}/methods/reboot`)}`,
        "",
        "# The same on an offline device (404 device-offline) and on one that never answers (504 device-timeout):",
        `curl -s -X POST ${auth(operator)} -H 'Content-Type: application/json' -d '{}' ${q(`${base}/devices/${SAMPLE_DEVICES.offline}/methods/reboot`)}`,
        `curl -s -X POST ${auth(operator)} -H 'Content-Type: application/json' -d '{"responseTimeoutInSeconds":5}' ${q(`${base}/devices/${SAMPLE_DEVICES.stuck}/methods/reboot`)}`,
        "",
        "# A reader may not invoke methods (403 insufficient_scope), and no token at all is 401:",
        `curl -si -X POST ${auth(reader)} -H 'Content-Type: application/json' -d '{}' ${q(`${base}/devices/${SAMPLE_DEVICES.online}/methods/reboot`)}`,
        `curl -si ${q(`${base}/devices/${SAMPLE_DEVICES.online}/twin`)}`,
        "",
        "Request log lines follow ([api] ...). Ctrl-C stops the server.",
    ];
    console.log(lines.join("\n"));

    let stopping = false;
    const stop = (signal: string) => {
        if (stopping) process.exit(1);
        stopping = true;
        console.log(`\n${signal}: stopping the local API and its fakes...`);
        env.close().then(
            () => {
                console.log("stopped.");
                process.exit(0);
            },
            (err: unknown) => {
                console.error(err);
                process.exit(1);
            },
        );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
