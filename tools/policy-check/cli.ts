/**
 * Offline policy check: runs the program under mocks modelling `pulumi preview` (tools/offline/runStack.ts)
 * and sends every registered resource through the real policy pack over Pulumi's analyzer protocol.
 *
 *   node --import tsx tools/policy-check/cli.ts --stack dev,prod [--strict]
 *        [--format text|json|sarif|markdown [--output FILE]]... [--pack DIR] [--policy-config FILE]
 *
 * Exit codes: 0 no mandatory violation; 1 a mandatory violation (or, with --strict, a mandatory policy that
 * could not run because a value was unknown at preview); 2 usage, configuration or start-up error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackRun } from "../offline/types";
import * as yaml from "js-yaml";
import { PolicyPackProcess } from "./analyzer-client";
import { checkStackRun, findRepoRoot, type CheckOptions } from "./check";
import { exitCodeFor, type StackPolicyReport } from "./model";
import { PolicyConfigError } from "./config";
import { FORMATS, formatReports, type ReportFormat } from "./formats";
import { summaryLine } from "./format-text";

export const USAGE = `usage: policy-check --stack <name>[,<name>...] [options]

  --stack NAME            stack to check; repeatable or a comma-separated list (required)
  --format FORMAT         text | json | sarif | markdown (default text); repeatable
  --output FILE           write the preceding --format to FILE (default: stdout; at most one format on stdout)
  --strict                also fail when a mandatory policy could not run because a value is unknown at preview
  --pack DIR              policy pack directory (default policies)
  --policy-config FILE    policy config JSON (default <pack>/config/<stack>.json; "<stack>" in FILE is replaced)
  --stack-run FILE        use a recorded StackRun (JSON) instead of running the program; repeatable
  --help                  show this help

exit codes: 0 no mandatory violation, 1 mandatory violation (or --strict unknown), 2 usage/config/start-up error
`;

export class UsageError extends Error {}

export interface CliArgs {
    stacks: string[];
    outputs: { format: ReportFormat; file?: string }[];
    strict: boolean;
    pack?: string;
    policyConfig?: string;
    stackRunFiles: string[];
    help: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
    const args: CliArgs = { stacks: [], outputs: [], strict: false, stackRunFiles: [], help: false };
    const value = (i: number, flag: string): string => {
        const v = argv[i];
        if (v === undefined || v.startsWith("--")) {
            throw new UsageError(`${flag} needs a value`);
        }
        return v;
    };
    for (let i = 0; i < argv.length; i++) {
        let a = argv[i];
        let inline: string | undefined;
        const eq = a.indexOf("=");
        if (a.startsWith("--") && eq > 0) {
            inline = a.slice(eq + 1);
            a = a.slice(0, eq);
        }
        const take = () => (inline !== undefined ? inline : value(++i, a));
        switch (a) {
            case "--stack":
            case "-s":
                args.stacks.push(...take().split(",").map((s) => s.trim()).filter(Boolean));
                break;
            case "--format":
            case "-f": {
                const f = take();
                if (!(FORMATS as readonly string[]).includes(f)) {
                    throw new UsageError(`unknown format "${f}" (use ${FORMATS.join(", ")})`);
                }
                args.outputs.push({ format: f as ReportFormat });
                break;
            }
            case "--output":
            case "-o": {
                const file = take();
                const last = args.outputs[args.outputs.length - 1];
                if (!last) {
                    throw new UsageError("--output must follow the --format it writes");
                }
                if (last.file !== undefined) {
                    throw new UsageError(`--format ${last.format} already has an --output`);
                }
                last.file = file;
                break;
            }
            case "--strict":
                args.strict = true;
                break;
            case "--pack":
                args.pack = take();
                break;
            case "--policy-config":
                args.policyConfig = take();
                break;
            case "--stack-run":
                args.stackRunFiles.push(take());
                break;
            case "--help":
            case "-h":
                args.help = true;
                break;
            default:
                throw new UsageError(`unknown argument "${argv[i]}"`);
        }
    }
    if (args.help) {
        return args;
    }
    if (args.outputs.length === 0) {
        args.outputs.push({ format: "text" });
    }
    if (args.outputs.filter((o) => o.file === undefined).length > 1) {
        throw new UsageError("more than one format would go to stdout: give each but one an --output FILE");
    }
    if (args.stacks.length === 0 && args.stackRunFiles.length === 0) {
        throw new UsageError("--stack is required");
    }
    if (new Set(args.stacks).size !== args.stacks.length) {
        throw new UsageError("a stack is named twice");
    }
    return args;
}

export type RunStack = (stack: string, options: { preview: boolean }) => Promise<StackRun>;

export interface CliDeps {
    /** Runs the program for a stack; default: `runStack` from tools/offline/runStack.ts, loaded on first use. */
    runStack?: RunStack;
    stdout?: (s: string) => Promise<void> | void;
    stderr?: (s: string) => void;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** A pack process to reuse instead of starting one per stack (tests, the plan command). */
    pack?: PolicyPackProcess;
}

function loadRunStack(): RunStack {
    // Loaded on first use: callers that pass their own runStack (tests) or --stack-run files never load the program's SDK.
    const modulePath = path.join(__dirname, "..", "offline", "runStack");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(modulePath) as { runStack?: RunStack };
    if (typeof mod.runStack !== "function") {
        throw new Error(`${modulePath} does not export runStack(stack, { preview })`);
    }
    return mod.runStack;
}

function readStackRun(file: string): StackRun {
    const run = JSON.parse(fs.readFileSync(file, "utf8")) as StackRun;
    if (!run || typeof run.stack !== "string" || typeof run.project !== "string" || !Array.isArray(run.resources)) {
        throw new Error(`${file} is not a StackRun (stack, project, resources)`);
    }
    return run;
}

/** The project name from Pulumi.yaml (for the pack's PULUMI_PROJECT), before the program has run. */
function readProjectName(repoRoot: string): string {
    try {
        const doc = yaml.load(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")) as { name?: unknown } | undefined;
        return typeof doc?.name === "string" ? doc.name : "";
    } catch {
        return "";
    }
}

function sourceLinkBase(env: NodeJS.ProcessEnv): string | undefined {
    const server = env.GITHUB_SERVER_URL;
    const repo = env.GITHUB_REPOSITORY;
    const sha = env.POLICY_CHECK_SOURCE_SHA || env.GITHUB_SHA;
    return server && repo && sha ? `${server}/${repo}/blob/${sha}/` : undefined;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], deps: CliDeps = {}): Promise<number> {
    const stderr = deps.stderr ?? ((s: string) => void process.stderr.write(s));
    const stdout =
        deps.stdout ?? ((s: string) => new Promise<void>((resolve) => (process.stdout.write(s) ? resolve() : process.stdout.once("drain", resolve))));
    const env = deps.env ?? process.env;
    let args: CliArgs;
    try {
        args = parseArgs(argv);
    } catch (e) {
        stderr(`error: ${(e as Error).message}\n\n${USAGE}`);
        return 2;
    }
    if (args.help) {
        await stdout(USAGE);
        return 0;
    }
    const cwd = deps.cwd ?? process.cwd();
    const repoRoot = findRepoRoot(cwd);
    const packDir = path.resolve(cwd, args.pack ?? path.join(repoRoot, "policies"));
    const checkOptions = (pack: PolicyPackProcess): CheckOptions => ({
        pack,
        policyConfig: args.policyConfig ? path.resolve(cwd, args.policyConfig) : undefined,
        strict: args.strict,
        repoRoot,
    });

    // The pack is a separate process: start it (one per stack, as the engine starts one per preview) while
    // the program runs in this process, so its start-up overlaps the program's evaluation.
    const packs = new Map<string, Promise<PolicyPackProcess>>();
    const startPack = (stack: string, project: string) => {
        if (deps.pack || packs.has(stack)) {
            return;
        }
        const p = PolicyPackProcess.start({ packDir, project, stack, dryRun: true });
        p.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
        packs.set(stack, p);
    };
    const closePacks = async () => {
        const settled = await Promise.allSettled([...packs.values()]);
        await Promise.all(settled.map((s) => (s.status === "fulfilled" ? s.value.close() : Promise.resolve())));
    };

    try {
        const runs: StackRun[] = [];
        try {
            for (const f of args.stackRunFiles) {
                const run = readStackRun(path.resolve(cwd, f));
                startPack(run.stack, run.project);
                runs.push(run);
            }
            if (args.stacks.length) {
                const project = readProjectName(repoRoot);
                for (const stack of args.stacks) {
                    startPack(stack, project);
                }
                const runStack = deps.runStack ?? loadRunStack();
                for (const stack of args.stacks) {
                    runs.push(await runStack(stack, { preview: true }));
                }
            }
        } catch (e) {
            // The harness reports stack configuration problems by throwing; its message lists them.
            stderr(`error: the program could not be run offline:\n${(e as Error).message}\n`);
            return 2;
        }

        let reports: StackPolicyReport[];
        try {
            const settled = await Promise.allSettled(
                runs.map(async (run) => checkStackRun(run, checkOptions(deps.pack ?? (await packs.get(run.stack)!)))),
            );
            const failed = settled.find((x): x is PromiseRejectedResult => x.status === "rejected");
            if (failed) {
                throw failed.reason;
            }
            reports = settled.map((x) => (x as PromiseFulfilledResult<StackPolicyReport>).value);
        } catch (e) {
            const prefix = e instanceof PolicyConfigError ? "error: invalid policy configuration: " : "error: policy check failed to run: ";
            stderr(`${prefix}${(e as Error).message}\n`);
            return 2;
        }
        return await writeOutputs(args, reports, { cwd, env, stdout, stderr, tty: deps.stdout === undefined });
    } finally {
        await closePacks();
    }
}

async function writeOutputs(
    args: CliArgs,
    reports: StackPolicyReport[],
    io: { cwd: string; env: NodeJS.ProcessEnv; stdout: (s: string) => Promise<void> | void; stderr: (s: string) => void; tty: boolean },
): Promise<number> {
    const { cwd, env, stdout, stderr } = io;
    const colorOk = !env.NO_COLOR && process.stdout.isTTY === true && io.tty;
    for (const o of args.outputs) {
        const text = formatReports(o.format, reports, { color: colorOk && !o.file, sourceLinkBase: sourceLinkBase(env) });
        if (o.file) {
            const file = path.resolve(cwd, o.file);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, text);
        } else {
            await stdout(text);
        }
    }
    // When no text report went to stdout: the pack's own log lines and a one-line verdict per stack on stderr.
    if (!args.outputs.some((o) => o.format === "text" && !o.file)) {
        for (const r of reports) {
            for (const l of r.packLogs) {
                stderr(`[policy pack, ${r.stack}] ${l}\n`);
            }
        }
    }
    if (args.outputs.every((o) => o.file)) {
        for (const r of reports) {
            stderr(`${summaryLine(r)}\n`);
        }
    }
    return exitCodeFor(reports);
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
            // Do not let a handle left by the program under mocks keep the process alive.
            setTimeout(() => process.exit(code), 200).unref();
        },
        (e: unknown) => {
            process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
            process.exit(2);
        },
    );
}
