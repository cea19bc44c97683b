/** JSON report: the whole result model, stable field order, for tooling and the offline plan command. */
import { exitCodeFor, type StackPolicyReport } from "./model";

export const JSON_REPORT_SCHEMA_VERSION = 1;

export interface JsonReport {
    schemaVersion: number;
    tool: "policy-check";
    exitCode: 0 | 1;
    reports: StackPolicyReport[];
}

export function toJsonReport(reports: StackPolicyReport[]): JsonReport {
    return { schemaVersion: JSON_REPORT_SCHEMA_VERSION, tool: "policy-check", exitCode: exitCodeFor(reports), reports };
}

export function formatJson(reports: StackPolicyReport[]): string {
    return JSON.stringify(toJsonReport(reports), null, 2) + "\n";
}
