/**
 * The contract between the API (this folder) and the Pulumi program that will deploy it: the app
 * settings the API reads, the function names and routes it registers, the scopes and app roles it
 * checks, and where the built deployment package lands. Dependency-free, so the program can import
 * it: components/apiFunction.ts sets API_SETTINGS, components/entraApps.ts builds the Entra app
 * registration's scopes and roles from API_SCOPES / API_ROLES, components/hubDataRole.ts the hub
 * role from API_FUNCTIONS.
 */

/** App settings, validated once at start-up by src/config.ts (every problem at once, by name). */
export const API_SETTINGS = {
    /** Entra tenant (GUID) whose v2 tokens the API accepts; the issuer and JWKS URL derive from it. */
    tenantId: "API_TENANT_ID",
    /** Client id (GUID) of the API's app registration: the token audience (also as `api://<id>`). */
    apiClientId: "API_CLIENT_ID",
    /** Client id (GUID) of the mobile public client: the `azp` accepted on delegated tokens. */
    mobileClientId: "API_MOBILE_CLIENT_ID",
    /** Optional, comma-separated client ids also accepted as `azp` of delegated tokens (e.g. the Azure CLI for operators). */
    additionalClientIds: "API_ADDITIONAL_CLIENT_IDS",
    /** Optional JWKS URL override (tests and local mode): https, or http on a loopback address only. */
    jwksUrl: "API_JWKS_URL",
    /** IoT Hub host name, e.g. `myhub.azure-devices.net` (no scheme, no path). */
    iotHubHostName: "IOTHUB_HOST_NAME",
    /** Cosmos DB document endpoint, e.g. `https://myaccount.documents.azure.com:443/`. */
    cosmosEndpoint: "COSMOS_ENDPOINT",
    cosmosDatabase: "COSMOS_DATABASE",
    cosmosContainer: "COSMOS_CONTAINER",
    /** Client id of the API's user-assigned managed identity (DefaultAzureCredential reads it too). */
    managedIdentityClientId: "AZURE_CLIENT_ID",
} as const;

/** Delegated permissions (the `scp` claim) the API exposes under `api://<apiClientId>`. */
export const API_SCOPES = { telemetryRead: "Telemetry.Read", devicesManage: "Devices.Manage" } as const;

/** App roles (the `roles` claim) the API checks on app-only tokens. */
export const API_ROLES = { telemetryReader: "Telemetry.Reader", devicesOperator: "Devices.Operator" } as const;

/**
 * The HTTP functions the Azure Functions adapter registers (name, method, route). host.json sets an
 * empty route prefix, so the routes are the same under Functions and the local server.
 */
export const API_FUNCTIONS = [
    { name: "telemetry-list", method: "GET", route: "devices/{id}/telemetry" },
    { name: "device-method-invoke", method: "POST", route: "devices/{id}/methods/{name}" },
    { name: "twin-get", method: "GET", route: "devices/{id}/twin" },
    { name: "twin-update-desired", method: "PATCH", route: "devices/{id}/twin" },
] as const;

/** The deployable package (host.json, package.json, bundled code), relative to the repository root. */
export const API_PACKAGE_DIR = "app/api/dist";
