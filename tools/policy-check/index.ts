/** Offline policy check: public API (see cli.ts for the command). */
export * from "./model";
export { checkStackRun, checkStackRuns, parseUnknownDowngrade, toAnalyzerResource, findRepoRoot, defaultPolicyConfigPath } from "./check";
export type { CheckOptions } from "./check";
export { PolicyPackProcess, PolicyPackStartError, loadPolicyPackProject } from "./analyzer-client";
export type { StartPolicyPackOptions, AnalyzerInfo, AnalyzerDiagnostic, AnalyzerResourceInput } from "./analyzer-client";
export { PolicyConfigError, parsePolicyConfig, loadPolicyConfigFile, reconcilePolicyConfig, validateJsonSchema } from "./config";
export type { PolicyConfigEntry } from "./config";
export { formatText, formatTextReport, summaryLine } from "./format-text";
export { formatJson, toJsonReport } from "./format-json";
export { formatSarif, toSarif } from "./format-sarif";
export { formatMarkdown } from "./format-markdown";
export { formatReports, FORMATS } from "./formats";
export type { ReportFormat } from "./formats";
