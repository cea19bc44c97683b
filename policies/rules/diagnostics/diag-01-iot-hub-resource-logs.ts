/** DIAG-01, rule family `diagnostics` (the family's notes and sources: policies/policies.ts). */
import { resourceLogsRule } from "../../lib/rules/diagnostics";

export const diag01IotHubLogs = resourceLogsRule("DIAG-01", "diag-01-iot-hub-resource-logs", "iotHub", "IoT hub", " Also covers IOT-13.");
