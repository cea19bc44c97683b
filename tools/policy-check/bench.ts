/**
 * Measures the policy pack's costs under the offline check (a benchmark, not a test):
 *  - start-up: from spawning the engine's launcher (run-policy-pack) to the port line on stdout;
 *  - per-resource Analyze cost, sequential (as the engine calls it) and with 8 calls in flight;
 *  - AnalyzeStack for the whole stack.
 *
 *   node --import tsx tools/policy-check/bench.ts [--pack DIR] [--starts N] [--stack-run FILE | --resources N]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CapturedResource, StackRun } from "../offline/types";
import { PolicyPackProcess } from "./analyzer-client";
import { checkStackRun, findRepoRoot } from "./check";

function arg(name: string, def: string): string {
    const i = process.argv.indexOf(name);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

function stats(xs: number[]): string {
    const s = [...xs].sort((a, b) => a - b);
    const med = s[Math.floor(s.length / 2)];
    return `min ${s[0].toFixed(0)} ms, median ${med.toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms (n=${s.length})`;
}

function syntheticRun(n: number): StackRun {
    const stack = "bench";
    const project = "bench";
    const resources: CapturedResource[] = [];
    for (let i = 0; i < n; i++) {
        const type = ["fixture:index:Storage", "fixture:index:Server", "fixture:index:Lock"][i % 3];
        resources.push({
            urn: `urn:pulumi:${stack}::${project}::${type}::r${i}`,
            type,
            name: `r${i}`,
            custom: true,
            parent: "",
            provider: "",
            inputs: { httpsOnly: i % 2 === 0, location: "westeurope", tags: { env: "bench", index: String(i) }, properties: { a: [1, 2, 3], b: { c: "d" } } },
            propertyDependencies: {},
            dependencies: [],
            protect: false,
            retainOnDelete: false,
            deleteBeforeReplace: false,
            ignoreChanges: [],
            additionalSecretOutputs: [],
            aliases: [],
        });
    }
    return { stack, project, preview: true, resources, outputs: {} };
}

async function mainBench(): Promise<void> {
    const repoRoot = findRepoRoot();
    const packDir = path.resolve(arg("--pack", path.join(repoRoot, "policies")));
    const starts = Number(arg("--starts", "5"));
    const runFile = arg("--stack-run", "");
    const run = runFile ? (JSON.parse(fs.readFileSync(runFile, "utf8")) as StackRun) : syntheticRun(Number(arg("--resources", "300")));

    const startup: number[] = [];
    const firstReady: number[] = [];
    const shutdown: number[] = [];
    for (let i = 0; i < starts; i++) {
        const t0 = performance.now();
        const p = await PolicyPackProcess.start({ packDir, project: run.project, stack: run.stack, dryRun: true });
        startup.push(p.startupMs);
        await p.getAnalyzerInfo();
        firstReady.push(performance.now() - t0);
        const tc = performance.now();
        await p.close();
        shutdown.push(performance.now() - tc);
    }
    console.log(`pack ${packDir}`);
    console.log(`start-up (spawn -> port printed): ${stats(startup)}`);
    console.log(`start-up to first answered RPC (GetAnalyzerInfo): ${stats(firstReady)}`);
    console.log(`shutdown (close -> process exited): ${stats(shutdown)}`);

    const pack = await PolicyPackProcess.start({ packDir, project: run.project, stack: run.stack, dryRun: true });
    try {
        for (const concurrency of [1, 8]) {
            const per: number[] = [];
            const reports = [];
            for (let i = 0; i < 3; i++) {
                const r = await checkStackRun(run, { pack, repoRoot, policyConfig: null, concurrency, fallbackLocation: null });
                per.push(r.timings.analyzeMs / Math.max(1, r.timings.analyzeCalls));
                reports.push(r);
            }
            const last = reports[reports.length - 1];
            console.log(
                `Analyze, ${concurrency} in flight: ${per.map((x) => x.toFixed(3)).join(" / ")} ms per resource over ${last.timings.analyzeCalls} resources; ` +
                    `AnalyzeStack ${last.timings.analyzeStackMs.toFixed(1)} ms; configure ${last.timings.configureMs.toFixed(1)} ms; ${last.findings.length} findings`,
            );
        }
    } finally {
        await pack.close();
    }
}

mainBench().catch((e: unknown) => {
    console.error(e);
    process.exit(2);
});
