/**
 * Replays a StackRun (every resource the program registered under mocks) to a policy pack over the analyzer
 * protocol, in the order and form the Pulumi engine uses during `pulumi preview --policy-pack`:
 *
 *   ConfigureStack -> GetAnalyzerInfo -> (reconcile + validate policy config) -> Configure
 *   -> per resource: [Remediate, when a policy is at level `remediate`] then Analyze
 *   -> AnalyzeStack with every resource.
 *
 * Attribution follows the engine: a diagnostic from Analyze belongs to the analyzed resource (the engine
 * ignores the diagnostic's own URN there); one from AnalyzeStack belongs to the URN it names when that is a
 * resource of the stack, else to the root stack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { CapturedResource, StackRun } from "../offline/types";
import {
    PolicyPackProcess,
    type AnalyzerDiagnostic,
    type AnalyzerInfo,
    type AnalyzerResourceInput,
} from "./analyzer-client";
import {
    loadPolicyConfigFile,
    PolicyConfigError,
    reconcilePolicyConfig,
    type PolicyConfigEntry,
} from "./config";
import {
    exitCodeFor,
    type EnforcementLevel,
    type PolicyCheckResult,
    type PolicyDescriptor,
    type PolicyFinding,
    type PolicyKind,
    type RemediationRecord,
    type SourceLocation,
    type StackPolicyReport,
} from "./model";
import { aliasToUrn, parseUrn, providerRefUrn, rootStackUrn, toAnalyzerProperties } from "./wire";

export interface CheckOptions {
    /** Pack directory (default `policies`, resolved from the repository root) or a pack process already started. */
    pack?: string | PolicyPackProcess;
    /**
     * Policy config file (the `--policy-pack-config` JSON). Default: `<pack dir>/config/<stack>.json` when it
     * exists, else the pack's own defaults. `null`: use the pack's defaults even if the default file exists.
     */
    policyConfig?: string | null;
    /** Inline policy config (same shape as the file), used instead of a file. */
    policyConfigEntries?: Record<string, PolicyConfigEntry>;
    /** Fail also when a mandatory policy could not run because a value was unknown. */
    strict?: boolean;
    /** Repository root for relative source paths (default: the git work tree containing the cwd, else the cwd). */
    repoRoot?: string;
    organization?: string;
    /** Plain stack config passed to the pack as PULUMI_CONFIG and in ConfigureStack. */
    stackConfig?: Record<string, string>;
    /** Analyze calls in flight at once (default 8). */
    concurrency?: number;
    /**
     * Where findings with no resolvable source position are anchored (SARIF consumers such as GitHub code
     * scanning reject results without a location). Default: `Pulumi.yaml`, else `index.ts`, at the repo root.
     * `null`: leave such findings without a location.
     */
    fallbackLocation?: { file: string; line: number } | null;
    /** Milliseconds to wait for the pack's port (default 60 000). */
    packStartTimeoutMs?: number;
}

export function findRepoRoot(from = process.cwd()): string {
    let dir = path.resolve(from);
    for (;;) {
        if (fs.existsSync(path.join(dir, ".git"))) {
            return dir;
        }
        const up = path.dirname(dir);
        if (up === dir) {
            return path.resolve(from);
        }
        dir = up;
    }
}

export function defaultPolicyConfigPath(packDir: string, stack: string): string {
    return path.join(packDir, "config", `${stack}.json`);
}

const UNKNOWN_DOWNGRADE_RE =
    /^can't run (?:policy|remediation) '[^']*' from policy pack '[^']*' during preview: (\S+) value at \.(.*) can't be known during preview$/s;

/** Recognises the policy SDK's "could not run because a value is unknown" diagnostic. */
export function parseUnknownDowngrade(message: string): { valueType: string; path: string } | undefined {
    const m = UNKNOWN_DOWNGRADE_RE.exec(message);
    return m ? { valueType: m[1], path: m[2] } : undefined;
}

function toRel(repoRoot: string, file: string): string | undefined {
    const rel = path.relative(repoRoot, file);
    if (!rel || rel.startsWith("..") || path.isAbsolute(rel)) {
        return undefined;
    }
    const posix = rel.split(path.sep).join("/");
    return posix.split("/").includes("node_modules") ? undefined : posix;
}

function positionOf(r: CapturedResource, repoRoot: string): { file: string; line: number; column?: number } | undefined {
    const sp = r.sourcePosition;
    if (!sp || !sp.uri) {
        return undefined;
    }
    let file: string;
    try {
        file = sp.uri.startsWith("file:") ? fileURLToPath(sp.uri) : sp.uri;
    } catch {
        return undefined;
    }
    const rel = toRel(repoRoot, path.resolve(repoRoot, file));
    if (!rel) {
        return undefined;
    }
    return { file: rel, line: Math.max(1, Math.trunc(sp.line) || 1), column: sp.column >= 1 ? Math.trunc(sp.column) : undefined };
}

export function locateResource(
    urn: string,
    byUrn: Map<string, CapturedResource>,
    repoRoot: string,
    fallback: { file: string; line: number } | undefined,
): SourceLocation | undefined {
    let r = byUrn.get(urn);
    let origin: SourceLocation["origin"] = "resource";
    const seen = new Set<string>();
    while (r && !seen.has(r.urn)) {
        seen.add(r.urn);
        const p = positionOf(r, repoRoot);
        if (p) {
            return { ...p, origin };
        }
        origin = "ancestor";
        r = r.parent ? byUrn.get(r.parent) : undefined;
    }
    return fallback ? { file: fallback.file, line: fallback.line, origin: "fallback" } : undefined;
}

function defaultFallback(repoRoot: string): { file: string; line: number } | undefined {
    for (const f of ["Pulumi.yaml", "index.ts"]) {
        if (fs.existsSync(path.join(repoRoot, f))) {
            return { file: f, line: 1 };
        }
    }
    return undefined;
}

/** The resource as the engine presents it to an analyzer. */
export function toAnalyzerResource(r: CapturedResource, run: StackRun, byUrn: Map<string, CapturedResource>): AnalyzerResourceInput {
    const aliases: string[] = [];
    for (const a of r.aliases ?? []) {
        const u = aliasToUrn(a, { name: r.name, type: r.type, parent: r.parent }, run.stack, run.project);
        if (u) {
            aliases.push(u);
        }
    }
    let provider: AnalyzerResourceInput["provider"];
    const provUrn = providerRefUrn(r.provider);
    if (provUrn) {
        const p = byUrn.get(provUrn);
        const parts = parseUrn(provUrn)!;
        provider = {
            urn: provUrn,
            type: p?.type ?? parts.type,
            name: p?.name ?? parts.name,
            properties: p ? toAnalyzerProperties(p.inputs) : {},
        };
    }
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: toAnalyzerProperties(r.inputs ?? {}),
        options: {
            protect: r.protect,
            ignoreChanges: r.ignoreChanges ?? [],
            deleteBeforeReplace: r.deleteBeforeReplace ? true : undefined,
            additionalSecretOutputs: r.additionalSecretOutputs ?? [],
            aliases,
            parent: r.parent ?? "",
        },
        provider,
        parent: r.parent ?? "",
        dependencies: r.dependencies ?? [],
        propertyDependencies: r.propertyDependencies ?? {},
    };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
    const out: R[] = new Array(items.length);
    let next = 0;
    const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
        while (next < items.length) {
            const i = next++;
            out[i] = await fn(items[i], i);
        }
    });
    await Promise.all(workers);
    return out;
}

function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

function resolvePackDir(pack: string | undefined, repoRoot: string): string {
    return path.resolve(repoRoot, pack ?? "policies");
}

function resolvePolicyConfig(
    opts: CheckOptions,
    packDir: string,
    stack: string,
    repoRoot: string,
): { entries?: Record<string, PolicyConfigEntry>; file?: string } {
    if (opts.policyConfigEntries) {
        return { entries: opts.policyConfigEntries };
    }
    if (opts.policyConfig === null) {
        return {};
    }
    if (opts.policyConfig !== undefined) {
        const file = path.resolve(repoRoot, opts.policyConfig.replace(/<stack>|\{stack\}/g, stack));
        if (!fs.existsSync(file)) {
            throw new PolicyConfigError(`policy config ${file} does not exist`);
        }
        return { entries: loadPolicyConfigFile(file), file };
    }
    const file = defaultPolicyConfigPath(packDir, stack);
    return fs.existsSync(file) ? { entries: loadPolicyConfigFile(file), file } : {};
}

/**
 * Runs one stack's resources through the pack. With a running `PolicyPackProcess` the process is reused
 * (ConfigureStack + Configure are sent again); with a directory a pack process is started for this stack and
 * shut down afterwards, as the engine does per preview.
 */
export async function checkStackRun(run: StackRun, opts: CheckOptions = {}): Promise<StackPolicyReport> {
    const t0 = performance.now();
    const repoRoot = path.resolve(opts.repoRoot ?? findRepoRoot());
    let proc: PolicyPackProcess;
    let owned = false;
    if (opts.pack instanceof PolicyPackProcess) {
        proc = opts.pack;
    } else {
        const packDir = resolvePackDir(opts.pack, repoRoot);
        // Read the config before starting anything, so a config error costs no pack start.
        resolvePolicyConfig(opts, packDir, run.stack, repoRoot);
        proc = await PolicyPackProcess.start({
            packDir,
            project: run.project,
            stack: run.stack,
            organization: opts.organization,
            dryRun: run.preview,
            stackConfig: opts.stackConfig,
            startTimeoutMs: opts.packStartTimeoutMs,
        });
        owned = true;
    }
    try {
        return await runChecks(run, proc, owned, opts, repoRoot, t0);
    } finally {
        if (owned) {
            await proc.close();
        }
    }
}

async function runChecks(
    run: StackRun,
    proc: PolicyPackProcess,
    owned: boolean,
    opts: CheckOptions,
    repoRoot: string,
    t0: number,
): Promise<StackPolicyReport> {
    // A pack this check started: include what it logged while starting (e.g. a slow-start warning).
    const logStart = owned ? 0 : proc.logs.length;
    const strict = opts.strict ?? false;
    const { entries, file: configFile } = resolvePolicyConfig(opts, proc.project.dir, run.stack, repoRoot);

    // --- Configure ---------------------------------------------------------------------------------------
    const tc = performance.now();
    await proc.handshake(proc.engineAddress);
    await proc.configureStack({
        stack: run.stack,
        project: run.project,
        organization: opts.organization,
        dryRun: run.preview,
        config: opts.stackConfig,
    });
    const info: AnalyzerInfo = await proc.getAnalyzerInfo();
    let reconciled = new Map<string, PolicyConfigEntry>();
    if (info.supportsConfig) {
        reconciled = reconcilePolicyConfig(info.policies, info.initialConfig, entries);
        await proc.configure(reconciled);
    } else if (entries && Object.keys(entries).length) {
        throw new PolicyConfigError(`policy pack ${info.name} does not support configuration, but a policy config was given`);
    }
    const configureMs = performance.now() - tc;

    const levelOf = (policy: string): EnforcementLevel | undefined =>
        reconciled.get(policy)?.enforcementLevel ?? info.policies.find((p) => p.name === policy)?.enforcementLevel;
    const policyByName = new Map(info.policies.map((p) => [p.name, p]));
    const policies: PolicyDescriptor[] = info.policies.map((p) => ({
        name: p.name,
        displayName: p.displayName || undefined,
        description: p.description,
        kind: p.kind,
        defaultEnforcementLevel: p.enforcementLevel,
        enforcementLevel: levelOf(p.name) ?? p.enforcementLevel,
        severity: p.severity,
        remediationSteps: p.remediationSteps || undefined,
        url: p.url || undefined,
        tags: p.tags.length ? p.tags : undefined,
        framework: p.framework,
        config: reconciled.get(p.name)?.properties,
    }));

    // --- Resources ---------------------------------------------------------------------------------------
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const order = new Map(run.resources.map((r, i) => [r.urn, i]));
    const fallback = opts.fallbackLocation === null ? undefined : (opts.fallbackLocation ?? defaultFallback(repoRoot));
    const inputs = run.resources.map((r) => toAnalyzerResource(r, run, byUrn));
    const stackRoot = run.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const rootUrn = stackRoot?.urn ?? rootStackUrn(run.stack, run.project);

    const findings: PolicyFinding[] = [];
    const remediations: RemediationRecord[] = [];
    const makeFinding = (d: AnalyzerDiagnostic, kind: PolicyKind, urn: string): PolicyFinding => {
        const res = byUrn.get(urn);
        const parts = parseUrn(urn);
        const configured = levelOf(d.policyName) ?? d.enforcementLevel;
        const unknownValue = parseUnknownDowngrade(d.message);
        const mandatoryConfigured = configured === "mandatory" || configured === "remediate";
        const blocking =
            d.enforcementLevel === "mandatory" ||
            d.enforcementLevel === "remediate" ||
            (strict && unknownValue !== undefined && mandatoryConfigured);
        return {
            stack: run.stack,
            policyName: d.policyName,
            policyPackName: d.policyPackName,
            policyPackVersion: proc.project.version ?? d.policyPackVersion,
            description: d.description,
            message: d.message,
            enforcementLevel: d.enforcementLevel,
            configuredEnforcementLevel: configured,
            severity: d.severity ?? policyByName.get(d.policyName)?.severity,
            kind,
            urn,
            resourceType: res?.type ?? parts?.type ?? "",
            resourceName: res?.name ?? parts?.name ?? "",
            unknownValue,
            blocking,
            location: locateResource(urn, byUrn, repoRoot, fallback),
        };
    };

    const remediating = policies.some((p) => p.kind !== "stack" && p.enforcementLevel === "remediate");
    const ta = performance.now();
    let analyzeCalls = 0;
    const perResource = await mapLimit(inputs, opts.concurrency ?? 8, async (input) => {
        const out: { findings: PolicyFinding[]; remediations: RemediationRecord[] } = { findings: [], remediations: [] };
        if (remediating) {
            for (const rem of await proc.remediate(input)) {
                const record: RemediationRecord = {
                    stack: run.stack,
                    policyName: rem.policyName,
                    policyPackName: rem.policyPackName,
                    policyPackVersion: proc.project.version ?? rem.policyPackVersion,
                    description: rem.description,
                    urn: input.urn,
                    resourceType: input.type,
                    resourceName: input.name,
                    diagnostic: rem.diagnostic || undefined,
                    changedProperties: [],
                };
                if (rem.diagnostic) {
                    // The engine reports a remediation that could not run as an advisory violation.
                    out.findings.push(
                        makeFinding(
                            {
                                policyName: rem.policyName,
                                policyPackName: rem.policyPackName,
                                policyPackVersion: rem.policyPackVersion,
                                description: rem.description,
                                message: rem.diagnostic,
                                enforcementLevel: "advisory",
                                urn: input.urn,
                            },
                            "resource",
                            input.urn,
                        ),
                    );
                } else if (rem.properties) {
                    record.changedProperties = changedKeys(input.properties, rem.properties);
                    input.properties = rem.properties;
                }
                out.remediations.push(record);
            }
        }
        analyzeCalls++;
        const res = await proc.analyze(input);
        for (const d of res.diagnostics) {
            out.findings.push(makeFinding(d, "resource", input.urn));
        }
        return out;
    });
    const analyzeMs = performance.now() - ta;
    for (const r of perResource) {
        findings.push(...r.findings);
        remediations.push(...r.remediations);
    }

    const ts = performance.now();
    const stackResult = await proc.analyzeStack(inputs);
    const analyzeStackMs = performance.now() - ts;
    const stackFindings = stackResult.diagnostics.map((d) =>
        makeFinding(d, "stack", d.urn && byUrn.has(d.urn) ? d.urn : rootUrn),
    );
    stackFindings.sort((a, b) => (order.get(a.urn) ?? -1) - (order.get(b.urn) ?? -1) || a.policyName.localeCompare(b.policyName));
    findings.push(...stackFindings);

    const summary = {
        resources: run.resources.length,
        mandatory: findings.filter((f) => f.enforcementLevel === "mandatory" || f.enforcementLevel === "remediate").length,
        advisory: findings.filter((f) => f.enforcementLevel === "advisory").length,
        unknownDowngrades: findings.filter((f) => f.unknownValue).length,
        mandatoryUnknownDowngrades: findings.filter(
            (f) => f.unknownValue && (f.configuredEnforcementLevel === "mandatory" || f.configuredEnforcementLevel === "remediate"),
        ).length,
        remediations: remediations.filter((r) => r.changedProperties.length > 0).length,
        blocking: findings.filter((f) => f.blocking).length,
    };

    return {
        stack: run.stack,
        project: run.project,
        preview: run.preview,
        strict,
        pack: {
            name: info.name,
            displayName: info.displayName || undefined,
            version: info.version,
            description: info.description || undefined,
            policies,
        },
        policyConfigFile: configFile ? toRel(repoRoot, configFile) ?? configFile : undefined,
        findings,
        remediations,
        summary,
        packLogs: proc.logs.slice(logStart),
        timings: {
            packStartMs: proc.startupMs,
            configureMs,
            analyzeMs,
            analyzeCalls,
            analyzeStackMs,
            totalMs: performance.now() - t0,
        },
    };
}

/**
 * Checks several stacks: given a pack directory, each stack gets its own pack process (started in parallel),
 * as separate previews would; given a running process, the stacks go through it one after another.
 */
export async function checkStackRuns(runs: StackRun[], opts: CheckOptions = {}): Promise<PolicyCheckResult> {
    let reports: StackPolicyReport[];
    if (opts.pack instanceof PolicyPackProcess) {
        // One process holds one configuration at a time: go stack by stack.
        reports = [];
        for (const run of runs) {
            reports.push(await checkStackRun(run, opts));
        }
    } else {
        // allSettled: never leave a pack process behind because another stack failed first.
        const settled = await Promise.allSettled(runs.map((run) => checkStackRun(run, opts)));
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
        if (failed) {
            throw failed.reason;
        }
        reports = settled.map((s) => (s as PromiseFulfilledResult<StackPolicyReport>).value);
    }
    return { reports, exitCode: exitCodeFor(reports) };
}
