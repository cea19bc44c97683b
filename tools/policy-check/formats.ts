import type { StackPolicyReport } from "./model";
import { formatText } from "./format-text";
import { formatJson } from "./format-json";
import { formatSarif } from "./format-sarif";
import { formatMarkdown } from "./format-markdown";

export const FORMATS = ["text", "json", "sarif", "markdown"] as const;
export type ReportFormat = (typeof FORMATS)[number];

export interface FormatOptions {
    color?: boolean;
    sourceLinkBase?: string;
}

export function formatReports(format: ReportFormat, reports: StackPolicyReport[], opts: FormatOptions = {}): string {
    switch (format) {
        case "text":
            return formatText(reports, { color: opts.color });
        case "json":
            return formatJson(reports);
        case "sarif":
            return formatSarif(reports);
        case "markdown":
            return formatMarkdown(reports, { sourceLinkBase: opts.sourceLinkBase });
    }
}
