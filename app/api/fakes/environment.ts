/**
 * The API wired to loopback fakes of everything it talks to: the tenant's JWKS, the managed
 * identity, IoT Hub and Cosmos DB. The configuration goes through the same validation as in Azure
 * (loadConfig on an app-settings object); only the credential, the hub's origin and the TLS agent
 * are injected. Used by the tests, `npm run api:local` and `npm run bench:api`.
 */
import * as https from "node:https";
import type * as http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { loadConfig, type ApiConfig } from "../src/config";
import type { RequestLog } from "../src/core";
import { createHttpServer } from "../src/server";
import { createServices, type Services } from "../src/services";
import { API_SETTINGS } from "../src/settings";
import { FakeCosmos } from "./fakeCosmos";
import { FakeIoTHub } from "./fakeHub";
import { FakeManagedIdentity, LocalTenant } from "./identity";
import { loopbackCertificate } from "./tls";

export interface FakeEnvironmentOptions {
    /** Port of the API's HTTP server (0: any free port). */
    port?: number;
    log?: (entry: RequestLog) => void;
    jwksCooldownMs?: number;
    hubTimeoutDelayMs?: number;
    hubTwinDelayMs?: number;
    now?: () => Date;
}

export interface FakeEnvironment {
    tenant: LocalTenant;
    identity: FakeManagedIdentity;
    hub: FakeIoTHub;
    cosmos: FakeCosmos;
    config: ApiConfig;
    services: Services;
    server: http.Server;
    /** http://127.0.0.1:<port> */
    baseUrl: string;
    close(): Promise<void>;
}

export async function startFakeEnvironment(options: FakeEnvironmentOptions = {}): Promise<FakeEnvironment> {
    const tenantId = randomUUID();
    const apiClientId = randomUUID();
    const mobileClientId = randomUUID();
    const certificate = loopbackCertificate();
    const tenant = await LocalTenant.start({ tenantId, apiClientId, mobileClientId });
    const identity = await FakeManagedIdentity.create(tenantId);
    const hub = new FakeIoTHub({
        certificate,
        identity,
        ...(options.hubTimeoutDelayMs !== undefined ? { timeoutDelayMs: options.hubTimeoutDelayMs } : {}),
        ...(options.hubTwinDelayMs !== undefined ? { twinDelayMs: options.hubTwinDelayMs } : {}),
    });
    await hub.start();
    const cosmos = new FakeCosmos({ certificate, identity, database: "iot", container: "telemetry" });
    await cosmos.start();

    const config = loadConfig(
        {
            [API_SETTINGS.tenantId]: tenantId,
            [API_SETTINGS.apiClientId]: apiClientId,
            [API_SETTINGS.mobileClientId]: mobileClientId,
            [API_SETTINGS.jwksUrl]: tenant.jwksUrl,
            [API_SETTINGS.iotHubHostName]: "local-fake.azure-devices.net",
            [API_SETTINGS.cosmosEndpoint]: cosmos.endpoint,
            [API_SETTINGS.cosmosDatabase]: "iot",
            [API_SETTINGS.cosmosContainer]: "telemetry",
        },
        { requireManagedIdentity: false },
    );
    const tlsAgent = new https.Agent({ ca: certificate.cert, keepAlive: true, maxSockets: 64 });
    const services = createServices(config, {
        credential: identity,
        hubBaseUrl: hub.baseUrl,
        tlsAgent,
        ...(options.jwksCooldownMs !== undefined ? { jwks: { jwksCooldownMs: options.jwksCooldownMs } } : {}),
        log: options.log ?? (() => {}),
        ...(options.now ? { now: options.now } : {}),
    });
    const server = createHttpServer(services.api);
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    return {
        tenant,
        identity,
        hub,
        cosmos,
        config,
        services,
        server,
        baseUrl,
        async close() {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            services.close();
            tlsAgent.destroy();
            await Promise.all([hub.close(), cosmos.close(), tenant.close()]);
        },
    };
}
