/**
 * Configuration of the bootstrap project, validated once at the edge into a typed object.
 * Every problem is reported at once, each naming the key and the fix, before any resource is
 * registered. `bootstrap/Pulumi.yaml` declares the same keys (a test keeps the two in step).
 */
import { decodeConfigText } from "../config/decode";
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

export const PROJECT = "secure-iot-bootstrap";

/** Declared keys and their kinds, as `bootstrap/Pulumi.yaml` declares them. */
export const BOOTSTRAP_CONFIG_KEYS = {
    githubRepository: "string",
    location: "string",
    namePrefix: "string",
    nameSuffix: "string",
    stacks: "array",
    stateContainerName: "string",
    stateStorageSku: "string",
    stateSoftDeleteDays: "integer",
    keyVaultSoftDeleteDays: "integer",
    allowedIpRanges: "array",
    stateUsers: "array",
    driftBranch: "string",
    grantGraphAdminConsent: "boolean",
} as const;
export type BootstrapConfigKey = keyof typeof BOOTSTRAP_CONFIG_KEYS;

/** Defaults, identical to the ones `bootstrap/Pulumi.yaml` declares. */
export const BOOTSTRAP_DEFAULTS: Partial<Record<BootstrapConfigKey, unknown>> = {
    location: "westeurope",
    namePrefix: "iot",
    nameSuffix: "",
    stateContainerName: "pulumi-state",
    stateStorageSku: "Standard_ZRS",
    stateSoftDeleteDays: 30,
    keyVaultSoftDeleteDays: 90,
    allowedIpRanges: [],
    stateUsers: [],
    driftBranch: "main",
    grantGraphAdminConsent: false,
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** GitHub owner (1-39 chars, alphanumerics and single hyphens) / repository (1-100 chars of [A-Za-z0-9._-]). */
const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
/** A stack name is also the GitHub environment name in the federated subject. */
const STACK_NAME = /^[a-z][a-z0-9-]{0,19}$/;
/** Resource group names: 1-90 of letters, digits, `._-()`, not ending in a period. */
const RESOURCE_GROUP = /^[-\w._()]{0,89}[-\w_()]$/;
const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\/(3[0-2]|[12]?\d))?$/;
const STORAGE_SKUS = ["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"] as const;

export interface StackTarget {
    /** Pulumi stack name, also the GitHub environment the deploy job of that stack runs in. */
    name: string;
    /** Resource group the stack deploys into; bootstrap creates it so CI roles can be scoped to it. */
    resourceGroupName: string;
}

export interface StatePrincipal {
    principalType: "User" | "Group";
    objectId: string;
}

export interface BootstrapConfig {
    /** `owner/repo` of the GitHub repository whose workflows may sign in. */
    githubRepository: string;
    location: string;
    namePrefix: string;
    /** Suffix that makes the storage account and Key Vault names globally unique. */
    nameSuffix: string;
    stacks: StackTarget[];
    stateContainerName: string;
    stateStorageSku: (typeof STORAGE_SKUS)[number];
    stateSoftDeleteDays: number;
    keyVaultSoftDeleteDays: number;
    allowedIpRanges: string[];
    stateUsers: StatePrincipal[];
    driftBranch: string;
    grantGraphAdminConsent: boolean;
}

export class BootstrapConfigError extends Error {
    constructor(public readonly problems: { key: string; message: string }[]) {
        super(
            `Invalid configuration for ${PROJECT} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${PROJECT}:${p.key}: ${p.message}`).join("\n"),
        );
        this.name = "BootstrapConfigError";
    }
}

/** Stable 6-hex suffix from the repository and prefix: known at preview, same on every run. */
export function deriveSuffix(githubRepository: string, namePrefix: string): string {
    return createHash("sha256").update(`${githubRepository.toLowerCase()}/${namePrefix}`).digest("hex").slice(0, 6);
}

const shape = {
    githubRepository: z
        .string({ error: "set it to the repository as owner/repo, e.g. contoso/secure-iot-platform" })
        .regex(GITHUB_REPOSITORY, "must be owner/repo as GitHub spells it, e.g. contoso/secure-iot-platform"),
    location: z.string().regex(/^[a-z][a-z0-9]{2,30}$/, "must be an Azure region name such as westeurope (lower case, no spaces)"),
    namePrefix: z
        .string()
        .regex(/^[a-z][a-z0-9]{1,7}$/, "must be 2-8 lower-case letters or digits starting with a letter (it goes into the storage account and Key Vault names)"),
    nameSuffix: z
        .string()
        .regex(/^([a-z0-9]{3,6})?$/, "must be empty (derived from the repository) or 3-6 lower-case letters or digits"),
    stacks: z
        .array(z.string({ error: "each entry must be a string stack=resourceGroupName" }), { error: "must be a list of stack=resourceGroupName entries" })
        .min(1, "list at least one stack as stack=resourceGroupName, e.g. dev=rg-iot-dev-1a2b3c"),
    stateContainerName: z
        .string()
        .regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "must be 3-63 lower-case letters, digits or single hyphens, starting and ending with a letter or digit"),
    stateStorageSku: z.enum(STORAGE_SKUS, { error: `must be one of ${STORAGE_SKUS.join(", ")} (Premium and Standard_LRS-only features are not needed for state)` }),
    stateSoftDeleteDays: z.number({ error: "must be a whole number of days" }).int("must be a whole number of days").min(7, "keep deleted state for at least 7 days").max(365, "blob soft delete keeps at most 365 days"),
    keyVaultSoftDeleteDays: z.number({ error: "must be a whole number of days" }).int("must be a whole number of days").min(7, "Key Vault soft delete keeps 7-90 days").max(90, "Key Vault soft delete keeps 7-90 days"),
    allowedIpRanges: z.array(z.string().regex(IPV4_CIDR, "each entry must be an IPv4 address or CIDR range such as 203.0.113.0/24")),
    stateUsers: z.array(
        z.string().regex(
            new RegExp(`^(User|Group):${GUID.source.slice(1, -1)}$`, "i"),
            "each entry must be User:<object id> or Group:<object id> (find a group's id with `az ad group show -g <name> --query id`)",
        ),
    ),
    driftBranch: z.string().regex(/^[A-Za-z0-9._/-]{1,200}$/, "must be a branch name such as main"),
    grantGraphAdminConsent: z.boolean({ error: "must be true or false" }),
} satisfies Record<BootstrapConfigKey, z.ZodType>;

type Parsed = { [K in BootstrapConfigKey]: z.infer<(typeof shape)[K]> };

/**
 * Validates raw values (already decoded into JSON kinds) into a BootstrapConfig, or throws one
 * BootstrapConfigError that lists every problem.
 */
export function parseBootstrapConfig(raw: Record<string, unknown>, unknownKeys: string[] = []): BootstrapConfig {
    const problems: { key: string; message: string }[] = [];
    for (const k of unknownKeys) {
        problems.push({ key: k, message: `is not a setting of this project; the settings are ${Object.keys(BOOTSTRAP_CONFIG_KEYS).join(", ")}` });
    }
    const parsed: Partial<Parsed> = {};
    for (const key of Object.keys(shape) as BootstrapConfigKey[]) {
        const value = raw[key] === undefined ? BOOTSTRAP_DEFAULTS[key] : raw[key];
        const r = shape[key].safeParse(value);
        if (r.success) {
            (parsed as Record<string, unknown>)[key] = r.data;
        } else {
            for (const issue of r.error.issues) {
                const where = issue.path.length > 0 ? ` (entry ${issue.path.join(".")})` : "";
                problems.push({ key, message: `${issue.message}${where}` });
            }
        }
    }

    const stacks: StackTarget[] = [];
    if (parsed.stacks) {
        const seenStacks = new Set<string>();
        const seenGroups = new Set<string>();
        for (const entry of parsed.stacks) {
            const eq = entry.indexOf("=");
            const name = eq < 0 ? entry : entry.slice(0, eq).trim();
            const rg = eq < 0 ? "" : entry.slice(eq + 1).trim();
            if (!STACK_NAME.test(name)) {
                problems.push({ key: "stacks", message: `"${entry}": the stack name must be 1-20 lower-case letters, digits or hyphens starting with a letter (it is also the GitHub environment name)` });
                continue;
            }
            if (!RESOURCE_GROUP.test(rg)) {
                problems.push({ key: "stacks", message: `"${entry}": write stack=resourceGroupName, with a resource group name of 1-90 letters, digits or ._-() not ending in a period` });
                continue;
            }
            if (seenStacks.has(name)) problems.push({ key: "stacks", message: `stack "${name}" is listed twice` });
            if (seenGroups.has(rg.toLowerCase())) problems.push({ key: "stacks", message: `resource group "${rg}" is given to two stacks; each stack needs its own so its CI identity cannot reach the other` });
            seenStacks.add(name);
            seenGroups.add(rg.toLowerCase());
            stacks.push({ name, resourceGroupName: rg });
        }
    }

    if (problems.length > 0) throw new BootstrapConfigError(problems);
    const p = parsed as Parsed;
    return {
        githubRepository: p.githubRepository,
        location: p.location,
        namePrefix: p.namePrefix,
        nameSuffix: p.nameSuffix === "" ? deriveSuffix(p.githubRepository, p.namePrefix) : p.nameSuffix,
        stacks,
        stateContainerName: p.stateContainerName,
        stateStorageSku: p.stateStorageSku,
        stateSoftDeleteDays: p.stateSoftDeleteDays,
        keyVaultSoftDeleteDays: p.keyVaultSoftDeleteDays,
        allowedIpRanges: p.allowedIpRanges,
        stateUsers: p.stateUsers.map((s) => {
            const [type, id] = s.split(":");
            return { principalType: type.toLowerCase() === "group" ? "Group" : "User", objectId: id.toLowerCase() };
        }),
        driftBranch: p.driftBranch,
        grantGraphAdminConsent: p.grantGraphAdminConsent,
    };
}


/** Reads every declared key from the running program's configuration and validates it. */
export function loadBootstrapConfig(): BootstrapConfig {
    const project = pulumi.getProject();
    const raw: Record<string, unknown> = {};
    for (const [key, kind] of Object.entries(BOOTSTRAP_CONFIG_KEYS) as [BootstrapConfigKey, (typeof BOOTSTRAP_CONFIG_KEYS)[BootstrapConfigKey]][]) {
        const text = pulumi.runtime.getConfig(`${project}:${key}`);
        if (text !== undefined) raw[key] = decodeConfigText(kind, text);
    }
    const unknownKeys = Object.keys(pulumi.runtime.allConfig())
        .filter((k) => k.startsWith(`${project}:`))
        .map((k) => k.slice(project.length + 1))
        .filter((k) => !(k in BOOTSTRAP_CONFIG_KEYS));
    return parseBootstrapConfig(raw, unknownKeys);
}
