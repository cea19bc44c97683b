/**
 * Text report, laid out like the Pulumi CLI's policy output after a preview:
 *
 *   Policy Violations:
 *       [mandatory]  <pack> v<version>  <policy> (<resource name>: <type>)
 *       <description>
 *       <message>
 *
 * plus, per finding, where the resource is declared, and a line for each mandatory policy that could not run
 * because a value was unknown at preview.
 */
import type { PolicyFinding, RemediationRecord, StackPolicyReport } from "./model";

const INDENT = "    ";

export interface TextFormatOptions {
    /** ANSI colours (mandatory red, advisory yellow), as the CLI does on a terminal. Default false. */
    color?: boolean;
}

/** Splits a diagnostic message into the description and the rest (the policy SDK prefixes the description). */
export function messageBody(f: { description: string; message: string }): string {
    const m = f.message.replace(/\s+$/, "");
    if (!f.description) {
        return m;
    }
    if (m === f.description) {
        return "";
    }
    if (m.startsWith(`${f.description}\n`)) {
        return m.slice(f.description.length + 1);
    }
    return m;
}

function indentLines(text: string, prefix: string): string {
    return text
        .split("\n")
        .map((l) => (l ? prefix + l : l))
        .join("\n");
}

export function unknownNote(f: PolicyFinding): string | undefined {
    if (!f.unknownValue) {
        return undefined;
    }
    const mandatory = f.configuredEnforcementLevel === "mandatory" || f.configuredEnforcementLevel === "remediate";
    if (!mandatory) {
        return `could not run at preview: ${f.unknownValue.valueType} value at .${f.unknownValue.path} is unknown`;
    }
    return f.blocking
        ? `mandatory policy could not run at preview (${f.unknownValue.valueType} value at .${f.unknownValue.path} is unknown): fails under --strict`
        : `mandatory policy could not run at preview (${f.unknownValue.valueType} value at .${f.unknownValue.path} is unknown): downgraded to advisory; --strict fails on this`;
}

export function locationText(f: PolicyFinding): string | undefined {
    const l = f.location;
    if (!l) {
        return undefined;
    }
    const pos = `${l.file}:${l.line}${l.column ? `:${l.column}` : ""}`;
    return l.origin === "resource" ? pos : l.origin === "ancestor" ? `${pos} (declared by its parent component)` : `${pos} (no source position for this resource)`;
}

function c(on: boolean, code: string, s: string): string {
    return on ? `\u001b[${code}m${s}\u001b[0m` : s;
}

function renderFinding(f: PolicyFinding, color: boolean): string {
    const level = `[${f.enforcementLevel}]`;
    const colored = c(color, f.enforcementLevel === "mandatory" ? "31" : "33", level);
    const lines = [`${INDENT}${colored}  ${f.policyPackName} v${f.policyPackVersion}  ${f.policyName} (${f.resourceName}: ${f.resourceType})`];
    if (f.description) {
        lines.push(indentLines(f.description, INDENT));
    }
    const body = messageBody(f);
    if (body) {
        lines.push(indentLines(body, INDENT));
    }
    const note = unknownNote(f);
    if (note) {
        lines.push(`${INDENT}${c(color, f.blocking ? "31" : "2", `note: ${note}`)}`);
    }
    const where = locationText(f);
    if (where) {
        lines.push(`${INDENT}at ${where}`);
    }
    return lines.join("\n");
}

function renderRemediation(r: RemediationRecord): string {
    const what = r.diagnostic ? r.diagnostic : `changed: ${r.changedProperties.join(", ") || "nothing"}`;
    return `${INDENT}[remediate]  ${r.policyPackName} v${r.policyPackVersion}  ${r.policyName} (${r.resourceName}: ${r.resourceType})\n${INDENT}${what}`;
}

export function verdict(report: StackPolicyReport): "passed" | "failed" {
    return report.summary.blocking > 0 ? "failed" : "passed";
}

export function summaryLine(report: StackPolicyReport): string {
    const s = report.summary;
    const parts = [`${s.mandatory} mandatory`, `${s.advisory} advisory`];
    if (s.unknownDowngrades) {
        parts.push(`${s.unknownDowngrades} could not run (unknown at preview; ${s.mandatoryUnknownDowngrades} of mandatory policies)`);
    }
    if (s.remediations) {
        parts.push(`${s.remediations} remediated`);
    }
    return `${report.stack}: ${verdict(report).toUpperCase()}${report.strict ? " (strict)" : ""}: ${parts.join(", ")}; ${s.resources} resources checked`;
}

export function formatTextReport(report: StackPolicyReport, opts: TextFormatOptions = {}): string {
    const color = opts.color ?? false;
    const out: string[] = [];
    out.push(
        `Policy check of stack ${report.stack} (project ${report.project}, ${report.preview ? "preview" : "update"}; ${report.policyConfigFile ? `policy config ${report.policyConfigFile}` : "pack default config"})`,
    );
    if (report.remediations.length) {
        out.push("", "Policy Remediations:", ...report.remediations.map(renderRemediation));
    }
    if (report.findings.length) {
        out.push("", "Policy Violations:");
        // Grouped by pack (one pack per report here, but diagnostics carry their own pack name).
        const packs = [...new Set(report.findings.map((f) => `${f.policyPackName} v${f.policyPackVersion}`))];
        for (const p of packs) {
            for (const f of report.findings.filter((x) => `${x.policyPackName} v${x.policyPackVersion}` === p)) {
                out.push(renderFinding(f, color));
            }
        }
    } else {
        out.push("", "No policy violations.");
    }
    out.push("", "Policy Packs run:");
    const name = `${report.pack.name} (${report.pack.policies.length} policies)`;
    const w = Math.max("Name".length, name.length);
    out.push(`${INDENT}${"Name".padEnd(w + 2)}Version`, `${INDENT}${name.padEnd(w + 2)}${report.pack.version}`);
    if (report.packLogs.length) {
        const shown = report.packLogs.slice(-20);
        out.push("", `Policy pack log${report.packLogs.length > shown.length ? ` (last ${shown.length} of ${report.packLogs.length} lines)` : ""}:`);
        out.push(...shown.map((l) => `${INDENT}${l}`));
    }
    out.push("", summaryLine(report));
    return out.join("\n") + "\n";
}

export function formatText(reports: StackPolicyReport[], opts: TextFormatOptions = {}): string {
    return reports.map((r) => formatTextReport(r, opts)).join("\n");
}
