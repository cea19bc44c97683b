/**
 * Policy pack configuration, handled the way the Pulumi engine handles `--policy-pack-config <file>`
 * (pkg/resource/analyzer/config.go): parse the file, start from each policy's declared enforcement level
 * and its schema defaults, apply the pack's initial config, then the file (an `all` entry sets every
 * policy's level first), and validate each policy's resulting properties against its config schema.
 *
 * One deliberate difference: a config entry naming a policy the pack does not have is an error here (the
 * engine ignores it silently, so a typo would quietly leave a rule on its default level).
 */
import * as fs from "node:fs";
import type { EnforcementLevel } from "./model";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface PolicyConfigEntry {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}

/** JSON schema of a policy's config, as GetAnalyzerInfo reports it. */
export interface PolicyConfigSchema {
    properties?: Record<string, unknown>;
    required?: string[];
}

export interface PolicyInfoForConfig {
    name: string;
    enforcementLevel: EnforcementLevel;
    configSchema?: PolicyConfigSchema;
}

/** A problem with the policy configuration: the CLI prints the message and exits 2. */
export class PolicyConfigError extends Error {
    constructor(message: string, readonly problems: string[] = []) {
        super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join("\n")}` : message);
        this.name = "PolicyConfigError";
    }
}

function isLevel(v: unknown): v is EnforcementLevel {
    return typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses the text of a `--policy-pack-config` file (engine's parsePolicyPackConfig). */
export function parsePolicyConfig(text: string, source = "policy config"): Record<string, PolicyConfigEntry> {
    if (text.trim() === "") {
        return {};
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new PolicyConfigError(`${source}: not valid JSON: ${(e as Error).message}`);
    }
    if (!isPlainObject(raw)) {
        throw new PolicyConfigError(`${source}: must be a JSON object of policy name -> level or settings`);
    }
    const problems: string[] = [];
    const result: Record<string, PolicyConfigEntry> = {};
    for (const [name, value] of Object.entries(raw)) {
        if (typeof value === "string") {
            if (!isLevel(value)) {
                problems.push(`${name}: "${value}" is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
                continue;
            }
            result[name] = { enforcementLevel: value };
        } else if (isPlainObject(value)) {
            const { enforcementLevel, ...properties } = value;
            const entry: PolicyConfigEntry = {};
            if (enforcementLevel !== undefined) {
                if (!isLevel(enforcementLevel)) {
                    problems.push(`${name}: enforcementLevel ${JSON.stringify(enforcementLevel)} is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
                    continue;
                }
                entry.enforcementLevel = enforcementLevel;
            }
            if (Object.keys(properties).length > 0) {
                entry.properties = properties;
            }
            if (entry.enforcementLevel !== undefined || entry.properties !== undefined) {
                result[name] = entry;
            }
        } else {
            problems.push(`${name}: ${JSON.stringify(value)} is not a valid value; must be a string or object`);
        }
    }
    if (problems.length) {
        throw new PolicyConfigError(`${source} is invalid:`, problems);
    }
    return result;
}

export function loadPolicyConfigFile(file: string): Record<string, PolicyConfigEntry> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PolicyConfigError(`cannot read policy config ${file}: ${(e as Error).message}`);
    }
    return parsePolicyConfig(text, file);
}

function applyConfig(
    result: Map<string, PolicyConfigEntry>,
    toApply: Record<string, PolicyConfigEntry>,
): void {
    const all = toApply.all;
    if (all?.enforcementLevel) {
        for (const [k, v] of result) {
            result.set(k, { enforcementLevel: all.enforcementLevel, properties: v.properties });
        }
    }
    for (const [policy, given] of Object.entries(toApply)) {
        const current = result.get(policy);
        let enforcementLevel = current?.enforcementLevel;
        let properties = current?.properties;
        if (given.enforcementLevel) {
            enforcementLevel = given.enforcementLevel;
        }
        if (given.properties && Object.keys(given.properties).length > 0) {
            properties = { ...(properties ?? {}), ...given.properties };
        }
        result.set(policy, { enforcementLevel, properties });
    }
}

/**
 * The engine's ReconcilePolicyPackConfig: defaults from the policies' metadata, then the pack's initial
 * config, then the given config; validated against each policy's schema. Returns the config to send with
 * `Configure` (every policy with its level in force; an `all` entry, if given, is passed through as the
 * engine does).
 */
export function reconcilePolicyConfig(
    policies: PolicyInfoForConfig[],
    initialConfig: Record<string, PolicyConfigEntry> | undefined,
    config: Record<string, PolicyConfigEntry> | undefined,
): Map<string, PolicyConfigEntry> {
    const known = new Set(policies.map((p) => p.name));
    const unknownNames = Object.keys(config ?? {}).filter((k) => k !== "all" && !known.has(k));
    if (unknownNames.length) {
        throw new PolicyConfigError(
            "policy config names policies the pack does not have:",
            unknownNames.map((n) => `${n} (the pack has: ${[...known].sort().join(", ")})`),
        );
    }

    const result = new Map<string, PolicyConfigEntry>();
    for (const p of policies) {
        let properties: Record<string, unknown> | undefined;
        for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
            if (isPlainObject(s) && Object.prototype.hasOwnProperty.call(s, "default")) {
                properties = properties ?? {};
                properties[k] = s.default;
            }
        }
        result.set(p.name, { enforcementLevel: p.enforcementLevel, properties });
    }
    if (initialConfig) {
        applyConfig(result, initialConfig);
    }
    if (config) {
        applyConfig(result, config);
    }

    const problems: string[] = [];
    for (const p of policies) {
        if (!p.configSchema) {
            continue;
        }
        const schema: Record<string, unknown> = { type: "object" };
        if (p.configSchema.properties && Object.keys(p.configSchema.properties).length) {
            schema.properties = p.configSchema.properties;
        }
        if (p.configSchema.required?.length) {
            schema.required = p.configSchema.required;
        }
        for (const e of validateJsonSchema(schema, result.get(p.name)?.properties ?? {})) {
            problems.push(`${p.name}: ${e}`);
        }
    }
    if (problems.length) {
        throw new PolicyConfigError("policy config does not match the pack's config schemas:", problems);
    }
    return result;
}

// ------------------------------------------------------------------------------------------------------
// A JSON Schema validator for the keywords policy config schemas use (draft-04..07 semantics, as the
// engine's gojsonschema): type, enum, const, properties, required, additionalProperties, items (schema or
// tuple), minItems, maxItems, uniqueItems, minimum, maximum, exclusiveMinimum/Maximum (number or draft-04
// boolean), multipleOf, minLength, maxLength, pattern, minProperties, maxProperties, allOf, anyOf, oneOf, not.
// Annotation keywords (title, description, default, examples, format, $comment) do not constrain.
// ------------------------------------------------------------------------------------------------------

function jsonType(v: unknown): string {
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "array";
    }
    if (typeof v === "number") {
        return Number.isInteger(v) ? "integer" : "number";
    }
    return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
    const actual = jsonType(v);
    return actual === t || (t === "number" && actual === "integer");
}

function deepEqual(a: unknown, b: unknown): boolean {
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(canonical);
    }
    if (isPlainObject(v)) {
        return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
    }
    return v;
}

const where = (path: string) => (path === "" ? "" : `${path}: `);

export function validateJsonSchema(schema: unknown, value: unknown, path = ""): string[] {
    if (schema === true || schema === undefined) {
        return [];
    }
    if (schema === false) {
        return [`${where(path)}no value is allowed here`];
    }
    if (!isPlainObject(schema)) {
        return [`${where(path)}config schema is not an object`];
    }
    const errors: string[] = [];
    const s = schema;

    if (s.type !== undefined) {
        const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
        if (!types.some((t) => typeMatches(value, t))) {
            errors.push(`${where(path)}invalid type. Expected: ${types.join(" or ")}, given: ${jsonType(value)}`);
            return errors;
        }
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value))) {
        errors.push(`${where(path)}must be one of the following: ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    }
    if (Object.prototype.hasOwnProperty.call(s, "const") && !deepEqual(s.const, value)) {
        errors.push(`${where(path)}does not match: ${JSON.stringify(s.const)}`);
    }

    if (typeof value === "number") {
        const min = s.minimum as number | undefined;
        const max = s.maximum as number | undefined;
        if (typeof min === "number" && (s.exclusiveMinimum === true ? value <= min : value < min)) {
            errors.push(`${where(path)}must be ${s.exclusiveMinimum === true ? "greater than" : "greater than or equal to"} ${min}`);
        }
        if (typeof max === "number" && (s.exclusiveMaximum === true ? value >= max : value > max)) {
            errors.push(`${where(path)}must be ${s.exclusiveMaximum === true ? "less than" : "less than or equal to"} ${max}`);
        }
        if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) {
            errors.push(`${where(path)}must be greater than ${s.exclusiveMinimum}`);
        }
        if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) {
            errors.push(`${where(path)}must be less than ${s.exclusiveMaximum}`);
        }
        if (typeof s.multipleOf === "number" && s.multipleOf > 0) {
            const q = value / s.multipleOf;
            if (Math.abs(q - Math.round(q)) > 1e-9) {
                errors.push(`${where(path)}must be a multiple of ${s.multipleOf}`);
            }
        }
    }

    if (typeof value === "string") {
        const len = [...value].length;
        if (typeof s.minLength === "number" && len < s.minLength) {
            errors.push(`${where(path)}string length must be greater than or equal to ${s.minLength}`);
        }
        if (typeof s.maxLength === "number" && len > s.maxLength) {
            errors.push(`${where(path)}string length must be less than or equal to ${s.maxLength}`);
        }
        if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value)) {
            errors.push(`${where(path)}does not match pattern '${s.pattern}'`);
        }
    }

    if (Array.isArray(value)) {
        if (typeof s.minItems === "number" && value.length < s.minItems) {
            errors.push(`${where(path)}array must have at least ${s.minItems} items`);
        }
        if (typeof s.maxItems === "number" && value.length > s.maxItems) {
            errors.push(`${where(path)}array must have at most ${s.maxItems} items`);
        }
        if (s.uniqueItems === true) {
            const seen = new Set<string>();
            for (const e of value) {
                const k = JSON.stringify(canonical(e));
                if (seen.has(k)) {
                    errors.push(`${where(path)}array items must be unique`);
                    break;
                }
                seen.add(k);
            }
        }
        if (Array.isArray(s.items)) {
            s.items.forEach((itemSchema, i) => {
                if (i < value.length) {
                    errors.push(...validateJsonSchema(itemSchema, value[i], `${path}.${i}`.replace(/^\./, "")));
                }
            });
            if (s.additionalItems !== undefined && value.length > s.items.length) {
                for (let i = s.items.length; i < value.length; i++) {
                    errors.push(...validateJsonSchema(s.additionalItems, value[i], `${path}.${i}`.replace(/^\./, "")));
                }
            }
        } else if (s.items !== undefined) {
            value.forEach((e, i) => errors.push(...validateJsonSchema(s.items, e, `${path}.${i}`.replace(/^\./, ""))));
        }
    }

    if (isPlainObject(value)) {
        const props = isPlainObject(s.properties) ? s.properties : {};
        if (Array.isArray(s.required)) {
            for (const r of s.required as string[]) {
                if (!Object.prototype.hasOwnProperty.call(value, r)) {
                    errors.push(`${where(path)}${r} is required`);
                }
            }
        }
        const n = Object.keys(value).length;
        if (typeof s.minProperties === "number" && n < s.minProperties) {
            errors.push(`${where(path)}must have at least ${s.minProperties} properties`);
        }
        if (typeof s.maxProperties === "number" && n > s.maxProperties) {
            errors.push(`${where(path)}must have at most ${s.maxProperties} properties`);
        }
        for (const [k, v] of Object.entries(value)) {
            const sub = path ? `${path}.${k}` : k;
            if (Object.prototype.hasOwnProperty.call(props, k)) {
                errors.push(...validateJsonSchema(props[k], v, sub));
            } else if (s.additionalProperties === false) {
                errors.push(`${where(path)}additional property ${k} is not allowed`);
            } else if (isPlainObject(s.additionalProperties)) {
                errors.push(...validateJsonSchema(s.additionalProperties, v, sub));
            }
        }
    }

    if (Array.isArray(s.allOf)) {
        for (const sub of s.allOf) {
            errors.push(...validateJsonSchema(sub, value, path));
        }
    }
    if (Array.isArray(s.anyOf) && !s.anyOf.some((sub) => validateJsonSchema(sub, value, path).length === 0)) {
        errors.push(`${where(path)}must validate at least one schema (anyOf)`);
    }
    if (Array.isArray(s.oneOf)) {
        const matching = s.oneOf.filter((sub) => validateJsonSchema(sub, value, path).length === 0).length;
        if (matching !== 1) {
            errors.push(`${where(path)}must validate one and only one schema (oneOf)`);
        }
    }
    if (s.not !== undefined && validateJsonSchema(s.not, value, path).length === 0) {
        errors.push(`${where(path)}must not validate the schema (not)`);
    }
    return errors;
}
