// The Pulumi program: validate configuration once (every problem reported before anything is
// registered), build the platform, export its outputs. Secrets stay secrets.
import { loadPlatformConfig } from "./config/load";
import { createPlatform } from "./components/platform";
import { apiPackageDirFrom, ingestPackageDirFrom } from "./components/functionPackage";

// The function packages are the folders `npm run build:ingest` and `npm run build:api` write
// (app/ingest/dist, app/api/dist); INGEST_PACKAGE_DIR and API_PACKAGE_DIR point elsewhere (the
// offline tests use packages they build themselves).
const platform = createPlatform(loadPlatformConfig(), { ingestPackageDir: ingestPackageDirFrom(), apiPackageDir: apiPackageDirFrom() });

export const resourceGroupName = platform.resourceGroupName;
export const iotHubHostName = platform.iotHubHostName;
export const iotHubBuiltInEndpointFqdn = platform.iotHubBuiltInEndpointFqdn;
export const dpsIdScope = platform.dpsIdScope;
export const dpsGlobalEndpoint = platform.dpsGlobalEndpoint;
export const apiClientId = platform.apiClientId;
export const apiIdentifierUri = platform.apiIdentifierUri;
export const apiScopes = platform.apiScopes;
export const mobileClientId = platform.mobileClientId;
export const apiManagedIdentityClientId = platform.apiManagedIdentityClientId;
export const cosmosEndpoint = platform.cosmosEndpoint;
export const cosmosDatabase = platform.cosmosDatabase;
export const cosmosContainer = platform.cosmosContainer;
export const telemetry = platform.telemetry;
export const ingestManagedIdentityClientId = platform.ingestManagedIdentityClientId;
export const apiBaseUrl = platform.apiBaseUrl;
export const api = platform.api;
export const apiEgressIpAddress = platform.apiEgressIpAddress;
export const deviceCaCertificates = platform.deviceCaCertificates;
export const devCaPrivateKeys = platform.devCaPrivateKeys;
export const enrollmentGroups = platform.enrollmentGroups;
export const enrollmentGroupKeys = platform.enrollmentGroupKeys;
export const privateNetwork = platform.privateNetwork;
export const platformNetwork = platform.platformNetwork;
export const logAnalyticsWorkspaceName = platform.logAnalyticsWorkspaceName;
export const alertRules = platform.alertRules;
export const protectedResources = platform.protectedResources;
export const lockedResources = platform.lockedResources;
