/**
 * Reads a stack's configuration the way the Pulumi CLI hands it to the program: the project's
 * declared defaults from `Pulumi.yaml`, overlaid with `Pulumi.<stack>.yaml`, every value as
 * text (arrays and objects JSON-encoded). Encrypted values cannot be decrypted offline; they are
 * reported rather than guessed.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import yaml from "js-yaml";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface StackConfig {
    project: string;
    /** Full key (`project:key` or `provider:key`) -> value as the CLI passes it (text). */
    values: Record<string, string>;
    secretKeys: string[];
}

interface ProjectFile {
    name: string;
    config?: Record<string, { type?: string; default?: unknown; description?: string; items?: unknown } | string | number | boolean>;
}

export function readProjectFile(root = REPO_ROOT): ProjectFile {
    return yaml.load(readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

function asText(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * @param overrides project-key -> value (any JSON value, or `{ secret: value }` to mark it secret),
 *   applied over the stack file; `undefined` removes a key.
 */
export function readStackConfig(stack: string, overrides: Record<string, unknown> = {}, root = REPO_ROOT): StackConfig {
    const project = readProjectFile(root);
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (decl !== null && typeof decl === "object") {
            if ("default" in decl && decl.default !== undefined) values[full] = asText(decl.default);
        } else {
            values[full] = asText(decl);
        }
    }
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!existsSync(file)) {
        throw new Error(`There is no Pulumi.${stack}.yaml: the stacks of this project are ${listStacks(root).join(", ")}`);
    }
    const stackFile = (yaml.load(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const encrypted: string[] = [];
    for (const [key, value] of Object.entries(stackFile.config ?? {})) {
        if (containsSecure(value)) {
            encrypted.push(key);
            continue;
        }
        values[key] = asText(value);
    }
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (value === undefined) {
            delete values[full];
        } else if (value !== null && typeof value === "object" && "secret" in value && Object.keys(value).length === 1) {
            values[full] = asText((value as { secret: unknown }).secret);
            secretKeys.push(full);
        } else {
            values[full] = asText(value);
        }
        const i = encrypted.indexOf(key);
        if (i >= 0) encrypted.splice(i, 1);
    }
    if (encrypted.length > 0) {
        throw new Error(
            `Pulumi.${stack}.yaml holds encrypted values (${encrypted.join(", ")}) that cannot be decrypted offline. ` +
                `Keep public material such as CA certificates as plain values, or pass the value as an override in tests.`,
        );
    }
    return { project: project.name, values, secretKeys };
}

function containsSecure(v: unknown): boolean {
    if (Array.isArray(v)) return v.some(containsSecure);
    if (v !== null && typeof v === "object") {
        return "secure" in v || Object.values(v).some(containsSecure);
    }
    return false;
}

export function listStacks(root = REPO_ROOT): string[] {
    return readdirSync(root)
        .map((f: string) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}
