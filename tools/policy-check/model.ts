/**
 * The offline policy check's result model: what the pack said, per stack, in a form every report format
 * (text, JSON, SARIF, Markdown) and the offline plan command read.
 */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type PolicySeverity = "low" | "medium" | "high" | "critical";
export type PolicyKind = "resource" | "stack";

/** One policy of the pack, as the pack describes it (GetAnalyzerInfo) plus the level configured for the stack. */
export interface PolicyDescriptor {
    name: string;
    displayName?: string;
    description: string;
    kind: PolicyKind | "unknown";
    /** The level the pack declares (before per-stack configuration). */
    defaultEnforcementLevel: EnforcementLevel;
    /** The level in force for this stack after reconciling pack defaults with the stack's policy config. */
    enforcementLevel: EnforcementLevel;
    severity?: PolicySeverity;
    remediationSteps?: string;
    url?: string;
    tags?: string[];
    framework?: { name?: string; version?: string; reference?: string; specification?: string };
    /** Configuration properties in force (without enforcementLevel). */
    config?: Record<string, unknown>;
}

export interface PolicyPackDescriptor {
    name: string;
    displayName?: string;
    /** PulumiPolicy.yaml's `version` when set (the engine prefers it), else the pack's package.json version. */
    version: string;
    description?: string;
    policies: PolicyDescriptor[];
}

/** Where in the program a resource was declared, relative to the repository root. */
export interface SourceLocation {
    /** Repository-relative path with forward slashes, e.g. `components/iot-hub.ts`. */
    file: string;
    line: number;
    column?: number;
    /**
     * How the location was found: the resource's own `sourcePosition`, the nearest ancestor's (a child
     * declared inside a component with no position of its own), or a fallback anchor (the program entry,
     * used only so that SARIF consumers that require a location accept the finding).
     */
    origin: "resource" | "ancestor" | "fallback";
}

export interface PolicyFinding {
    stack: string;
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    /** The violation message as the pack reported it. */
    message: string;
    /** Level the pack reported for this diagnostic (an unknown-value downgrade reports `advisory`). */
    enforcementLevel: EnforcementLevel;
    /** Level configured for the policy on this stack. */
    configuredEnforcementLevel: EnforcementLevel;
    severity?: PolicySeverity;
    kind: PolicyKind;
    /** Resource the diagnostic is attributed to (the engine's rules; empty only for a stack with no resources). */
    urn: string;
    resourceType: string;
    resourceName: string;
    /**
     * Set when the policy could not run because a value it read is unknown at preview: the policy SDK then
     * reports "can't run policy ... during preview" as advisory, whatever the configured level.
     */
    unknownValue?: { path: string; valueType: string };
    /**
     * True when this finding fails the check: a mandatory (or remediate-turned-mandatory) violation, or with
     * `strict`, a mandatory policy that could not run because of an unknown value.
     */
    blocking: boolean;
    location?: SourceLocation;
}

/** A remediation the pack applied before analysis (enforcement level `remediate`). */
export interface RemediationRecord {
    stack: string;
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    urn: string;
    resourceType: string;
    resourceName: string;
    /** Set when the remediation could not run (e.g. unknown value at preview); reported as advisory. */
    diagnostic?: string;
    /** Property paths whose values the remediation changed. */
    changedProperties: string[];
}

export interface StackPolicySummary {
    resources: number;
    mandatory: number;
    advisory: number;
    /** Findings downgraded to advisory because a value was unknown. */
    unknownDowngrades: number;
    /** Of those, downgrades of mandatory (or remediate) policies: failures under --strict. */
    mandatoryUnknownDowngrades: number;
    remediations: number;
    blocking: number;
}

export interface StackPolicyTimings {
    /** Pack process spawn until it printed its port (only when this check started the pack). */
    packStartMs?: number;
    configureMs: number;
    analyzeMs: number;
    analyzeCalls: number;
    analyzeStackMs: number;
    totalMs: number;
}

export interface StackPolicyReport {
    stack: string;
    project: string;
    preview: boolean;
    strict: boolean;
    pack: PolicyPackDescriptor;
    /** The policy configuration file applied, repository-relative; undefined when the pack ran on its defaults. */
    policyConfigFile?: string;
    findings: PolicyFinding[];
    remediations: RemediationRecord[];
    summary: StackPolicySummary;
    /** Log lines the pack wrote while serving this stack (stdout after the port line, and stderr). */
    packLogs: string[];
    timings: StackPolicyTimings;
}

export interface PolicyCheckResult {
    reports: StackPolicyReport[];
    /** 0 when nothing blocks, 1 when any finding of any stack blocks. */
    exitCode: 0 | 1;
}

export function exitCodeFor(reports: StackPolicyReport[]): 0 | 1 {
    return reports.some((r) => r.summary.blocking > 0) ? 1 : 0;
}
