/**
 * Prints the README's rules x stacks table from the policies and the per-stack config files, so
 * the README cannot drift from the pack (test/metadata.test.ts compares them).
 *
 *   node --import tsx policies/scripts/rulesTable.ts [--config]   print a table
 *   node --import tsx policies/scripts/rulesTable.ts --write      update both tables in README.md
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PackPolicy } from "../lib/define";
import { allPolicies } from "../policies";

type ConfigFile = Record<string, { enforcementLevel?: string } | string>;

function level(file: ConfigFile, p: PackPolicy): string {
    const e = file[p.name];
    if (typeof e === "string") return e;
    return e?.enforcementLevel ?? p.enforcementLevel ?? "advisory";
}

export function loadConfig(env: string): ConfigFile {
    return JSON.parse(readFileSync(path.join(__dirname, "..", "config", `${env}.json`), "utf8")) as ConfigFile;
}

function firstSentence(description: string): string {
    const body = description.replace(/^[A-Z]+-\d+: /, "").replace(/e\.g\./g, "e\u2024g\u2024");
    const m = /^(.*?\.)(\s|$)/.exec(body);
    return (m ? m[1] : body).replace(/e\u2024g\u2024/g, "e.g.").replace(/\|/g, "\\|");
}

const FAMILY_ORDER = ["IOT", "DPS", "COS", "AAD", "DIAG", "OTH", "ROUTE", "EVH", "FUNC", "STG", "AI"];
function order(a: PackPolicy, b: PackPolicy): number {
    const [fa, na] = a.baselineId.split("-");
    const [fb, nb] = b.baselineId.split("-");
    return FAMILY_ORDER.indexOf(fa) - FAMILY_ORDER.indexOf(fb) || Number(na) - Number(nb) || a.name.localeCompare(b.name);
}

export function rulesTable(): string {
    const dev = loadConfig("dev");
    const prod = loadConfig("prod");
    const lines = [
        "| baseline id | policy | kind | checks | anchors | dev | prod |",
        "|---|---|---|---|---|---|---|",
    ];
    for (const p of [...allPolicies].sort(order)) {
        const kind = "validateStack" in p ? "stack" : "resource";
        lines.push(`| ${p.baselineId} | \`${p.name}\` | ${kind} | ${firstSentence(p.description)} | ${p.anchors.replace(/\|/g, "\\|")} | ${level(dev, p)} | ${level(prod, p)} |`);
    }
    return lines.join("\n");
}

function render(v: unknown): string {
    return `\`${JSON.stringify(v)}\``.replace(/\|/g, "\\|");
}

/** Every config property: default, dev and prod values. */
export function configTable(): string {
    const dev = loadConfig("dev");
    const prod = loadConfig("prod");
    const lines = ["| policy | property | default | dev | prod | meaning |", "|---|---|---|---|---|---|"];
    for (const p of [...allPolicies].sort(order)) {
        for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            const value = (file: ConfigFile) => {
                const e = file[p.name];
                return typeof e === "object" && e !== null && key in e ? render((e as Record<string, unknown>)[key]) : "(default)";
            };
            lines.push(`| \`${p.name}\` | ${key} | ${render(schema.default)} | ${value(dev)} | ${value(prod)} | ${(schema.description ?? "").replace(/\|/g, "\\|")} |`);
        }
    }
    return lines.join("\n");
}

function replaceBetween(text: string, start: string, end: string, body: string): string {
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a === -1 || b === -1) throw new Error(`README.md lacks ${start} ... ${end}`);
    return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

if (require.main === module) {
    if (process.argv.includes("--write")) {
        const file = path.join(__dirname, "..", "README.md");
        let text = readFileSync(file, "utf8");
        text = replaceBetween(text, "<!-- rules-table:start -->", "<!-- rules-table:end -->", rulesTable());
        text = replaceBetween(text, "<!-- config-table:start -->", "<!-- config-table:end -->", configTable());
        writeFileSync(file, text);
    } else {
        process.stdout.write(`${process.argv.includes("--config") ? configTable() : rulesTable()}\n`);
    }
}
