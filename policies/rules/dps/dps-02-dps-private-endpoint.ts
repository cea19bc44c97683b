/** DPS-02, rule family `privateNetworking` (the family's notes and sources: policies/policies.ts). */
import { privateEndpointRule } from "../../lib/rules/privateNetworking";

export const dps02DpsPrivateEndpoint = privateEndpointRule("DPS-02", "dps-02-dps-private-endpoint", "dps", "Device Provisioning Service", "iotDps", "whenPublicAccessDisabled", "AP IoTDps_EnablePrivateEndpoint");
