/**
 * Production wiring: the token validator, the IoT Hub client and the telemetry reader built from
 * the validated configuration, authenticated as the API's user-assigned managed identity. Tests
 * and local mode pass overrides (a credential that mints local tokens, loopback endpoints, a TLS
 * agent that trusts the fakes' certificate); nothing in the app settings can point the API at them.
 */
import type * as https from "node:https";
import { CosmosClient } from "@azure/cosmos";
import { ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import { TokenValidator, type TokenValidatorOptions } from "./auth";
import type { ApiConfig } from "./config";
import { createApi, type Api, type RequestLog } from "./core";
import { IoTHubClient } from "./iotHub";
import { TelemetryReader } from "./telemetry";

export interface ServiceOverrides {
    credential?: TokenCredential;
    /** Origin of a loopback IoT Hub fake, instead of https://<IOTHUB_HOST_NAME>. */
    hubBaseUrl?: string;
    /** TLS agent for IoT Hub and Cosmos DB (tests: trusts the fakes' self-signed certificate). */
    tlsAgent?: https.Agent;
    /** JWKS cache tuning (tests). */
    jwks?: Pick<TokenValidatorOptions, "jwksCooldownMs" | "jwksMaxAgeMs" | "jwksTimeoutMs">;
    log?: (entry: RequestLog) => void;
    now?: () => Date;
}

export interface Services {
    api: Api;
    validator: TokenValidator;
    close(): void;
}

export function createServices(config: ApiConfig, overrides: ServiceOverrides = {}): Services {
    const credential =
        overrides.credential ??
        (config.managedIdentityClientId !== undefined
            ? new ManagedIdentityCredential({ clientId: config.managedIdentityClientId })
            : undefined);
    if (!credential) throw new Error("No credential: set AZURE_CLIENT_ID to the API's user-assigned managed identity");

    const validator = new TokenValidator({
        issuer: config.issuer,
        tenantId: config.tenantId,
        apiClientId: config.apiClientId,
        allowedClientIds: config.allowedClientIds,
        jwksUrl: config.jwksUrl,
        ...(overrides.jwks ?? {}),
    });
    const hub = new IoTHubClient({
        hostName: config.iotHubHostName,
        credential,
        ...(overrides.hubBaseUrl !== undefined ? { baseUrl: overrides.hubBaseUrl } : {}),
        ...(overrides.tlsAgent !== undefined ? { agent: overrides.tlsAgent } : {}),
    });
    // Gateway mode over HTTPS 443 is the JavaScript SDK's only connection mode. Entra ID only
    // (aadCredentials; the account has local auth disabled). Bounded latency: a 10 s request
    // timeout and at most 5 s of throttling retries before the API answers 503.
    const cosmos = new CosmosClient({
        endpoint: config.cosmosEndpoint,
        aadCredentials: credential,
        ...(overrides.tlsAgent !== undefined ? { agent: overrides.tlsAgent } : {}),
        connectionPolicy: {
            requestTimeout: 10_000,
            retryOptions: { maxRetryAttemptCount: 3, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 5 },
        },
    });
    const container = cosmos.database(config.cosmosDatabase).container(config.cosmosContainer);

    const api = createApi({
        auth: validator,
        devices: hub,
        telemetry: new TelemetryReader(container),
        ...(overrides.log ? { log: overrides.log } : {}),
        ...(overrides.now ? { now: overrides.now } : {}),
    });
    return {
        api,
        validator,
        close() {
            hub.close();
            cosmos.dispose();
        },
    };
}
