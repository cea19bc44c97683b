/**
 * Turns a captured resource's inputs (the wire form the language SDK sent to the engine) into the property
 * values the Pulumi engine sends to an analyzer.
 *
 * The engine unmarshals the SDK's RegisterResource object (keeping unknowns, secrets, resource references and
 * output values) and, for `Analyze`/`AnalyzeStack`, marshals it again with
 * `MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true}` (sdk/go/common/resource/plugin/
 * analyzer_plugin.go). So, towards the analyzer:
 *  - unknowns stay the unknown sentinel (the policy SDK's unknown-checking proxy recognises it and turns a read
 *    into "can't run policy ... during preview", advisory);
 *  - secrets stay `{ [SIG_KEY]: SECRET_SIG, value }` objects (the policy SDK unwraps them, so policies see the
 *    plain value);
 *  - keys starting with `__` are dropped, at every object level;
 *  - resource references (KeepResources off) become the referenced resource's id (custom) or URN (component),
 *    an unknown id staying unknown;
 *  - output values (KeepOutputValues off) become their value, unknown when they have none, secret-wrapped
 *    when secret;
 *  - assets and archives pass through.
 */
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../offline/types";

export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
export const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

export class WireFormatError extends Error {}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function secret(value: unknown): Record<string, unknown> {
    return { [SIG_KEY]: SECRET_SIG, value: value === undefined ? null : value };
}

/** Converts one wire value to the form the engine marshals for analyzers; undefined means "omit". */
export function toAnalyzerValue(v: unknown, path = ""): unknown {
    if (v === undefined) {
        return undefined;
    }
    if (v === null || typeof v === "boolean" || typeof v === "string") {
        return v;
    }
    if (typeof v === "number") {
        if (!Number.isFinite(v)) {
            throw new WireFormatError(`${path || "value"}: ${v} cannot be sent as a protobuf number`);
        }
        return v;
    }
    if (Array.isArray(v)) {
        // The engine keeps array positions; an element it would omit (undefined) becomes null.
        return v.map((e, i) => {
            const c = toAnalyzerValue(e, `${path}[${i}]`);
            return c === undefined ? null : c;
        });
    }
    if (!isPlainObject(v)) {
        throw new WireFormatError(`${path || "value"}: unexpected ${typeof v} in wire-form inputs`);
    }
    const sig = v[SIG_KEY];
    if (sig !== undefined) {
        switch (sig) {
            case SECRET_SIG:
                return secret(toAnalyzerValue(v.value, path));
            case OUTPUT_VALUE_SIG: {
                const known = Object.prototype.hasOwnProperty.call(v, "value");
                const inner = known ? toAnalyzerValue(v.value, path) : UNKNOWN;
                return v.secret === true ? secret(inner) : inner;
            }
            case RESOURCE_REF_SIG: {
                if (Object.prototype.hasOwnProperty.call(v, "id")) {
                    const id = v.id;
                    return id === "" || id === UNKNOWN || id === undefined || id === null ? UNKNOWN : toAnalyzerValue(id, path);
                }
                return typeof v.urn === "string" ? v.urn : UNKNOWN;
            }
            case ASSET_SIG:
            case ARCHIVE_SIG: {
                const out: Record<string, unknown> = {};
                for (const [k, e] of Object.entries(v)) {
                    const c = k === SIG_KEY ? e : toAnalyzerValue(e, `${path}.${k}`);
                    if (c !== undefined) {
                        out[k] = c;
                    }
                }
                return out;
            }
            default:
                throw new WireFormatError(`${path || "value"}: unrecognized signature ${JSON.stringify(sig)} in wire-form inputs`);
        }
    }
    return toAnalyzerProperties(v, path);
}

/** Converts a property map (object level): drops internal `__` keys and omitted values. */
export function toAnalyzerProperties(props: Record<string, unknown>, path = ""): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(props).sort()) {
        if (key.startsWith("__")) {
            continue;
        }
        const c = toAnalyzerValue(props[key], path ? `${path}.${key}` : key);
        if (c !== undefined) {
            out[key] = c;
        }
    }
    return out;
}

/** Parts of a URN: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export interface UrnParts {
    stack: string;
    project: string;
    /** Parent types joined by `$`, then the resource's own type. */
    qualifiedType: string;
    type: string;
    name: string;
}

export function parseUrn(urn: string): UrnParts | undefined {
    if (!urn.startsWith("urn:pulumi:")) {
        return undefined;
    }
    const parts = urn.slice("urn:pulumi:".length).split("::");
    if (parts.length < 4) {
        return undefined;
    }
    const [stack, project, qualifiedType] = parts;
    const name = parts.slice(3).join("::");
    const types = qualifiedType.split("$");
    return { stack, project, qualifiedType, type: types[types.length - 1], name };
}

/** The engine's `resource.CreateURN`. */
export function createUrn(name: string, type: string, parent: string, project: string, stack: string): string {
    if (parent) {
        const p = parseUrn(parent);
        if (p) {
            return `urn:pulumi:${stack}::${project}::${p.qualifiedType}$${type}::${name}`;
        }
    }
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

export function rootStackUrn(stack: string, project: string): string {
    return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}

function str(o: Record<string, unknown>, ...keys: string[]): string {
    for (const k of keys) {
        const v = o[k];
        if (typeof v === "string" && v !== "") {
            return v;
        }
    }
    return "";
}

/**
 * Turns one alias as the SDK sent it into the URN the engine passes to analyzers (`Alias.GetURN()` after
 * `collapseAliasToUrn`). Accepts a URN string, `{ urn }`, `{ spec: {...} }` or a bare spec, with the field
 * spellings of the protobuf object form (`parenturn`, `noparent`) or of JSON (`parentUrn`, `noParent`).
 */
export function aliasToUrn(
    alias: unknown,
    self: { name: string; type: string; parent: string },
    stack: string,
    project: string,
): string | undefined {
    if (typeof alias === "string") {
        return alias || undefined;
    }
    if (!isPlainObject(alias)) {
        return undefined;
    }
    const urn = str(alias, "urn");
    if (urn) {
        return urn;
    }
    const spec = isPlainObject(alias.spec) ? alias.spec : alias;
    const name = str(spec, "name") || self.name;
    const type = str(spec, "type") || self.type;
    const aliasStack = str(spec, "stack") || stack;
    const aliasProject = str(spec, "project") || project;
    const noParent = spec.noParent === true || spec.noparent === true;
    let parent = noParent ? "" : str(spec, "parentUrn", "parenturn") || self.parent;
    if (parent && parseUrn(parent)?.type === "pulumi:pulumi:Stack") {
        parent = "";
    }
    return createUrn(name, type, parent, aliasProject, aliasStack);
}

/** Splits a provider reference `<provider urn>::<provider id>` into its URN. */
export function providerRefUrn(ref: string): string | undefined {
    if (!ref) {
        return undefined;
    }
    const i = ref.lastIndexOf("::");
    if (i <= 0) {
        return undefined;
    }
    const urn = ref.slice(0, i);
    return parseUrn(urn) ? urn : undefined;
}
