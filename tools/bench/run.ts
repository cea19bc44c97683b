/**
 * Benchmark (not a test): wall time and peak memory of the offline commands, each in a fresh
 * process as a user runs it, next to the time it takes merely to load the SDK modules the
 * program imports. Prints a table; `--runs N` repeats each command and reports the median.
 *
 *   npm run bench [-- --runs 5]
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(__dirname, "..", "..");
const node = process.execPath;
const probe = path.join(__dirname, "probe.js");
const register = path.join(root, "tools", "register.js");

interface Measure {
    name: string;
    args: string[];
    /** Exit codes that count as a successful run of this command. */
    ok?: number[];
}

/**
 * The SDK modules the program imports, read from its sources (index.ts, components/, config/), so
 * the baseline stays the program's real load as components come and go.
 */
export function programSdkModules(): string[] {
    const files = ["index.ts", ...["components", "config"].flatMap((dir) => listTs(path.join(root, dir)).map((f) => path.relative(root, f)))];
    const found = new Set<string>();
    for (const file of files) {
        for (const m of readFileSync(path.join(root, file), "utf8").matchAll(/^import[^;]*?from "(@pulumi\/[a-z-]+(?:\/[a-z]+)?)";/gm)) found.add(m[1]);
    }
    return [...found].sort();
}

function listTs(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listTs(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

const SDK_MODULES = programSdkModules();

const plan = path.join(root, "tools", "plan.ts");
const policyCheck = path.join(root, "tools", "policy-check", "cli.ts");

export const MEASURES: Measure[] = [
    { name: "load SDK modules only", args: ["-e", SDK_MODULES.map((m) => `require(${JSON.stringify(m)})`).join(";")] },
    { name: "offline plan, prod, without policies", args: ["--require", register, plan, "--stack", "prod", "--no-policy"] },
    { name: "offline plan, prod, with policy verdicts", args: ["--require", register, plan, "--stack", "prod"] },
    { name: "offline policy check, prod, strict (program + pack start + analyses)", args: ["--require", register, policyCheck, "--stack", "prod", "--strict"] },
    { name: "offline plan, dev, with policy verdicts", args: ["--require", register, plan, "--stack", "dev"] },
];

function measure(m: Measure): { ms: number; rssMb: number } {
    const start = process.hrtime.bigint();
    const r = spawnSync(node, ["--require", probe, ...m.args], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!(m.ok ?? [0]).includes(r.status ?? -1)) throw new Error(`${m.name} exited ${r.status}:\n${r.stderr}`);
    const rss = /BENCH_MAX_RSS_KB=(\d+)/.exec(r.stderr)?.[1];
    if (!rss) throw new Error(`${m.name}: no memory report`);
    return { ms, rssMb: Number(rss) / 1024 };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

function main() {
    const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
    const runs = Math.max(1, Number(values.runs));
    console.log(`node ${process.version}, ${runs} run(s) each, median shown`);
    console.log("| command | wall (s) | peak RSS (MB) |\n|---|---:|---:|");
    for (const m of MEASURES) {
        const results = Array.from({ length: runs }, () => measure(m));
        console.log(`| ${m.name} | ${(median(results.map((r) => r.ms)) / 1000).toFixed(2)} | ${median(results.map((r) => r.rssMb)).toFixed(0)} |`);
    }
}

if (require.main === module) main();
