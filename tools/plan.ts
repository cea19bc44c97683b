/**
 * The offline plan: runs the program for a stack under mocks that model `pulumi preview` (no
 * cloud account, no CLI), prints the resource tree with each resource's security-relevant
 * settings and the stack outputs, then the policy pack's verdicts on it (the pack started the
 * way the Pulumi engine starts it, driven over its analyzer protocol). Exits 2 with every
 * configuration problem when the stack's configuration is invalid, 1 on a mandatory policy
 * violation (with --strict, also when a mandatory rule could not run on an unknown value).
 *
 *   npm run plan -- --stack dev [--no-policy] [--strict] [--before <earlier Pulumi.dev.yaml>]
 *
 * With --before, it prints what changes from the earlier stack file to the current one (created,
 * deleted, updated or replaced resources, with the plan lines that differ) instead of the whole plan.
 */
import { parseArgs } from "node:util";
import * as path from "node:path";
import { ConfigError } from "../config/schema";
import { PolicyPackProcess, checkStackRun, formatText } from "./policy-check";
import { runStack } from "./offline/runStack";
import { compareRuns, overridesFromStackFile, renderChanges } from "./offline/compare";
import { listStacks, readProjectFile, REPO_ROOT } from "./offline/stackConfig";

const PROJECT = readProjectFile().name;
import { at, describe, show, telemetryPath } from "./offline/resourceLines";
import type { CapturedResource, StackRun } from "./offline/types";

export function renderPlan(run: StackRun): string {
    const out: string[] = [];
    const children = new Map<string, CapturedResource[]>();
    for (const r of run.resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const custom = run.resources.filter((r) => r.custom);
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const lookup = (urn: string) => byUrn.get(urn);
    out.push(`Offline plan of stack "${run.stack}" (${run.preview ? "preview" : "update"} modelled under mocks; no cloud calls)`);
    out.push(`${custom.length} resources to create in ${run.resources.length - custom.length} components`);
    out.push("");
    const walk = (r: CapturedResource, depth: number) => {
        const pad = "    ".repeat(depth);
        const former = formerIdentities(r);
        const flags = [r.protect ? "protected" : "", locks.has(r.urn) ? "delete-locked" : "", former.length > 0 ? `aliases: ${former.join(", ")}` : ""].filter(Boolean).join(", ");
        out.push(`${pad}${r.custom ? "+ " : ""}${r.type}  ${r.name}${flags ? `  [${flags}]` : ""}`);
        for (const [k, v] of describe(r, lookup)) out.push(`${pad}      ${k}: ${v}`);
        for (const c of (children.get(r.urn) ?? []).sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))) walk(c, depth + 1);
    };
    // Resources a CanNotDelete lock points at (through the lock's scope).
    const locks = new Set(
        run.resources
            .filter((r) => /^azure-native:authorization:ManagementLock/.test(r.type) && at(r.inputs, "level") === "CanNotDelete")
            .flatMap((r) => r.propertyDependencies.scope ?? []),
    );
    for (const root of children.get("") ?? []) walk(root, 0);
    const path = telemetryPath(run.resources);
    if (path.length > 0) out.push("", ...path);
    out.push("");
    out.push("Outputs:");
    for (const [k, v] of Object.entries(run.outputs).sort(([a], [b]) => a.localeCompare(b))) out.push(`    ${k}: ${show(v)}`);
    return out.join("\n");
}

/**
 * Aliases the program gave a resource (former names or parents), as opposed to the type aliases
 * every azure-native class registers for its older API versions and module names.
 */
export function formerIdentities(r: CapturedResource): string[] {
    const out: string[] = [];
    for (const a of r.aliases as { urn?: string; spec?: { name?: string; type?: string; parenturn?: string; noparent?: boolean } }[]) {
        if (a.urn) {
            out.push(a.urn);
            continue;
        }
        const spec = a.spec;
        if (!spec) continue;
        const formerParent = spec.parenturn !== undefined && spec.parenturn !== "" && spec.parenturn !== r.parent ? spec.parenturn : undefined;
        if (!spec.name && !spec.noparent && (spec.type || formerParent === undefined)) continue;
        const name = spec.name || r.name;
        if (spec.noparent) out.push(`${name} (no parent)`);
        else if (formerParent !== undefined) out.push(`${name} under ${formerParent.slice(formerParent.lastIndexOf("::") + 2)}`);
        else out.push(name);
    }
    return out;
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: { stack: { type: "string", short: "s" }, "no-policy": { type: "boolean", default: false }, strict: { type: "boolean", default: false }, before: { type: "string" } },
        allowPositionals: false,
    });
    const stacks = listStacks();
    if (!values.stack || !stacks.includes(values.stack)) {
        console.error(`usage: npm run plan -- --stack <${stacks.join("|")}> [--no-policy] [--strict] [--before <earlier Pulumi.<stack>.yaml>]`);
        return 2;
    }
    const stack = values.stack;
    // The pack starts while the program runs: the two overlap.
    const starting = values["no-policy"] ? undefined : PolicyPackProcess.start({ packDir: path.join(REPO_ROOT, "policies"), project: PROJECT, stack, dryRun: true });
    starting?.catch(() => undefined);
    let run: StackRun;
    let before: StackRun | undefined;
    try {
        if (values.before) before = await runStack(stack, { preview: true, config: overridesFromStackFile(values.before, path.join(REPO_ROOT, `Pulumi.${stack}.yaml`)) });
        run = await runStack(stack, { preview: true });
    } catch (e) {
        await starting?.then((p) => p.close()).catch(() => undefined);
        if (e instanceof ConfigError) {
            console.error(e.message);
            return 2;
        }
        throw e;
    }
    if (before) {
        const lookup = (r: StackRun) => (urn: string) => r.resources.find((x) => x.urn === urn);
        console.log(renderChanges(compareRuns(before, run), lookup(before), lookup(run), values.before ?? ""));
    } else {
        console.log(renderPlan(run));
    }
    if (!starting) return 0;
    const pack = await starting;
    try {
        const report = await checkStackRun(run, { pack, strict: values.strict });
        console.log("");
        console.log(formatText([report]));
        return report.summary.blocking > 0 ? 1 : 0;
    } finally {
        await pack.close();
    }
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (e: unknown) => {
            console.error(e instanceof Error ? e.stack : e);
            process.exit(1);
        },
    );
}
