/** IOT-03, rule family `privateNetworking` (the family's notes and sources: policies/policies.ts). */
import { privateEndpointRule } from "../../lib/rules/privateNetworking";

export const iot03HubPrivateEndpoint = privateEndpointRule("IOT-03", "iot-03-hub-private-endpoint", "iotHub", "IoT hub", "iotHub", "whenPublicAccessDisabled", "AP IoTHub_EnablePrivateEndpoint");
