/**
 * The client side of Pulumi's analyzer protocol: starts a CrossGuard policy pack the way the Pulumi engine
 * does and drives it over gRPC with the generated `@pulumi/pulumi/proto` client.
 *
 * How the engine starts a Node.js pack (sdk/go/common/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer):
 * it loads `<pack>/PulumiPolicy.yaml`, then runs the `pulumi-analyzer-policy` shim, which runs
 * `node <@pulumi/pulumi>/cmd/run-policy-pack <engine address> . [-<runtime option>=<value>...]` with the pack
 * directory as working directory and PULUMI_CONFIG / PULUMI_{,NODEJS_}{PROJECT,STACK,ORGANIZATION,DRY_RUN} in
 * the environment. `run-policy-pack` drops the engine address, registers ts-node (with type checking) and
 * requires the pack directory (its package.json `main`); `new PolicyPack(...)` reads the version from
 * `./package.json`, binds the Analyzer service on 127.0.0.1:0 and prints the port as the first line of stdout.
 * The engine reads that first line (anything else first is a "non-numeric port" failure), forwards later
 * stdout/stderr as log lines, and dials the port.
 *
 * The engine address: this client serves a minimal Engine service (Log, Get/SetRootResource), local only (a
 * Unix socket, or 127.0.0.1 on Windows), so the address it passes is real. The current launcher never dials it (the Node SDK only connects to an engine
 * named by PULUMI_NODEJS_ENGINE, which the engine does not set for analyzers; `pulumi.log` in a pack falls
 * back to stdout/stderr); pack log lines are collected either way.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as yaml from "js-yaml";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import type * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { EnforcementLevel, PolicyKind, PolicySeverity } from "./model";
import type { PolicyConfigEntry, PolicyConfigSchema } from "./config";

/** Maximum gRPC message size the engine and the policy SDK use (400 MB). */
const MAX_RPC_MESSAGE_SIZE = 1024 * 1024 * 400;

export class PolicyPackStartError extends Error {}

export interface PolicyPackProject {
    dir: string;
    /** PulumiPolicy.yaml `version`, which the engine prefers over the pack's own. */
    version?: string;
    runtime: string;
    /** `runtime.options` from PulumiPolicy.yaml, passed to the launcher as `-key=value`. */
    runtimeOptions: Record<string, unknown>;
}

/** Reads `<dir>/PulumiPolicy.yaml` as the engine does before starting a pack. */
export function loadPolicyPackProject(dir: string): PolicyPackProject {
    const file = path.join(dir, "PulumiPolicy.yaml");
    let doc: unknown;
    try {
        doc = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PolicyPackStartError(`failed to load Pulumi policy project located at "${dir}": ${(e as Error).message}`);
    }
    const o = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
    let runtime = "";
    let runtimeOptions: Record<string, unknown> = {};
    if (typeof o.runtime === "string") {
        runtime = o.runtime;
    } else if (typeof o.runtime === "object" && o.runtime !== null) {
        const r = o.runtime as Record<string, unknown>;
        runtime = typeof r.name === "string" ? r.name : "";
        if (typeof r.options === "object" && r.options !== null) {
            runtimeOptions = r.options as Record<string, unknown>;
        }
    }
    if (!runtime) {
        throw new PolicyPackStartError(`${file}: runtime is required`);
    }
    if (runtime !== "nodejs") {
        throw new PolicyPackStartError(`${file}: runtime '${runtime}' is not supported by the offline check (nodejs only)`);
    }
    const version = typeof o.version === "string" && o.version !== "" ? o.version : undefined;
    return { dir, version, runtime, runtimeOptions };
}

export interface StartPolicyPackOptions {
    /** Pack directory (holds PulumiPolicy.yaml and package.json). */
    packDir: string;
    /** Project/stack/organization/dry-run and stack config, passed in the environment as the engine does. */
    project?: string;
    stack?: string;
    organization?: string;
    dryRun?: boolean;
    /** Plain (non-secret) stack config, `namespace:key` -> string value; becomes PULUMI_CONFIG. */
    stackConfig?: Record<string, string>;
    /** Extra environment for the pack process. */
    env?: NodeJS.ProcessEnv;
    /** Milliseconds to wait for the port line (default 60 000: a TypeScript pack under ts-node is slow). */
    startTimeoutMs?: number;
    /** Node binary to run the launcher with (default: this process's). */
    nodePath?: string;
}

export interface AnalyzerPolicyInfo {
    name: string;
    displayName: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    kind: PolicyKind | "unknown";
    configSchema?: PolicyConfigSchema;
    severity?: PolicySeverity;
    remediationSteps: string;
    url: string;
    tags: string[];
    framework?: { name?: string; version?: string; reference?: string; specification?: string };
}

export interface AnalyzerInfo {
    name: string;
    displayName: string;
    version: string;
    description: string;
    supportsConfig: boolean;
    policies: AnalyzerPolicyInfo[];
    initialConfig: Record<string, PolicyConfigEntry>;
}

export interface AnalyzerDiagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    urn: string;
    severity?: PolicySeverity;
}

export interface AnalyzeResult {
    diagnostics: AnalyzerDiagnostic[];
    notApplicable: { policyName: string; reason: string }[];
}

export interface AnalyzerRemediation {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    /** Remediated properties (engine wire form), when the remediation changed the resource. */
    properties?: Record<string, unknown>;
    diagnostic: string;
}

/** One resource as sent to the analyzer (properties already in the engine's analyzer form). */
export interface AnalyzerResourceInput {
    urn: string;
    type: string;
    name: string;
    properties: Record<string, unknown>;
    options: {
        protect: boolean;
        ignoreChanges: string[];
        deleteBeforeReplace?: boolean;
        additionalSecretOutputs: string[];
        aliases: string[];
        customTimeouts?: { create: number; update: number; delete: number };
        parent: string;
    };
    provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
    /** AnalyzeStack only. */
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface ConfigureStackRequest {
    stack: string;
    project: string;
    organization?: string;
    dryRun: boolean;
    config?: Record<string, string>;
    configSecretKeys?: string[];
    tags?: Record<string, string>;
}

const LEVEL_FROM_PROTO: Record<number, EnforcementLevel> = {
    [analyzerProto.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerProto.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerProto.EnforcementLevel.DISABLED]: "disabled",
    [analyzerProto.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_TO_PROTO: Record<EnforcementLevel, analyzerProto.EnforcementLevel> = {
    advisory: analyzerProto.EnforcementLevel.ADVISORY,
    mandatory: analyzerProto.EnforcementLevel.MANDATORY,
    disabled: analyzerProto.EnforcementLevel.DISABLED,
    remediate: analyzerProto.EnforcementLevel.REMEDIATE,
};
const SEVERITY_FROM_PROTO: Record<number, PolicySeverity | undefined> = {
    [analyzerProto.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
    [analyzerProto.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
    [analyzerProto.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
    [analyzerProto.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

function levelFromProto(l: number): EnforcementLevel {
    const level = LEVEL_FROM_PROTO[l];
    if (!level) {
        throw new Error(`invalid enforcement level ${l}`);
    }
    return level;
}

function unary<Req, Res>(
    fn: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall,
    req: Req,
    timeoutMs: number,
): Promise<Res> {
    return new Promise((resolve, reject) => {
        fn(req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res)));
    });
}

function toStruct(obj: Record<string, unknown>): Struct {
    // google-protobuf's Struct.fromJavaScript is typed for JSON values; the wire form is JSON.
    return Struct.fromJavaScript(obj as Parameters<typeof Struct.fromJavaScript>[0]);
}

function buildOptions(o: AnalyzerResourceInput["options"]): analyzerProto.AnalyzerResourceOptions {
    const opts = new analyzerProto.AnalyzerResourceOptions();
    opts.setProtect(o.protect);
    opts.setIgnorechangesList(o.ignoreChanges);
    opts.setDeletebeforereplace(o.deleteBeforeReplace ?? false);
    opts.setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined);
    opts.setAdditionalsecretoutputsList(o.additionalSecretOutputs);
    opts.setAliasesList(o.aliases);
    const t = new analyzerProto.AnalyzerResourceOptions.CustomTimeouts();
    t.setCreate(o.customTimeouts?.create ?? 0);
    t.setUpdate(o.customTimeouts?.update ?? 0);
    t.setDelete(o.customTimeouts?.delete ?? 0);
    opts.setCustomtimeouts(t);
    opts.setParent(o.parent);
    return opts;
}

function buildProvider(p: NonNullable<AnalyzerResourceInput["provider"]>): analyzerProto.AnalyzerProviderResource {
    const prov = new analyzerProto.AnalyzerProviderResource();
    prov.setUrn(p.urn);
    prov.setType(p.type);
    prov.setName(p.name);
    prov.setProperties(toStruct(p.properties));
    return prov;
}

function convertDiagnostics(resp: analyzerProto.AnalyzeResponse): AnalyzeResult {
    return {
        diagnostics: resp.getDiagnosticsList().map((d) => ({
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            policyPackVersion: d.getPolicypackversion(),
            description: d.getDescription(),
            message: d.getMessage(),
            enforcementLevel: levelFromProto(d.getEnforcementlevel()),
            urn: d.getUrn(),
            severity: SEVERITY_FROM_PROTO[d.getSeverity()],
        })),
        notApplicable: resp.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
    };
}

/**
 * A minimal Engine service, local only: records Log calls, answers root-resource calls. On POSIX it listens on
 * a Unix socket whose path is known before binding, so the pack can be spawned at once (binding needs the event
 * loop, which a program running in this process under mocks may keep busy); elsewhere on 127.0.0.1.
 */
class LoopbackEngine {
    private readonly server = new grpc.Server();
    private rootResource = "";
    private readonly socketPath: string | undefined;
    address = "";

    constructor(private readonly onLog: (line: string) => void) {
        if (process.platform !== "win32") {
            this.socketPath = path.join(os.tmpdir(), `pulumi-offline-engine-${process.pid}-${randomBytes(6).toString("hex")}.sock`);
            this.address = `unix:${this.socketPath}`;
        }
    }

    listen(): Promise<void> {
        const impl: engineRpc.IEngineServer = {
            log: (call, cb) => {
                const r = call.request;
                const sev = ["debug", "info", "warning", "error"][r.getSeverity()] ?? "info";
                this.onLog(`${sev}: ${r.getMessage()}${r.getUrn() ? ` (${r.getUrn()})` : ""}`);
                cb(null, new Empty());
            },
            getRootResource: (_call, cb) => {
                const res = new engineProto.GetRootResourceResponse();
                res.setUrn(this.rootResource);
                cb(null, res);
            },
            setRootResource: (call, cb) => {
                this.rootResource = call.request.getUrn();
                cb(null, new engineProto.SetRootResourceResponse());
            },
            startDebugging: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED, details: "no debugger offline" }),
            requirePulumiVersion: (_call, cb) =>
                cb({ code: grpc.status.UNIMPLEMENTED, details: "the offline check has no Pulumi CLI version to compare" }),
        };
        this.server.addService(engineRpc.EngineService, impl);
        return new Promise<void>((resolve, reject) =>
            this.server.bindAsync(this.address || "127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
                if (err) {
                    reject(err);
                    return;
                }
                if (!this.address) {
                    this.address = `127.0.0.1:${port}`;
                }
                resolve();
            }),
        );
    }

    stop(): Promise<void> {
        return new Promise((resolve) =>
            this.server.tryShutdown(() => {
                if (this.socketPath) {
                    fs.rmSync(this.socketPath, { force: true });
                }
                resolve();
            }),
        );
    }
}

/** A running policy pack process and a connected Analyzer client. */
export class PolicyPackProcess {
    private exited = false;
    private exitInfo = "";
    private closing = false;

    private constructor(
        readonly project: PolicyPackProject,
        /** Log lines from the pack (stdout after the port line, stderr, engine Log calls), still growing. */
        readonly logs: string[],
        private readonly child: ChildProcess,
        private readonly engine: LoopbackEngine,
        private readonly client: analyzerRpc.AnalyzerClient,
        readonly port: number,
        /** Milliseconds from spawn to the port line. */
        readonly startupMs: number,
        private readonly rpcTimeoutMs: number,
    ) {
        child.once("exit", (code, signal) => {
            this.exited = true;
            this.exitInfo = signal ? `signal ${signal}` : `exit code ${String(code)}`;
        });
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    get hasExited(): boolean {
        return this.exited;
    }

    static async start(options: StartPolicyPackOptions): Promise<PolicyPackProcess> {
        const packDir = path.resolve(options.packDir);
        const project = loadPolicyPackProject(packDir);
        let launcher: string;
        try {
            launcher = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
        } catch {
            throw new PolicyPackStartError(
                `it looks like the policy pack's dependencies are not installed; @pulumi/pulumi/cmd/run-policy-pack cannot be resolved from ${packDir}`,
            );
        }
        const logs: string[] = [];
        const engine = new LoopbackEngine((l) => logs.push(l));
        let engineListening: Promise<void>;
        if (engine.address) {
            engineListening = engine.listen();
            engineListening.catch(() => undefined); // awaited once the port is read
        } else {
            await engine.listen();
            engineListening = Promise.resolve();
        }
        const engineAddress = engine.address;

        const args = [launcher, engineAddress, "."];
        for (const [k, v] of Object.entries(project.runtimeOptions)) {
            const s = typeof v === "string" ? v : JSON.stringify(v);
            if (s !== "") {
                args.push(`-${k}=${s}`);
            }
        }
        const env: NodeJS.ProcessEnv = { ...process.env, ...(options.env ?? {}) };
        const set = (k: string, v: string | undefined) => {
            if (v !== undefined && v !== "") {
                env[k] = v;
            }
        };
        if (options.stackConfig && Object.keys(options.stackConfig).length) {
            set("PULUMI_CONFIG", JSON.stringify(options.stackConfig));
        }
        for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
            set(`${prefix}ORGANIZATION`, options.organization);
            set(`${prefix}PROJECT`, options.project);
            set(`${prefix}STACK`, options.stack);
            if (options.dryRun !== undefined) {
                set(`${prefix}DRY_RUN`, String(options.dryRun));
            }
        }

        const started = performance.now();
        const child = spawn(options.nodePath ?? process.execPath, args, { cwd: packDir, env, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (d: string) => {
            stderr += d;
        });

        let port: number;
        let rest: string;
        let startupMs: number;
        try {
            ({ port, rest } = await readPort(child, options.startTimeoutMs ?? 60_000, () => stderr));
            startupMs = performance.now() - started;
            await engineListening;
        } catch (e) {
            child.kill("SIGKILL");
            await engine.stop();
            throw e;
        }

        // From here on, stdout and stderr are log lines.
        const lineCollector = (stream: NodeJS.ReadableStream, prefix: string, initial: string) => {
            let buf = "";
            const take = (d: Buffer | string) => {
                buf += d.toString();
                let i: number;
                while ((i = buf.indexOf("\n")) >= 0) {
                    logs.push(prefix + buf.slice(0, i).replace(/\r$/, ""));
                    buf = buf.slice(i + 1);
                }
            };
            take(initial);
            stream.on("data", take);
            stream.on("end", () => {
                if (buf) {
                    logs.push(prefix + buf);
                }
            });
        };
        child.stderr.removeAllListeners("data");
        if (stderr) {
            logs.push(...stderr.replace(/\n$/, "").split("\n").map((l) => `stderr: ${l}`));
        }
        lineCollector(child.stdout, "", rest);
        lineCollector(child.stderr, "stderr: ", "");
        child.stdout.resume();

        const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": MAX_RPC_MESSAGE_SIZE,
            "grpc.max_send_message_length": MAX_RPC_MESSAGE_SIZE,
        });
        const proc = new PolicyPackProcess(project, logs, child, engine, client, port, startupMs, 120_000);
        await new Promise<void>((resolve, reject) =>
            client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(new PolicyPackStartError(`cannot connect to the policy pack on port ${port}: ${err.message}`)) : resolve())),
        ).catch(async (e) => {
            await proc.close();
            throw e;
        });
        return proc;
    }

    private call<Req, Res>(
        method: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall,
        req: Req,
    ): Promise<Res> {
        if (this.exited) {
            return Promise.reject(new Error(`the policy pack process has exited (${this.exitInfo})${this.tail()}`));
        }
        return unary(method.bind(this.client), req, this.rpcTimeoutMs).catch((e: grpc.ServiceError) => {
            throw new Error(`${e.details || e.message}${this.exited ? ` (policy pack process ${this.exitInfo})${this.tail()}` : ""}`);
        });
    }

    private tail(): string {
        const t = this.logs.slice(-20).join("\n");
        return t ? `\n${t}` : "";
    }

    /** Handshake, as the engine tries first; resolves false when the pack does not implement it (the Node SDK). */
    async handshake(engineAddress: string): Promise<boolean> {
        const req = new analyzerProto.AnalyzerHandshakeRequest();
        req.setEngineAddress(engineAddress);
        req.setRootDirectory(this.project.dir);
        req.setProgramDirectory(this.project.dir);
        try {
            await unary(this.client.handshake.bind(this.client), req, this.rpcTimeoutMs);
            return true;
        } catch (e) {
            if ((e as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) {
                return false;
            }
            throw e;
        }
    }

    get engineAddress(): string {
        return this.engine.address;
    }

    async configureStack(r: ConfigureStackRequest): Promise<boolean> {
        const req = new analyzerProto.AnalyzerStackConfigureRequest();
        req.setStack(r.stack);
        req.setProject(r.project);
        req.setOrganization(r.organization ?? "");
        req.setDryRun(r.dryRun);
        for (const [k, v] of Object.entries(r.config ?? {})) {
            req.getConfigMap().set(k, v);
        }
        req.setConfigSecretKeysList(r.configSecretKeys ?? []);
        for (const [k, v] of Object.entries(r.tags ?? {})) {
            req.getTagsMap().set(k, v);
        }
        try {
            await this.call(this.client.configureStack, req);
            return true;
        } catch (e) {
            if (/unimplemented/i.test((e as Error).message)) {
                return false;
            }
            throw e;
        }
    }

    async getPluginInfo(): Promise<string> {
        const info = await this.call<Empty, pluginProto.PluginInfo>(this.client.getPluginInfo, new Empty());
        return info.getVersion();
    }

    async getAnalyzerInfo(): Promise<AnalyzerInfo> {
        const ai = await this.call<Empty, analyzerProto.AnalyzerInfo>(this.client.getAnalyzerInfo, new Empty());
        const policies: AnalyzerPolicyInfo[] = ai.getPoliciesList().map((p) => {
            const schema = p.getConfigschema();
            const fw = p.getFramework();
            const kind = p.getPolicyType();
            return {
                name: p.getName(),
                displayName: p.getDisplayname(),
                description: p.getDescription(),
                enforcementLevel: levelFromProto(p.getEnforcementlevel()),
                kind:
                    kind === analyzerProto.PolicyType.POLICY_TYPE_RESOURCE
                        ? "resource"
                        : kind === analyzerProto.PolicyType.POLICY_TYPE_STACK
                          ? "stack"
                          : "unknown",
                configSchema: schema
                    ? {
                          properties: (schema.getProperties()?.toJavaScript() ?? {}),
                          required: schema.getRequiredList(),
                      }
                    : undefined,
                severity: SEVERITY_FROM_PROTO[p.getSeverity()],
                remediationSteps: p.getRemediationSteps(),
                url: p.getUrl(),
                tags: p.getTagsList(),
                framework: fw
                    ? { name: fw.getName(), version: fw.getVersion(), reference: fw.getReference(), specification: fw.getSpecification() }
                    : undefined,
            };
        });
        const initialConfig: Record<string, PolicyConfigEntry> = {};
        ai.getInitialconfigMap().forEach((v, k) => {
            initialConfig[k] = {
                enforcementLevel: levelFromProto(v.getEnforcementlevel()),
                properties: v.getProperties()?.toJavaScript(),
            };
        });
        return {
            name: ai.getName(),
            displayName: ai.getDisplayname(),
            // The engine uses PulumiPolicy.yaml's version when it is set.
            version: this.project.version ?? ai.getVersion(),
            description: ai.getDescription(),
            supportsConfig: ai.getSupportsconfig(),
            policies,
            initialConfig,
        };
    }

    /** Configure: every policy's level and properties (send the reconciled config, as the engine does). */
    async configure(config: Map<string, PolicyConfigEntry>): Promise<void> {
        if (config.size === 0) {
            return;
        }
        const req = new analyzerProto.ConfigureAnalyzerRequest();
        for (const [name, c] of config) {
            if (!c.enforcementLevel) {
                throw new Error(`policy config for ${name} has no enforcement level (reconcile it first)`);
            }
            const pc = new analyzerProto.PolicyConfig();
            pc.setEnforcementlevel(LEVEL_TO_PROTO[c.enforcementLevel]);
            pc.setProperties(toStruct(c.properties ?? {}));
            req.getPolicyconfigMap().set(name, pc);
        }
        await this.call(this.client.configure, req);
    }

    private analyzeRequest(r: AnalyzerResourceInput): analyzerProto.AnalyzeRequest {
        const req = new analyzerProto.AnalyzeRequest();
        req.setUrn(r.urn);
        req.setType(r.type);
        req.setName(r.name);
        req.setProperties(toStruct(r.properties));
        // Without options the policy SDK answers "A more recent version of the Pulumi CLI is required".
        req.setOptions(buildOptions(r.options));
        if (r.provider) {
            req.setProvider(buildProvider(r.provider));
        }
        return req;
    }

    async analyze(r: AnalyzerResourceInput): Promise<AnalyzeResult> {
        const resp = await this.call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>(this.client.analyze, this.analyzeRequest(r));
        return convertDiagnostics(resp);
    }

    async remediate(r: AnalyzerResourceInput): Promise<AnalyzerRemediation[]> {
        const resp = await this.call<analyzerProto.AnalyzeRequest, analyzerProto.RemediateResponse>(this.client.remediate, this.analyzeRequest(r));
        return resp.getRemediationsList().map((x) => ({
            policyName: x.getPolicyname(),
            policyPackName: x.getPolicypackname(),
            policyPackVersion: x.getPolicypackversion(),
            description: x.getDescription(),
            properties: x.getProperties()?.toJavaScript(),
            diagnostic: x.getDiagnostic(),
        }));
    }

    async analyzeStack(resources: AnalyzerResourceInput[]): Promise<AnalyzeResult> {
        const req = new analyzerProto.AnalyzeStackRequest();
        req.setResourcesList(
            resources.map((r) => {
                const ar = new analyzerProto.AnalyzerResource();
                ar.setUrn(r.urn);
                ar.setType(r.type);
                ar.setName(r.name);
                ar.setProperties(toStruct(r.properties));
                ar.setOptions(buildOptions(r.options));
                if (r.provider) {
                    ar.setProvider(buildProvider(r.provider));
                }
                ar.setParent(r.parent ?? "");
                ar.setDependenciesList(r.dependencies ?? []);
                for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                    if (urns.length === 0) {
                        continue; // the engine skips properties with no dependencies
                    }
                    const pd = new analyzerProto.AnalyzerPropertyDependencies();
                    pd.setUrnsList(urns);
                    ar.getPropertydependenciesMap().set(k, pd);
                }
                return ar;
            }),
        );
        const resp = await this.call<analyzerProto.AnalyzeStackRequest, analyzerProto.AnalyzeResponse>(this.client.analyzeStack, req);
        return convertDiagnostics(resp);
    }

    /**
     * Shuts the pack down the way the engine closes a plugin: close the connection, then terminate the process
     * (SIGTERM; SIGKILL if it has not exited within `graceMs`). Resolves once the process has exited.
     */
    async close(graceMs = 2_000): Promise<void> {
        if (this.closing) {
            return;
        }
        this.closing = true;
        this.client.close();
        if (!this.exited) {
            const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
            this.child.kill("SIGTERM");
            const timer = setTimeout(() => {
                if (!this.exited) {
                    this.child.kill("SIGKILL");
                }
            }, graceMs);
            await exited;
            clearTimeout(timer);
        }
        await this.engine.stop();
    }
}

/** Reads the first stdout line byte-exact, as the engine does, and parses it as the port. */
function readPort(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<{ port: number; rest: string }> {
    return new Promise((resolve, reject) => {
        let line = "";
        let rest = "";
        let done = false;
        const stdout = child.stdout!;
        const finish = (err: Error | undefined, port?: number) => {
            if (done) {
                return;
            }
            done = true;
            clearTimeout(timer);
            stdout.removeListener("data", onData);
            stdout.pause();
            child.removeListener("exit", onExit);
            child.removeListener("error", onError);
            if (err) {
                reject(err);
            } else {
                resolve({ port: port!, rest });
            }
        };
        const onData = (d: Buffer) => {
            const s = d.toString("utf8");
            const nl = s.indexOf("\n");
            if (nl < 0) {
                line += s;
                return;
            }
            line += s.slice(0, nl);
            rest = s.slice(nl + 1);
            const portString = line.trim();
            const port = /^\d+$/.test(portString) ? Number(portString) : NaN;
            if (!Number.isInteger(port) || port <= 0 || port > 65535) {
                finish(
                    new PolicyPackStartError(
                        `policy pack wrote a non-numeric port to stdout ('${portString}'); the Pulumi engine would fail the same way${fmtStderr(stderr())}`,
                    ),
                );
            } else {
                finish(undefined, port);
            }
        };
        const onExit = (code: number | null, signal: string | null) =>
            finish(
                new PolicyPackStartError(
                    `policy pack exited (${signal ? `signal ${signal}` : `exit code ${String(code)}`}) before printing its port${line ? `; stdout: ${line}` : ""}${fmtStderr(stderr())}`,
                ),
            );
        const onError = (e: Error) => finish(new PolicyPackStartError(`cannot start the policy pack: ${e.message}`));
        const timer = setTimeout(
            () => finish(new PolicyPackStartError(`policy pack did not print its port within ${timeoutMs} ms${fmtStderr(stderr())}`)),
            timeoutMs,
        );
        stdout.on("data", onData);
        child.once("exit", onExit);
        child.once("error", onError);
    });
}

function fmtStderr(s: string): string {
    const t = s.trim();
    return t ? `\n--- policy pack stderr ---\n${t.split("\n").slice(-40).join("\n")}` : "";
}
