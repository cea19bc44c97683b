/**
 * Runs the real Pulumi program (index.ts) in-process under the Pulumi runtime's mocks, for one
 * stack, and records every resource registration exactly as the engine would receive it: inputs
 * in wire form (secrets marked, preview unknowns as the unknown sentinel), property
 * dependencies, options and the source position that declared it. No cloud, no CLI.
 *
 * Runs are queued, one at a time per process: the Pulumi runtime keeps global state.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readRawConfig } from "../../config/load";
import { parseConfig } from "../../config/schema";
import { platformMocks } from "./mocks";
import { API_PACKAGE, apiPackageDirFrom, ingestPackageDirFrom, readFunctionPackage } from "../../components/functionPackage";
import { readStackConfig, REPO_ROOT } from "./stackConfig";
import type { CapturedResource, StackRun } from "./types";

export interface RunOptions {
    /** Model `pulumi preview` (default) or `pulumi up`. */
    preview?: boolean;
    /** Project-key overrides over the stack file (see readStackConfig). */
    config?: Record<string, unknown>;
    /** Program entry point; default the project's index.ts. */
    program?: string;
    /** Called for each registration as it happens (also when the run later fails). */
    onRegister?: (r: CapturedResource) => void;
    /**
     * The ingest function's built package for this run (the program reads INGEST_PACKAGE_DIR, else
     * app/ingest/dist); default: the environment as it is.
     */
    ingestPackageDir?: string;
}

type Struct = { toJavaScript(): Record<string, unknown> };
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getObject(): Struct | undefined;
    getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
    getDependenciesList(): string[];
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getAliasesList(): { toObject(): unknown }[];
    getImportid(): string;
    getSourceposition(): { getUri(): string; getLine(): number; getColumn(): number } | undefined;
}
interface MockMonitorLike {
    registerResource(req: RegisterRequest, cb: (err: unknown, resp?: { getUrn(): string }) => void): Promise<void>;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): Struct | undefined }, cb: (err: unknown, resp?: unknown) => void): void;
}

/** Runs are queued: the Pulumi runtime keeps global state, so one stack runs at a time per process. */
let queue: Promise<unknown> = Promise.resolve();

export function runStack(stack: string, options: RunOptions = {}): Promise<StackRun> {
    const result = queue.then(() => run(stack, options));
    queue = result.catch(() => undefined);
    return result;
}

async function run(stack: string, options: RunOptions): Promise<StackRun> {
    const preview = options.preview ?? true;
    const cfg = readStackConfig(stack, options.config ?? {});
    await pulumi.runtime.setMocks(platformMocks(preview), cfg.project, stack, preview);
    // The engine caches a dynamic provider's serialized text per provider object (the SDK's default
    // since 3.0, PULUMI_NODEJS_CACHE_DYNAMIC_PROVIDERS); setMocks resets that option, so set it back.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module of the SDK, without typings
    (require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { options: { cacheDynamicProviders?: boolean } } } }).getStore().settings.options.cacheDynamicProviders = true;
    pulumi.runtime.setAllConfig(cfg.values, cfg.secretKeys);

    const resources: CapturedResource[] = [];
    let stackOutputs: Record<string, unknown> = {};
    let stackUrn = "";
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
        register(req, (err, resp) => {
            if (!err && resp) {
                const deps: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((v, k) => (deps[k] = v.getUrnsList()));
                const pos = req.getSourceposition();
                const captured: CapturedResource = {
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent(),
                    provider: req.getProvider(),
                    inputs: req.getObject()?.toJavaScript() ?? {},
                    propertyDependencies: deps,
                    dependencies: req.getDependenciesList(),
                    protect: req.getProtect(),
                    retainOnDelete: req.getRetainondelete(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    ignoreChanges: req.getIgnorechangesList(),
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                    aliases: req.getAliasesList().map((a) => a.toObject()),
                    ...(req.getImportid() ? { importId: req.getImportid() } : {}),
                    ...(pos && pos.getUri() ? { sourcePosition: { uri: pos.getUri(), line: pos.getLine(), column: pos.getColumn() } } : {}),
                };
                if (captured.type === "pulumi:pulumi:Stack") stackUrn = captured.urn;
                resources.push(captured);
                options.onRegister?.(captured);
            }
            cb(err, resp);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, cb) => {
        if (req.getUrn() === stackUrn) stackOutputs = req.getOutputs()?.toJavaScript() ?? {};
        registerOutputs(req, cb);
    };

    const previousPackageDir = process.env.INGEST_PACKAGE_DIR;
    if (options.ingestPackageDir !== undefined) process.env.INGEST_PACKAGE_DIR = options.ingestPackageDir;
    try {
        await evaluate(options);
        return { stack, project: cfg.project, preview, resources, outputs: stackOutputs };
    } finally {
        if (options.ingestPackageDir !== undefined) {
            if (previousPackageDir === undefined) delete process.env.INGEST_PACKAGE_DIR;
            else process.env.INGEST_PACKAGE_DIR = previousPackageDir;
        }
    }
}

async function evaluate(options: RunOptions): Promise<void> {
    const program = options.program ?? path.join(REPO_ROOT, "index.ts");
    const resolved = require.resolve(program);
    // Validate with the program's own edge first, as index.ts does before it builds anything, so
    // a bad configuration is reported as the program's ConfigError listing every problem.
    // (index.ts itself prints the configuration warnings.)
    parseConfig(readRawConfig());
    // Likewise the function packages (index.ts reads them before it registers anything).
    readFunctionPackage(ingestPackageDirFrom());
    readFunctionPackage(apiPackageDirFrom(), undefined, API_PACKAGE);
    await pulumi.runtime.runInPulumiStack(async () => {
        // A fresh evaluation of the program for this run; the modules it imports stay cached, so
        // the program is loaded with require (an import would be evaluated once per process).
        delete require.cache[resolved];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(resolved);
    });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}
