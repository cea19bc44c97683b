/**
 * The API's configuration, read from app settings once at start-up. Every problem is reported at
 * once, each naming the setting and how to fix it, so a misconfigured deployment fails at start
 * rather than on the first request.
 */
import { API_SETTINGS } from "./settings";

export interface ApiConfig {
    tenantId: string;
    apiClientId: string;
    /** Client ids accepted as `azp` on delegated tokens: the mobile app first, then any additional ones. */
    allowedClientIds: string[];
    /** `https://login.microsoftonline.com/<tenant>/v2.0`. */
    issuer: string;
    jwksUrl: string;
    iotHubHostName: string;
    cosmosEndpoint: string;
    cosmosDatabase: string;
    cosmosContainer: string;
    /** Undefined only when the caller supplies its own credentials (tests, local mode). */
    managedIdentityClientId?: string;
}

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`API configuration is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS host name: labels of letters, digits and inner hyphens, at least two labels. */
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** Cosmos DB database and container ids: 1-255 characters, none of / \ # ? and no trailing space. */
const COSMOS_ID = /^[^/\\#?]{1,255}$/;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface LoadConfigOptions {
    /** Require AZURE_CLIENT_ID (true in Azure; tests and local mode inject credentials instead). */
    requireManagedIdentity?: boolean;
}

export function loadConfig(env: Record<string, string | undefined>, options: LoadConfigOptions = {}): ApiConfig {
    const problems: string[] = [];
    const read = (name: string): string | undefined => {
        const v = env[name]?.trim();
        return v === undefined || v === "" ? undefined : v;
    };
    const required = (name: string, check: (v: string) => string | undefined, fix: string): string => {
        const v = read(name);
        if (v === undefined) {
            problems.push(`${name} is not set: ${fix}`);
            return "";
        }
        const problem = check(v);
        if (problem) problems.push(`${name} ${problem}: ${fix}`);
        return v;
    };
    const guid = (v: string) => (GUID.test(v) ? undefined : `is "${v}", not a GUID`);

    const tenantId = required(API_SETTINGS.tenantId, guid, "set it to the directory (tenant) id of the Entra tenant that issues the tokens");
    const apiClientId = required(API_SETTINGS.apiClientId, guid, "set it to the application (client) id of the API's app registration");
    const mobileClientId = required(API_SETTINGS.mobileClientId, guid, "set it to the application (client) id of the mobile app registration");
    const additional = (read(API_SETTINGS.additionalClientIds) ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    for (const id of additional) {
        if (!GUID.test(id)) problems.push(`${API_SETTINGS.additionalClientIds} contains "${id}", not a GUID: list client ids separated by commas, or leave it unset`);
    }

    let jwksUrl = `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`;
    const jwksOverride = read(API_SETTINGS.jwksUrl);
    if (jwksOverride !== undefined) {
        let url: URL | undefined;
        try {
            url = new URL(jwksOverride);
        } catch {
            problems.push(`${API_SETTINGS.jwksUrl} is not a URL: leave it unset in Azure (the tenant's JWKS is used)`);
        }
        if (url && !(url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)))) {
            problems.push(`${API_SETTINGS.jwksUrl} must be https (or http on a loopback address, for tests): leave it unset in Azure`);
        }
        jwksUrl = jwksOverride;
    }

    const iotHubHostName = required(
        API_SETTINGS.iotHubHostName,
        (v) => (HOST_NAME.test(v) ? undefined : `is "${v}", not a host name`),
        "set it to the hub's host name, e.g. myhub.azure-devices.net, without https:// or a path",
    ).toLowerCase();
    const cosmosEndpoint = required(
        API_SETTINGS.cosmosEndpoint,
        (v) => {
            try {
                const u = new URL(v);
                return u.protocol === "https:" && u.pathname === "/" && !u.search ? undefined : `is "${v}", not an https endpoint without a path`;
            } catch {
                return `is "${v}", not a URL`;
            }
        },
        "set it to the account's document endpoint, e.g. https://myaccount.documents.azure.com:443/",
    );
    const cosmosId = (v: string) => (COSMOS_ID.test(v) && !v.endsWith(" ") ? undefined : `is "${v}", not a valid Cosmos DB id`);
    const cosmosDatabase = required(API_SETTINGS.cosmosDatabase, cosmosId, "set it to the telemetry database's id");
    const cosmosContainer = required(API_SETTINGS.cosmosContainer, cosmosId, "set it to the telemetry container's id");

    const managedIdentityClientId = read(API_SETTINGS.managedIdentityClientId);
    if (managedIdentityClientId === undefined && options.requireManagedIdentity !== false) {
        problems.push(`${API_SETTINGS.managedIdentityClientId} is not set: set it to the client id of the API's user-assigned managed identity`);
    } else if (managedIdentityClientId !== undefined && !GUID.test(managedIdentityClientId)) {
        problems.push(`${API_SETTINGS.managedIdentityClientId} is "${managedIdentityClientId}", not a GUID: set it to the client id of the API's user-assigned managed identity`);
    }

    if (problems.length > 0) throw new ConfigError(problems);
    return {
        tenantId: tenantId.toLowerCase(),
        apiClientId: apiClientId.toLowerCase(),
        allowedClientIds: [mobileClientId, ...additional].map((s) => s.toLowerCase()),
        issuer: `https://login.microsoftonline.com/${tenantId.toLowerCase()}/v2.0`,
        jwksUrl,
        iotHubHostName,
        cosmosEndpoint,
        cosmosDatabase,
        cosmosContainer,
        ...(managedIdentityClientId !== undefined ? { managedIdentityClientId } : {}),
    };
}
