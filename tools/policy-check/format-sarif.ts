/**
 * SARIF 2.1.0 report for code-scanning annotations on pull requests (github/codeql-action/upload-sarif).
 *
 * One run per stack, each with its own `automationDetails.id` (`pulumi-policy/<stack>/`): GitHub no longer
 * merges several runs of one tool and category from one upload, and per-stack categories keep dev's and
 * prod's alerts apart. Rules are the pack's policies (id = policy name); results point at the file and line
 * in the program where the resource is declared (its `sourcePosition`, repository-relative), with the URN as
 * logical location. GitHub rejects a whole upload if any result has no physical location, so findings without
 * a source position are anchored at the fallback location the check chose (see CheckOptions.fallbackLocation).
 */
import { createHash } from "node:crypto";
import type { EnforcementLevel, PolicyDescriptor, PolicyFinding, PolicySeverity, StackPolicyReport } from "./model";
import { messageBody, unknownNote } from "./format-text";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
export const SARIF_TOOL_NAME = "pulumi-crossguard-offline";

type SarifLevel = "none" | "note" | "warning" | "error";

export function levelForEnforcement(level: EnforcementLevel): SarifLevel {
    switch (level) {
        case "mandatory":
        case "remediate":
            return "error";
        case "advisory":
            return "warning";
        case "disabled":
            return "none";
    }
}

/** GitHub's `security-severity` scale (critical >= 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9). */
const SECURITY_SEVERITY: Record<PolicySeverity, string> = { low: "3.0", medium: "5.5", high: "8.0", critical: "9.5" };

function resultLevel(f: PolicyFinding): SarifLevel {
    if (f.blocking) {
        return "error";
    }
    return f.enforcementLevel === "advisory" ? "warning" : levelForEnforcement(f.enforcementLevel);
}

function firstSentence(s: string): string {
    const line = s.split("\n")[0].trim();
    const m = /^(.+?[.!?])(\s|$)/.exec(line);
    return (m ? m[1] : line) || s;
}

function rule(p: PolicyDescriptor): Record<string, unknown> {
    const tags = ["pulumi-policy", `${p.kind}-policy`, ...(p.tags ?? [])];
    const properties: Record<string, unknown> = { enforcementLevel: p.enforcementLevel };
    if (p.severity) {
        tags.unshift("security");
        properties["security-severity"] = SECURITY_SEVERITY[p.severity];
        properties.severity = p.severity;
    }
    properties.tags = [...new Set(tags)];
    const description = p.description || p.name;
    const r: Record<string, unknown> = {
        id: p.name,
        name: p.displayName || p.name,
        shortDescription: { text: p.displayName || firstSentence(description) },
        fullDescription: { text: description },
        help: p.remediationSteps
            ? { text: p.remediationSteps, markdown: p.remediationSteps }
            : { text: `${description}\n\n(No remediation steps were given for this policy.)` },
        defaultConfiguration: { enabled: p.enforcementLevel !== "disabled", level: levelForEnforcement(p.enforcementLevel) },
        properties,
    };
    if (p.url) {
        r.helpUri = p.url;
    }
    return r;
}

function resultMessage(f: PolicyFinding): string {
    const body = messageBody(f);
    const parts = [`${f.description || f.policyName}${body ? `\n${body}` : ""}`];
    parts.push(`Resource: ${f.resourceName} (${f.resourceType}) in stack ${f.stack}.`);
    const note = unknownNote(f);
    if (note) {
        parts.push(`Note: ${note}.`);
    }
    if (f.location?.origin === "fallback") {
        parts.push("The program did not report where this resource is declared; the finding is anchored at the program entry.");
    }
    return parts.join("\n");
}

function fingerprint(f: PolicyFinding): string {
    return createHash("sha256").update(`${f.stack}\u0000${f.policyName}\u0000${f.urn}\u0000${f.kind}`).digest("hex").slice(0, 32);
}

function result(f: PolicyFinding, ruleIndex: number): Record<string, unknown> {
    const location: Record<string, unknown> = {};
    if (f.location) {
        const region: Record<string, number> = { startLine: f.location.line };
        if (f.location.column) {
            region.startColumn = f.location.column;
        }
        location.physicalLocation = { artifactLocation: { uri: encodeURI(f.location.file), uriBaseId: "%SRCROOT%" }, region };
    }
    if (f.urn) {
        location.logicalLocations = [{ name: f.resourceName, fullyQualifiedName: f.urn, kind: "resource" }];
    }
    const properties: Record<string, unknown> = {
        stack: f.stack,
        kind: f.kind,
        enforcementLevel: f.enforcementLevel,
        configuredEnforcementLevel: f.configuredEnforcementLevel,
        blocking: f.blocking,
        resourceType: f.resourceType,
        resourceName: f.resourceName,
    };
    if (f.unknownValue) {
        properties.unknownValue = f.unknownValue;
    }
    if (f.location) {
        properties.locationOrigin = f.location.origin;
    }
    const r: Record<string, unknown> = {
        ruleId: f.policyName,
        level: resultLevel(f),
        message: { text: resultMessage(f) },
        locations: Object.keys(location).length ? [location] : [],
        partialFingerprints: { "pulumiPolicyFinding/v1": fingerprint(f) },
        properties,
    };
    if (ruleIndex >= 0) {
        r.ruleIndex = ruleIndex;
    }
    return r;
}

export function toSarif(reports: StackPolicyReport[]): Record<string, unknown> {
    return {
        $schema: SARIF_SCHEMA_URI,
        version: "2.1.0",
        runs: reports.map((report) => {
            const rules = report.pack.policies.map(rule);
            const index = new Map(report.pack.policies.map((p, i) => [p.name, i]));
            // A diagnostic may name a policy the pack did not list (object-form reportViolation with its own name).
            for (const f of report.findings) {
                if (!index.has(f.policyName)) {
                    index.set(f.policyName, rules.length);
                    rules.push(
                        rule({
                            name: f.policyName,
                            description: f.description,
                            kind: f.kind,
                            defaultEnforcementLevel: f.configuredEnforcementLevel,
                            enforcementLevel: f.configuredEnforcementLevel,
                            severity: f.severity,
                        }),
                    );
                }
            }
            const driver: Record<string, unknown> = {
                name: SARIF_TOOL_NAME,
                fullName: `Pulumi CrossGuard policy pack ${report.pack.name} v${report.pack.version}, offline check`,
                version: report.pack.version,
                rules,
            };
            if (/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(report.pack.version)) {
                driver.semanticVersion = report.pack.version;
            }
            return {
                tool: { driver },
                automationDetails: { id: `pulumi-policy/${report.stack}/` },
                columnKind: "utf16CodeUnits",
                results: report.findings.map((f) => result(f, index.get(f.policyName) ?? -1)),
                properties: {
                    stack: report.stack,
                    project: report.project,
                    preview: report.preview,
                    strict: report.strict,
                    policyPack: { name: report.pack.name, version: report.pack.version },
                    policyConfigFile: report.policyConfigFile ?? null,
                    summary: report.summary,
                },
            };
        }),
    };
}

export function formatSarif(reports: StackPolicyReport[]): string {
    return JSON.stringify(toSarif(reports), null, 2) + "\n";
}
