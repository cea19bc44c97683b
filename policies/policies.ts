/**
 * Every policy of the pack, grouped by rule family. Importing this module has no side effect (it
 * does not start the analyzer), so tests and tools can use the policies directly; `index.ts` serves
 * them as a PolicyPack.
 */
import type { PackPolicy } from "./lib/define";
import { appInsightsPolicies } from "./rules/appInsights";
import { certificatePolicies } from "./rules/certificates";
import { controlPlaneRbacPolicies } from "./rules/controlPlaneRbac";
import { cosmosDataPolicies } from "./rules/cosmosData";
import { cosmosDataPlaneRbacPolicies } from "./rules/cosmosDataPlaneRbac";
import { cosmosNetworkPolicies } from "./rules/cosmosNetwork";
import { cosmosResiliencePolicies } from "./rules/cosmosResilience";
import { crossCuttingPolicies } from "./rules/crossCutting";
import { customRolePolicies } from "./rules/customRoles";
import { defenderPolicies } from "./rules/defender";
import { diagnosticsPolicies } from "./rules/diagnostics";
import { dpsPolicies } from "./rules/dps";
import { dpsLinkedHubPolicies } from "./rules/dpsLinkedHub";
import { enrollmentPolicies } from "./rules/enrollments";
import { entraApiExposurePolicies } from "./rules/entraApiExposure";
import { entraApplicationPolicies } from "./rules/entraApplications";
import { eventHubPolicies } from "./rules/eventHubs";
import { functionAppPolicies } from "./rules/functionApp";
import { iotHubAuthPolicies } from "./rules/iotHubAuth";
import { iotHubNetworkPolicies } from "./rules/iotHubNetwork";
import { iotHubRoutingPolicies } from "./rules/iotHubRouting";
import { iotHubSkuPolicies } from "./rules/iotHubSku";
import { lockPolicies } from "./rules/locks";
import { privateNetworkingPolicies } from "./rules/privateNetworking";
import { storageAccountPolicies } from "./rules/storageAccounts";

export const PACK_NAME = "secure-iot-platform-baseline";

export const ruleFamilies: Record<string, readonly PackPolicy[]> = {
    iotHubNetwork: iotHubNetworkPolicies,
    iotHubAuth: iotHubAuthPolicies,
    iotHubSku: iotHubSkuPolicies,
    dps: dpsPolicies,
    dpsLinkedHub: dpsLinkedHubPolicies,
    enrollments: enrollmentPolicies,
    certificates: certificatePolicies,
    cosmosNetwork: cosmosNetworkPolicies,
    cosmosData: cosmosDataPolicies,
    cosmosResilience: cosmosResiliencePolicies,
    cosmosDataPlaneRbac: cosmosDataPlaneRbacPolicies,
    entraApplications: entraApplicationPolicies,
    entraApiExposure: entraApiExposurePolicies,
    diagnostics: diagnosticsPolicies,
    privateNetworking: privateNetworkingPolicies,
    defender: defenderPolicies,
    locks: lockPolicies,
    controlPlaneRbac: controlPlaneRbacPolicies,
    customRoles: customRolePolicies,
    crossCutting: crossCuttingPolicies,
    // Telemetry path: IoT Hub -> Event Hubs -> Flex Consumption function -> Cosmos DB.
    iotHubRouting: iotHubRoutingPolicies,
    eventHubs: eventHubPolicies,
    functionApp: functionAppPolicies,
    storageAccounts: storageAccountPolicies,
    appInsights: appInsightsPolicies,
};

export const allPolicies: readonly PackPolicy[] = Object.values(ruleFamilies).flat();
