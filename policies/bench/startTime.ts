/**
 * Measures how long the policy pack takes to start under the Pulumi engine's own launcher
 * (`@pulumi/pulumi/cmd/run-policy-pack`, run with the pack directory as cwd and program, exactly as
 * the Node.js language host does): time from process spawn to the analyzer port on stdout.
 *
 *   node --import tsx policies/bench/startTime.ts [--runs 10] [--source] [--floor]
 *
 *   --source  also measure the TypeScript path (ts-node with type checking, the engine's default
 *             for a TypeScript pack), forced with POLICY_PACK_FROM_SOURCE=1
 *   --floor   also measure the launcher alone: an empty pack that prints a port at once
 *   --eager   also measure the compiled pack without lib/fastStart's deferred modules
 *
 * A benchmark, not a timed test: figures depend on the machine. Requires `npm run build` first.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const packDir = path.resolve(__dirname, "..");
const launcher = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });

function startOnce(dir: string, env: NodeJS.ProcessEnv = {}): Promise<number> {
    return new Promise((resolve, reject) => {
        const t0 = process.hrtime.bigint();
        const child = spawn(process.execPath, [launcher, "127.0.0.1:0", dir], { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        let done = false;
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.stdout.on("data", (d: Buffer) => {
            if (done || !/^\d+\s*$/m.test(d.toString())) return;
            done = true;
            resolve(Number(process.hrtime.bigint() - t0) / 1e6);
            child.kill();
        });
        child.on("exit", (code) => {
            if (!done) reject(new Error(`pack exited (${String(code)}) before printing its port:\n${stderr}`));
        });
    });
}

async function series(label: string, runs: number, dir: string, env?: NodeJS.ProcessEnv): Promise<void> {
    await startOnce(dir, env); // warm the file-system cache
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await startOnce(dir, env));
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`${label.padEnd(58)} median ${median.toFixed(0)} ms  (min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}, ${runs} runs)`);
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const runs = Number(args[args.indexOf("--runs") + 1]) || 10;
    if (!existsSync(path.join(packDir, "bin", "index.js"))) throw new Error("policies/bin is missing: run `npm run build` in policies/ first");
    console.log(`node ${process.version}, ${os.cpus().length} CPU(s), launcher ${path.relative(process.cwd(), launcher)}`);
    if (args.includes("--floor")) {
        const empty = mkdtempSync(path.join(os.tmpdir(), "empty-pack-"));
        writeFileSync(path.join(empty, "package.json"), JSON.stringify({ name: "empty", version: "0.0.0", main: "index.js" }));
        writeFileSync(path.join(empty, "index.js"), "process.stdout.write('1\\n'); setInterval(() => {}, 1000);\n");
        try {
            await series("launcher alone (empty pack prints a port at once)", runs, empty);
        } finally {
            rmSync(empty, { recursive: true, force: true });
        }
    }
    await series("this pack, compiled (main.js -> bin/index.js)", runs, packDir);
    if (args.includes("--eager")) await series("this pack, compiled, without deferred modules", runs, packDir, { PULUMI_POLICY_NO_LAZY_LOAD: "1" });
    if (args.includes("--source")) await series("this pack from TypeScript (ts-node, type-checked)", Math.min(runs, 3), packDir, { POLICY_PACK_FROM_SOURCE: "1" });
}

main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
