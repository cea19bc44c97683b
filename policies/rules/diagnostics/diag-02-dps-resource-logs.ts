/** DIAG-02, rule family `diagnostics` (the family's notes and sources: policies/policies.ts). */
import { resourceLogsRule } from "../../lib/rules/diagnostics";

export const diag02DpsLogs = resourceLogsRule("DIAG-02", "diag-02-dps-resource-logs", "dps", "Device Provisioning Service", " Also covers DPS-10.");
