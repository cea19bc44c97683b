/**
 * Runs the pack's policies the way @pulumi/policy's analyzer server does, without gRPC:
 *
 * - props are converted to the wire form the engine sends (JSON, `undefined` dropped, values
 *   unknown at preview as the UNKNOWN sentinel) and wrapped in CrossGuard's own
 *   `unknownCheckingProxy`;
 * - an `UnknownValueError` thrown by a rule becomes a "can't run during preview" finding (advisory
 *   in CrossGuard), any other exception fails the test;
 * - stack rules get PolicyResource objects with `propertyDependencies`, `dependencies`, `parent`
 *   and `opts` linked by URN, exactly like the server builds them.
 */
import type {
    EnforcementLevel,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import type { PackPolicy, PackResourcePolicy, PackStackPolicy } from "../lib/define";
import { UNKNOWN } from "../lib/unknowns";

// CrossGuard's own proxy module: the same file @pulumi/policy's analyzer server uses (its .d.ts
// declares no exports, hence the cast). Loading it directly avoids loading @pulumi/pulumi in tests.
const runtime = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy: <T>(x: T) => T;
    UnknownValueError: new (...args: never[]) => Error;
};

/** CrossGuard's proxy: reading an unknown value through it throws its UnknownValueError. */
export const unknownCheckingProxy = runtime.unknownCheckingProxy;
export const UnknownValueError = runtime.UnknownValueError;

export { UNKNOWN };

/** A value unknown at preview, typed as whatever the args field expects. */
export function unknown<T>(): T {
    return UNKNOWN as unknown as T;
}

export interface Finding {
    policy: string;
    message: string;
    urn?: string;
}

export interface RunResult {
    violations: Finding[];
    /** Rules CrossGuard could not run because a value was unknown (reported as advisory). */
    cannotRun: Finding[];
}

/** Wire form: JSON-like, `undefined` dropped, functions dropped. */
export function toWire(x: unknown, depth = 0): unknown {
    if (depth > 64) return null;
    if (x === null || typeof x === "string" || typeof x === "boolean") return x;
    if (typeof x === "number") return Number.isFinite(x) ? x : null;
    if (Array.isArray(x)) return x.map((e) => (e === undefined ? null : toWire(e, depth + 1)));
    if (typeof x === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
            if (v === undefined || typeof v === "function") continue;
            out[k] = toWire(v, depth + 1);
        }
        return out;
    }
    return null;
}

export function urnOf(type: string, name: string, stack = "dev"): string {
    return `urn:pulumi:${stack}::secure-iot-platform::${type}::${name}`;
}

function defaultOpts(protect = false, parent?: string): PolicyResourceOptions {
    const o: PolicyResourceOptions = {
        protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    if (parent !== undefined) o.parent = parent;
    return o;
}

function isUnknownError(e: unknown): boolean {
    return e instanceof runtime.UnknownValueError;
}

function cfgOf(config: unknown): () => never {
    return (() => (config ?? {})) as () => never;
}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}
class NotApplicable extends Error {}

export interface ResourceInput {
    type: string;
    name: string;
    props: unknown;
    urn?: string;
    protect?: boolean;
}

export function runResource(policy: PackResourcePolicy, input: ResourceInput, config?: unknown): RunResult {
    const result: RunResult = { violations: [], cannotRun: [] };
    const validations = policy.validateResource === undefined
        ? []
        : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) {
        const props = runtime.unknownCheckingProxy((toWire(input.props) ?? {}) as Record<string, unknown>);
        const urn = input.urn ?? urnOf(input.type, input.name);
        const args: ResourceValidationArgs = {
            type: input.type,
            props,
            urn,
            name: input.name,
            opts: defaultOpts(input.protect),
            stackTags: new Map(),
            isType: () => false,
            asType: () => undefined,
            getConfig: cfgOf(config),
            notApplicable,
        };
        try {
            void validate(args, (message, u) => result.violations.push({ policy: policy.name, message, urn: u ?? urn }));
        } catch (e) {
            if (isUnknownError(e)) result.cannotRun.push({ policy: policy.name, message: (e as Error).message, urn });
            else if (!(e instanceof NotApplicable)) throw e;
        }
    }
    return result;
}

export interface StackInput {
    type: string;
    name: string;
    props: unknown;
    urn?: string;
    protect?: boolean;
    /** Parent, by name or URN. */
    parent?: string;
    /** Input property -> resources (names or URNs) the value came from. */
    propertyDependencies?: Record<string, string[]>;
    dependencies?: string[];
}

export function buildStack(inputs: readonly StackInput[]): PolicyResource[] {
    const urnByName = new Map<string, string>();
    for (const i of inputs) urnByName.set(i.name, i.urn ?? urnOf(i.type, i.name));
    const resolve = (ref: string): string => urnByName.get(ref) ?? ref;
    const resources = inputs.map((i) => {
        const props = runtime.unknownCheckingProxy((toWire(i.props) ?? {}) as Record<string, unknown>);
        const r: PolicyResource = {
            type: i.type,
            props,
            urn: resolve(i.name),
            name: i.name,
            opts: defaultOpts(i.protect, i.parent !== undefined ? resolve(i.parent) : undefined),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
        return r;
    });
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    inputs.forEach((i, idx) => {
        const r = resources[idx];
        if (i.parent !== undefined) {
            const p = byUrn.get(resolve(i.parent));
            if (p) r.parent = p;
        }
        const deps = new Set<string>(i.dependencies ?? []);
        for (const [k, refs] of Object.entries(i.propertyDependencies ?? {})) {
            r.propertyDependencies[k] = refs
                .map((ref) => byUrn.get(resolve(ref)))
                .filter((d): d is PolicyResource => d !== undefined);
            refs.forEach((ref) => deps.add(ref));
        }
        r.dependencies = [...deps]
            .map((ref) => byUrn.get(resolve(ref)))
            .filter((d): d is PolicyResource => d !== undefined);
    });
    return resources;
}

export function runStack(policy: PackStackPolicy, inputs: readonly StackInput[] | PolicyResource[], config?: unknown): RunResult {
    const result: RunResult = { violations: [], cannotRun: [] };
    const built = inputs.length > 0 && "isType" in inputs[0] ? (inputs as PolicyResource[]) : buildStack(inputs as StackInput[]);
    const args: StackValidationArgs = {
        resources: built,
        stackTags: new Map(),
        getConfig: cfgOf(config),
        notApplicable,
    };
    try {
        void policy.validateStack(args, (message, urn) => {
            const f: Finding = { policy: policy.name, message };
            if (urn !== undefined) f.urn = urn;
            result.violations.push(f);
        });
    } catch (e) {
        if (isUnknownError(e)) result.cannotRun.push({ policy: policy.name, message: (e as Error).message });
        else if (!(e instanceof NotApplicable)) throw e;
    }
    return result;
}

export function isStackPolicy(p: PackPolicy): p is PackStackPolicy {
    return "validateStack" in p && typeof p.validateStack === "function";
}

/** A pack config file's entry for one policy: its config properties and enforcement level. */
export function configFor(file: Record<string, unknown> | undefined, policy: string): {
    config: Record<string, unknown>;
    level: EnforcementLevel | undefined;
} {
    const entry = file?.[policy] ?? file?.["all"];
    if (typeof entry === "string") return { config: {}, level: entry as EnforcementLevel };
    if (entry && typeof entry === "object") {
        const { enforcementLevel, ...rest } = entry as Record<string, unknown>;
        return { config: rest, level: enforcementLevel as EnforcementLevel | undefined };
    }
    return { config: {}, level: undefined };
}

export interface PackFinding extends Finding {
    level: EnforcementLevel;
    kind: "violation" | "cannot-run";
}

/**
 * Runs every policy over a whole stack, like `pulumi preview --policy-pack`: resource policies on
 * each resource's inputs, stack policies once. Returns findings with their effective level.
 */
export function runPack(policies: readonly PackPolicy[], inputs: readonly StackInput[], configFile?: Record<string, unknown>): PackFinding[] {
    const out: PackFinding[] = [];
    for (const p of policies) {
        const { config, level } = configFor(configFile, p.name);
        const effective: EnforcementLevel = level ?? p.enforcementLevel ?? "advisory";
        if (effective === "disabled") continue;
        const results: RunResult[] = isStackPolicy(p)
            ? [runStack(p, inputs, config)]
            : inputs.map((i) => runResource(p, i, config));
        for (const r of results) {
            for (const v of r.violations) out.push({ ...v, level: effective, kind: "violation" });
            for (const c of r.cannotRun) out.push({ ...c, level: "advisory", kind: "cannot-run" });
        }
    }
    return out;
}
