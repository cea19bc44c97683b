/**
 * Builders for the pack's policies. Every rule carries its baseline id in its name (`iot-01-...`)
 * and description (`IOT-01: ...`), remediation steps, a severity and a default enforcement level;
 * rules with a choice carry a config schema whose `default`s are also the values used when the
 * engine sends no configuration.
 */
import type {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { GENERIC_ARM_TYPES, resolveKind, typedProps, unresolvedGenericInput, type ResolvedKind, type TokenKind } from "./tokens";
import { needValue } from "./unknowns";
import { arr, bool, isObj, num, str } from "./values";

/** Config property schemas with a default each (the default is what a rule uses without config). */
export type ConfigProps = Record<string, PolicyConfigJSONSchema & { default: unknown; description: string }>;

export interface RuleMeta {
    /** Baseline id, e.g. `IOT-01`. */
    id: string;
    /** Policy name; must start with the lower-cased id, e.g. `iot-01-hub-min-tls-12`. */
    name: string;
    /** What the rule checks and why, for a reviewer (the id is prefixed automatically). */
    description: string;
    remediationSteps: string;
    severity: Severity;
    /** Default enforcement level (per-stack config files override it). Mandatory unless stated. */
    enforcementLevel?: EnforcementLevel;
    /** Anchors from the baseline (Azure Policy, PSRule, Checkov, ...), shown in the README. */
    anchors?: string;
}

export interface ResourceRuleContext<C> {
    args: ResourceValidationArgs;
    /** The resource's kind, whether it is the generic ARM resource, and its API version. */
    resolved: ResolvedKind | undefined;
    config: C;
    /** Reports a violation; the message is prefixed with the rule's baseline id. */
    report: (message: string) => void;
}

export interface StackRuleContext<C> {
    args: StackValidationArgs;
    resources: PolicyResource[];
    config: C;
    report: (message: string, urn?: string) => void;
}

/** Policy plus the metadata the README and the tests read. */
export type PackResourcePolicy = ResourceValidationPolicy & { baselineId: string; anchors: string; appliesTo: readonly TokenKind[] | "azure-native" };
export type PackStackPolicy = StackValidationPolicy & { baselineId: string; anchors: string };
export type PackPolicy = PackResourcePolicy | PackStackPolicy;

function schemaOf(props: ConfigProps | undefined): PolicyConfigSchema | undefined {
    if (props === undefined || Object.keys(props).length === 0) return undefined;
    return { properties: props };
}

/**
 * Reads the policy's config and coerces every property to the type of its schema; missing or
 * ill-typed values fall back to the schema default. Never throws.
 */
export function readConfig<C>(raw: unknown, props: ConfigProps | undefined): C {
    const out: Record<string, unknown> = {};
    const given = isObj(raw) ? raw : {};
    for (const [key, schema] of Object.entries(props ?? {})) {
        out[key] = coerce(given[key], schema);
    }
    return out as C;
}

function coerce(v: unknown, schema: PolicyConfigJSONSchema & { default: unknown }): unknown {
    const d = schema.default;
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
        case "boolean":
            return bool(v) ?? d;
        case "integer":
        case "number": {
            const n = num(v);
            if (n === undefined) return d;
            return type === "integer" ? Math.trunc(n) : n;
        }
        case "string": {
            const s = str(v);
            if (s === undefined) return d;
            if (Array.isArray(schema.enum) && !schema.enum.includes(s)) return d;
            return s;
        }
        case "array": {
            if (!Array.isArray(v)) return d;
            return arr<unknown>(v).map((e) => str(e)).filter((e): e is string => e !== undefined);
        }
        case "object": {
            if (!isObj(v)) return d;
            const o: Record<string, string> = {};
            for (const [k, val] of Object.entries(v)) {
                const s = str(val);
                if (s !== undefined) o[k] = s;
            }
            return o;
        }
        default:
            return v === undefined ? d : v;
    }
}

function checkMeta(meta: RuleMeta): void {
    const prefix = meta.id.toLowerCase() + "-";
    if (!meta.name.startsWith(prefix)) {
        throw new Error(`policy name ${meta.name} must start with its baseline id (${prefix})`);
    }
}

/**
 * A resource rule over the given resource kinds: v3 tokens, v2 aliases, and the generic ARM
 * resource of the kind's ARM type (`lib/tokens.ts` `resolveKind`). `validate` receives the
 * resource's inputs as sent by the program (`args.props`, proxied by CrossGuard), in the typed
 * class's shape (`typedProps`). A generic resource whose ARM type is unknown at preview makes the
 * rule read it, so CrossGuard reports that the rule could not run instead of skipping it.
 */
export function resourceRule<C = Record<string, never>>(
    meta: RuleMeta & {
        /** Resource kinds (v3 token + v2 alias), or every azure-native resource. */
        kinds: readonly TokenKind[] | "azure-native";
        config?: ConfigProps;
        validate: (props: Record<string, unknown>, ctx: ResourceRuleContext<C>) => void;
    },
): PackResourcePolicy {
    checkMeta(meta);
    const validateResource = (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
        const raw: Record<string, unknown> = isObj(args.props) ? args.props : {};
        const resolved = resolveKind(args.type, raw);
        if (meta.kinds === "azure-native") {
            if (typeof args.type !== "string" || !args.type.startsWith("azure-native:")) return;
        } else if (resolved === undefined || !meta.kinds.includes(resolved.kind)) {
            // A rule over a kind the generic resource can stand for waits for its unknown ARM type.
            const couldBeGeneric = meta.kinds.some((k) => k in GENERIC_ARM_TYPES);
            const unknownInput = resolved === undefined && couldBeGeneric ? unresolvedGenericInput(args.type, raw) : undefined;
            if (unknownInput !== undefined) needValue(raw, unknownInput); // throws CrossGuard's UnknownValueError
            return;
        }
        const config = readConfig<C>(args.getConfig<object>(), meta.config);
        const props = resolved === undefined ? raw : typedProps(resolved, raw);
        meta.validate(props, {
            args,
            resolved,
            config,
            report: (message) => reportViolation(`${meta.id}: ${message}`),
        });
    };
    const policy: PackResourcePolicy = {
        name: meta.name,
        description: `${meta.id}: ${meta.description}`,
        enforcementLevel: meta.enforcementLevel ?? "mandatory",
        severity: meta.severity,
        remediationSteps: meta.remediationSteps,
        tags: ["baseline", meta.id],
        validateResource,
        baselineId: meta.id,
        anchors: meta.anchors ?? "",
        appliesTo: meta.kinds,
    };
    const schema = schemaOf(meta.config);
    if (schema) policy.configSchema = schema;
    return policy;
}

/** A stack rule: sees every resource with its `propertyDependencies`, `dependencies` and options. */
export function stackRule<C = Record<string, never>>(
    meta: RuleMeta & {
        config?: ConfigProps;
        validate: (ctx: StackRuleContext<C>) => void;
    },
): PackStackPolicy {
    checkMeta(meta);
    const validateStack = (args: StackValidationArgs, reportViolation: ReportViolation): void => {
        const config = readConfig<C>(args.getConfig<object>(), meta.config);
        const resources = arr<PolicyResource>(args.resources).filter((r) => isObj(r));
        meta.validate({
            args,
            resources,
            config,
            report: (message, urn) => reportViolation(`${meta.id}: ${message}`, urn),
        });
    };
    const policy: PackStackPolicy = {
        name: meta.name,
        description: `${meta.id}: ${meta.description}`,
        enforcementLevel: meta.enforcementLevel ?? "mandatory",
        severity: meta.severity,
        remediationSteps: meta.remediationSteps,
        tags: ["baseline", meta.id],
        validateStack,
        baselineId: meta.id,
        anchors: meta.anchors ?? "",
    };
    const schema = schemaOf(meta.config);
    if (schema) policy.configSchema = schema;
    return policy;
}
