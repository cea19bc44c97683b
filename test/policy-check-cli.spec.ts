/**
 * The policy-check command: exit codes, outputs, and how it reports harness and configuration errors.
 * One test runs the real command in its own process (it starts its own pack); the others call main() with
 * one shared pack process and a stand-in for the harness's runStack.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main, type CliDeps, type RunStack } from "../tools/policy-check/cli";
import { PolicyPackProcess } from "../tools/policy-check/index";
import type { StackRun } from "../tools/offline/types";
import { cleanRun, insecureRun, PACK_DIR, REPO_ROOT, unknownOnlyRun } from "./fixtures/policy-check/runs";
import { githubIngestionProblems, validateSarif } from "./fixtures/policy-check/sarif-validate";

let pack: PolicyPackProcess;
let tmp: string;

before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-cli-"));
    pack = await PolicyPackProcess.start({ packDir: PACK_DIR, project: "fixture", dryRun: true });
}, { timeout: 60_000 });

after(async () => {
    await pack?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
}, { timeout: 60_000 });

function processesWithMarker(marker: string): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
        try {
            if (fs.readFileSync(`/proc/${pid}/environ`, "latin1").includes(`POLICY_CHECK_TEST_MARKER=${marker}`)) {
                found.push(`${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0/g, " ")}`);
            }
        } catch {
            // process gone or not ours
        }
    }
    return found;
}

/** Child processes of this test process whose working directory is the fixture pack. */
function childPacks(): number[] {
    const pids: number[] = [];
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
        try {
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            if (ppid === process.pid && fs.readlinkSync(`/proc/${pid}/cwd`) === PACK_DIR) {
                pids.push(Number(pid));
            }
        } catch {
            // gone
        }
    }
    return pids;
}

async function run(argv: string[], runs: Record<string, StackRun | Error>) {
    let out = "";
    let err = "";
    const calls: string[] = [];
    const runStack: RunStack = async (stack, options) => {
        calls.push(`${stack} preview=${options.preview}`);
        const r = runs[stack];
        if (!r) {
            throw new Error(`no fixture for ${stack}`);
        }
        if (r instanceof Error) {
            throw r;
        }
        return r;
    };
    const deps: CliDeps = {
        runStack,
        pack,
        cwd: REPO_ROOT,
        env: {},
        stdout: (s) => {
            out += s;
        },
        stderr: (s) => {
            err += s;
        },
    };
    const code = await main(argv, deps);
    return { code, out, err, calls };
}

describe("policy-check command", { timeout: 120_000 }, () => {
    it("runs the program per stack in preview mode and exits 0 when nothing mandatory is violated", async () => {
        const r = await run(["--stack", "prod,staging"], { prod: cleanRun("prod"), staging: unknownOnlyRun("staging") });
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(r.calls, ["prod preview=true", "staging preview=true"]);
        assert.match(r.out, /^prod: PASSED: 0 mandatory, 0 advisory; 3 resources checked$/m);
        assert.match(r.out, /^staging: PASSED: 0 mandatory, 1 advisory, 1 could not run/m);
    });

    it("exits 1 on a mandatory violation", async () => {
        const r = await run(["--stack", "dev"], { dev: insecureRun("dev") });
        assert.equal(r.code, 1);
        assert.match(r.out, /\[mandatory\] {2}fixture-pack v1\.2\.3 {2}fixture-server-password-length \(db: fixture:index:Server\)/);
    });

    it("with --strict, exits 1 when a mandatory policy could not run because of an unknown value", async () => {
        const r = await run(["--stack", "staging", "--strict"], { staging: unknownOnlyRun("staging") });
        assert.equal(r.code, 1);
        assert.match(r.out, /^staging: FAILED \(strict\)/m);
    });

    it("exits 2 and prints the harness's message when the stack's configuration is invalid", async () => {
        const problem = new Error("stack prod: invalid configuration:\n  - iotHub.minTlsVersion must be 1.2\n  - dps.linkedHubs: local auth off with key-based linking");
        const r = await run(["--stack", "prod"], { prod: problem });
        assert.equal(r.code, 2);
        assert.match(r.err, /iotHub\.minTlsVersion must be 1\.2\n {2}- dps\.linkedHubs: local auth off with key-based linking/);
        assert.equal(r.out, "");
    });

    it("closes the pack it started early when the program then fails", async () => {
        let err = "";
        // Other suites in this process keep pack processes of their own; only new ones count.
        const before = new Set(fs.existsSync("/proc/self/stat") ? childPacks() : []);
        const code = await main(["--stack", "prod", "--pack", PACK_DIR], {
            runStack: () => Promise.reject(new Error("stack prod: invalid configuration:\n  - x")),
            cwd: REPO_ROOT,
            env: {},
            stdout: () => undefined,
            stderr: (s) => {
                err += s;
            },
        });
        assert.equal(code, 2);
        assert.match(err, /invalid configuration:\n {2}- x/);
        if (fs.existsSync("/proc/self/stat")) {
            const children = childPacks();
            assert.ok(children.includes(pack.pid!), "the probe sees this file's own pack process");
            assert.deepEqual(children.filter((pid) => !before.has(pid)), [], "no pack process left behind");
        }
    });

    it("exits 2 on an invalid policy config", async () => {
        const file = path.join(tmp, "bad.json");
        fs.writeFileSync(file, JSON.stringify({ "fixture-allowed-locations": { allowedLocations: [1] } }));
        const r = await run(["--stack", "dev", "--policy-config", file], { dev: insecureRun("dev") });
        assert.equal(r.code, 2);
        assert.match(r.err, /invalid policy configuration: .*\n {2}- fixture-allowed-locations: allowedLocations\.0: invalid type\. Expected: string, given: integer/);
    });

    it("exits 2 on usage errors without running anything", async () => {
        const r = await run(["--format", "sarif"], {});
        assert.equal(r.code, 2);
        assert.match(r.err, /--stack is required/);
        assert.deepEqual(r.calls, []);
    });

    it("writes each format to its --output and prints a verdict per stack", async () => {
        const json = path.join(tmp, "out", "policy.json");
        const md = path.join(tmp, "out", "comment.md");
        const r = await run(["--stack", "dev,prod", "--format", "json", "--output", json, "--format", "markdown", "--output", md], {
            dev: insecureRun("dev"),
            prod: cleanRun("prod"),
        });
        assert.equal(r.code, 1);
        assert.equal(r.out, "");
        assert.match(r.err, /^dev: FAILED: 3 mandatory/m);
        assert.match(r.err, /^prod: PASSED/m);
        assert.deepEqual(JSON.parse(fs.readFileSync(json, "utf8")).reports.map((x: { stack: string }) => x.stack), ["dev", "prod"]);
        assert.match(fs.readFileSync(md, "utf8"), /^\| prod \| ✅ pass /m);
    });

    it("as a process: starts the pack itself, writes SARIF and text, exits 1, leaves no pack process behind", () => {
        const marker = `m${process.pid}-${Date.now()}`;
        const runFile = path.join(tmp, "dev.run.json");
        fs.writeFileSync(runFile, JSON.stringify(insecureRun("dev")));
        const sarifFile = path.join(tmp, "policy.sarif");
        const res = spawnSync(
            path.join(REPO_ROOT, "node_modules", ".bin", "node"),
            ["--require", "./tools/register.js", "tools/policy-check/cli.ts", "--stack-run", runFile, "--pack", PACK_DIR, "--format", "sarif", "--output", sarifFile, "--format", "text"],
            { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1", POLICY_CHECK_TEST_MARKER: marker } },
        );
        // The pack process inherited the marker: none may still be running once the command has exited.
        if (fs.existsSync("/proc/self/environ")) {
            assert.deepEqual(processesWithMarker(marker), []);
        }
        assert.equal(res.status, 1, res.stderr);
        assert.match(res.stdout, /^Policy Violations:$/m);
        assert.match(res.stdout, /^ {4}at index\.ts:12:1$/m);
        const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8"));
        assert.deepEqual(validateSarif(sarif), []);
        assert.deepEqual(githubIngestionProblems(sarif), []);
        assert.equal(sarif.runs[0].results.length, 5);
    });
});
