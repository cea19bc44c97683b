/**
 * Markdown report for a pull-request comment: a summary table (one row per stack), then the findings of each
 * stack. Starts with a hidden marker so a CI step can find and update its previous comment.
 */
import type { PolicyFinding, StackPolicyReport } from "./model";
import { locationText, messageBody, unknownNote, verdict } from "./format-text";

export const MARKDOWN_MARKER = "<!-- pulumi-policy-check -->";
/** GitHub's limit for a comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownFormatOptions {
    /**
     * Base URL for links to source lines, e.g. `https://github.com/org/repo/blob/<sha>/`. Without it, locations
     * are shown as code.
     */
    sourceLinkBase?: string;
    /** Maximum length of the output (default GitHub's comment limit). */
    maxLength?: number;
}

function cell(s: string): string {
    return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

function code(s: string): string {
    const ticks = s.includes("`") ? "``" : "`";
    return `${ticks}${s}${ticks}`;
}

function quote(s: string): string {
    return s
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n");
}

function where(f: PolicyFinding, base: string | undefined): string {
    const t = locationText(f);
    if (!t || !f.location) {
        return "location unknown";
    }
    if (base) {
        const anchor = `#L${f.location.line}`;
        return `[${code(`${f.location.file}:${f.location.line}`)}](${base}${encodeURI(f.location.file)}${anchor})${f.location.origin === "resource" ? "" : f.location.origin === "ancestor" ? " (parent component)" : " (no source position)"}`;
    }
    return code(t);
}

function icon(f: PolicyFinding): string {
    if (f.blocking) {
        return "❌";
    }
    return f.unknownValue ? "❔" : "⚠️";
}

function finding(f: PolicyFinding, base: string | undefined): string {
    const lines = [
        `- ${icon(f)} **[${f.enforcementLevel}]** ${code(f.policyName)} on ${code(f.resourceName)} (${code(f.resourceType)}) at ${where(f, base)}`,
    ];
    if (f.description) {
        lines.push(`  ${f.description.replace(/\n/g, " ")}`);
    }
    const body = messageBody(f);
    if (body) {
        lines.push(quote(body).replace(/^/gm, "  "));
    }
    const note = unknownNote(f);
    if (note) {
        lines.push(`  _${note}_`);
    }
    return lines.join("\n");
}

export function formatMarkdown(reports: StackPolicyReport[], opts: MarkdownFormatOptions = {}): string {
    const base = opts.sourceLinkBase;
    const out: string[] = [MARKDOWN_MARKER, "## Policy check", ""];
    const anyFail = reports.some((r) => verdict(r) === "failed");
    out.push(
        anyFail
            ? "**❌ Mandatory policy violations block this change.**"
            : "**✅ No mandatory policy violation.**",
        "",
        "The program ran under mocks modelling `pulumi preview` (no cloud credentials), and every resource went through the policy pack over the Pulumi analyzer protocol.",
        "",
        "| Stack | Result | Mandatory | Advisory | Could not run (unknown at preview) | Resources | Policy pack | Config |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    );
    for (const r of reports) {
        const s = r.summary;
        out.push(
            `| ${cell(r.stack)} | ${verdict(r) === "failed" ? "❌ fail" : "✅ pass"}${r.strict ? " (strict)" : ""} | ${s.mandatory} | ${s.advisory} | ${s.unknownDowngrades}${s.mandatoryUnknownDowngrades ? ` (${s.mandatoryUnknownDowngrades} mandatory)` : ""} | ${s.resources} | ${cell(`${r.pack.name} v${r.pack.version}`)} | ${r.policyConfigFile ? code(r.policyConfigFile) : "pack defaults"} |`,
        );
    }
    for (const r of reports) {
        out.push("", `### ${verdict(r) === "failed" ? "❌" : "✅"} ${r.stack}`, "");
        if (r.findings.length === 0 && r.remediations.length === 0) {
            out.push("No findings.");
            continue;
        }
        const blocking = r.findings.filter((f) => f.blocking);
        const others = r.findings.filter((f) => !f.blocking);
        if (blocking.length) {
            out.push(...blocking.map((f) => finding(f, base)));
        }
        if (others.length) {
            out.push(
                "",
                `<details${blocking.length ? "" : " open"}><summary>${others.length} advisory finding${others.length === 1 ? "" : "s"}</summary>`,
                "",
                ...others.map((f) => finding(f, base)),
                "",
                "</details>",
            );
        }
        const changed = r.remediations.filter((x) => x.changedProperties.length);
        if (changed.length) {
            out.push(
                "",
                "Remediated by the pack:",
                ...changed.map((x) => `- ${code(x.policyName)} on ${code(x.resourceName)}: ${x.changedProperties.map(code).join(", ")}`),
            );
        }
    }
    if (reports.some((r) => !r.strict && r.summary.mandatoryUnknownDowngrades > 0)) {
        out.push(
            "",
            "_❔ A mandatory policy that reads a value unknown at preview is downgraded to advisory by CrossGuard; run with `--strict` to fail on it._",
        );
    }
    let text = out.join("\n") + "\n";
    const max = opts.maxLength ?? GITHUB_COMMENT_LIMIT;
    if (text.length > max) {
        const note = "\n\n_…truncated: the full report is in the job's SARIF/JSON artifacts._\n";
        text = text.slice(0, Math.max(0, max - note.length)).replace(/\n[^\n]*$/, "") + note;
    }
    return text;
}
