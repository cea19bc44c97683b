/**
 * The offline policy check end to end against a real CrossGuard pack (test/fixtures/policy-check/pack),
 * started once for this file by the engine's own launcher and driven over the analyzer protocol.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import {
    checkStackRun,
    checkStackRuns,
    formatJson,
    formatMarkdown,
    formatText,
    PolicyConfigError,
    PolicyPackProcess,
    reconcilePolicyConfig,
    toAnalyzerResource,
    toSarif,
    type CheckOptions,
    type PolicyFinding,
    type StackPolicyReport,
} from "../tools/policy-check/index";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../tools/offline/types";
import { cleanRun, emptyRun, insecureRun, PACK_DIR, REPO_ROOT, unknownOnlyRun, urn } from "./fixtures/policy-check/runs";
import { githubIngestionProblems, validateSarif } from "./fixtures/policy-check/sarif-validate";

let pack: PolicyPackProcess;
const opts = (extra: Partial<CheckOptions> = {}): CheckOptions => ({
    pack,
    repoRoot: REPO_ROOT,
    policyConfig: null,
    fallbackLocation: { file: "Pulumi.yaml", line: 1 },
    ...extra,
});

/** policy / resource / reported level, for compact comparisons. */
const brief = (f: PolicyFinding) => `${f.policyName} ${f.resourceName} ${f.enforcementLevel}${f.unknownValue ? " (unknown)" : ""}${f.blocking ? " BLOCKING" : ""}`;

before(async () => {
    pack = await PolicyPackProcess.start({ packDir: PACK_DIR, project: "fixture", stack: "dev", dryRun: true });
}, { timeout: 60_000 });

after(async () => {
    await pack?.close();
}, { timeout: 60_000 });

describe("analyzer protocol", { timeout: 120_000 }, () => {
    it("the pack printed a port and serves GetAnalyzerInfo with every policy", async () => {
        assert.ok(pack.port > 0);
        const info = await pack.getAnalyzerInfo();
        assert.equal(info.name, "fixture-pack");
        assert.equal(info.version, "1.2.3");
        assert.equal(info.supportsConfig, true);
        const byName = Object.fromEntries(info.policies.map((p) => [p.name, p]));
        assert.deepEqual(Object.keys(byName).sort(), [
            "fixture-allowed-locations",
            "fixture-default-tags",
            "fixture-server-password-length",
            "fixture-stack-has-storage",
            "fixture-storage-has-lock",
            "fixture-storage-https-only",
        ]);
        assert.equal(byName["fixture-storage-https-only"].enforcementLevel, "mandatory");
        assert.equal(byName["fixture-storage-https-only"].kind, "resource");
        assert.equal(byName["fixture-storage-https-only"].severity, "high");
        assert.equal(byName["fixture-storage-https-only"].remediationSteps, "Set `httpsOnly: true` on the storage resource.");
        assert.equal(byName["fixture-storage-has-lock"].kind, "stack");
        assert.equal(byName["fixture-default-tags"].enforcementLevel, "disabled");
        assert.deepEqual(byName["fixture-allowed-locations"].configSchema?.properties?.allowedLocations, {
            type: "array",
            items: { type: "string" },
            minItems: 1,
            default: ["westeurope"],
        });
    });

    it("GetPluginInfo answers the policy SDK version; Handshake is unimplemented by the Node SDK, as the engine tolerates", async () => {
        assert.match(await pack.getPluginInfo(), /^\d+\.\d+\.\d+/);
        assert.equal(await pack.handshake(pack.engineAddress), false);
        assert.equal(await pack.configureStack({ stack: "dev", project: "fixture", dryRun: true }), true);
    });

    it("the engine address passed to the launcher serves the Engine service; Log lines land in the pack's log", async () => {
        assert.match(pack.engineAddress, /^(unix:\/|127\.0\.0\.1:\d+$)/);
        const client = new engineRpc.EngineClient(pack.engineAddress, grpc.credentials.createInsecure());
        try {
            const req = new engineProto.LogRequest();
            req.setSeverity(engineProto.LogSeverity.WARNING);
            req.setMessage("hello from a pack");
            await new Promise<void>((resolve, reject) => client.log(req, (e) => (e ? reject(e) : resolve())));
            assert.ok(pack.logs.includes("warning: hello from a pack"), pack.logs.join("\n"));
        } finally {
            client.close();
        }
    });

    it("an AnalyzeRequest without options is refused, as DESIGN-NOTES says", async () => {
        const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
        try {
            const req = new analyzerProto.AnalyzeRequest();
            req.setType("fixture:index:Storage");
            req.setUrn(urn("dev", "fixture:index:Storage", "x"));
            req.setName("x");
            req.setProperties(Struct.fromJavaScript({ httpsOnly: false }));
            const err = await new Promise<grpc.ServiceError | null>((resolve) => client.analyze(req, (e) => resolve(e)));
            assert.ok(err, "expected an error");
            assert.match(err.details, /A more recent version of the Pulumi CLI is required/);
        } finally {
            client.close();
        }
    });

    it("Analyze with options reports a violation with its enforcement level", async () => {
        const run = insecureRun();
        const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
        const plain = run.resources.find((r) => r.name === "plain-storage")!;
        // Configure with the reconciled config, as the engine does: every policy with its level and defaults.
        const info = await pack.getAnalyzerInfo();
        await pack.configure(reconcilePolicyConfig(info.policies, info.initialConfig, undefined));
        const res = await pack.analyze(toAnalyzerResource(plain, run, byUrn));
        const d = res.diagnostics.find((x) => x.policyName === "fixture-storage-https-only");
        assert.ok(d);
        assert.equal(d.enforcementLevel, "mandatory");
        assert.equal(d.message, "FIX-01: storage must only accept HTTPS traffic.\nhttpsOnly is false.");
    });
});

describe("checkStackRun against the fixture pack", { timeout: 120_000 }, () => {
    let report: StackPolicyReport;
    before(async () => {
        report = await checkStackRun(insecureRun(), opts());
    });

    it("reports every violation, with the right enforcement level, and nothing for compliant resources", () => {
        assert.deepEqual(report.findings.map(brief), [
            "fixture-storage-https-only pending-storage advisory (unknown)",
            "fixture-storage-https-only plain-storage mandatory BLOCKING",
            "fixture-allowed-locations plain-storage advisory",
            "fixture-server-password-length db mandatory BLOCKING",
            "fixture-storage-has-lock plain-storage mandatory BLOCKING",
        ]);
        assert.equal(report.summary.blocking, 3);
        assert.equal(report.summary.mandatory, 3);
        assert.equal(report.summary.advisory, 2);
        assert.equal(report.summary.resources, 10);
        assert.equal(report.timings.analyzeCalls, 10);
    });

    it("a mandatory policy reading an unknown value is downgraded to advisory, and the downgrade is recognised", () => {
        const f = report.findings.find((x) => x.resourceName === "pending-storage")!;
        assert.equal(f.enforcementLevel, "advisory");
        assert.equal(f.configuredEnforcementLevel, "mandatory");
        assert.deepEqual(f.unknownValue, { valueType: "string", path: "httpsOnly" });
        assert.match(f.message, /^can't run policy 'fixture-storage-https-only' from policy pack 'fixture-pack@v1\.2\.3' during preview/);
        assert.equal(f.blocking, false);
        assert.equal(report.summary.mandatoryUnknownDowngrades, 1);
    });

    it("--strict turns a mandatory policy that could not run into a failure", async () => {
        const normal = await checkStackRuns([unknownOnlyRun()], opts());
        assert.equal(normal.exitCode, 0);
        assert.deepEqual(normal.reports[0].findings.map(brief), ["fixture-storage-https-only data advisory (unknown)"]);
        const strict = await checkStackRuns([unknownOnlyRun()], opts({ strict: true }));
        assert.equal(strict.exitCode, 1);
        assert.deepEqual(strict.reports[0].findings.map(brief), ["fixture-storage-https-only data advisory (unknown) BLOCKING"]);
    });

    it("an advisory policy that could not run does not fail even under --strict", async () => {
        const run = cleanRun("qa");
        run.resources[1].inputs.location = UNKNOWN;
        const r = await checkStackRun(run, opts({ strict: true }));
        assert.deepEqual(r.findings.map(brief), ["fixture-allowed-locations data advisory (unknown)"]);
        assert.equal(r.summary.blocking, 0);
    });

    it("secrets arrive usable: the pack measures the secret password's plain value", () => {
        const db = report.findings.find((x) => x.resourceName === "db")!;
        assert.equal(db.message, "FIX-03: a server's admin password must have at least 16 characters.\nadminPassword has 9 characters.");
        assert.ok(!report.findings.some((x) => x.resourceName === "db-ok"), "the 28-character secret complies");
    });

    it("secrets are sent as secrets (the engine's wire form), not as plain values", () => {
        const run = insecureRun();
        const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
        const db = toAnalyzerResource(run.resources.find((r) => r.name === "db")!, run, byUrn);
        assert.deepEqual(db.properties.adminPassword, { [SIG_KEY]: SECRET_SIG, value: "hunter2!x" });
        const secure = toAnalyzerResource(run.resources.find((r) => r.name === "secure-storage")!, run, byUrn);
        assert.ok(!("__defaults" in secure.properties), "internal keys are dropped as the engine does");
        assert.equal(secure.provider?.type, "pulumi:providers:fixture");
        assert.deepEqual(secure.provider?.properties, { location: "westeurope" });
        assert.equal(secure.options.parent, urn("dev", "fixture:index:Platform", "platform"));
    });

    it("the stack policy follows propertyDependencies and attributes the violation to the resource it names", () => {
        const locks = report.findings.filter((x) => x.policyName === "fixture-storage-has-lock");
        assert.equal(locks.length, 1, "secure-storage and pending-storage have locks scoped to them");
        assert.equal(locks[0].kind, "stack");
        assert.equal(locks[0].urn, urn("dev", "fixture:index:Storage", "plain-storage"));
        assert.equal(locks[0].resourceType, "fixture:index:Storage");
    });

    it("a stack violation with no URN is attributed to the root stack", async () => {
        const r = await checkStackRun(emptyRun(), opts());
        assert.deepEqual(r.findings.map(brief), ["fixture-stack-has-storage fixture-empty advisory"]);
        assert.equal(r.findings[0].urn, urn("empty", "pulumi:pulumi:Stack", "fixture-empty"));
        assert.equal(r.findings[0].resourceType, "pulumi:pulumi:Stack");
    });

    it("locates each finding where the resource is declared, or through its parent component", () => {
        const plain = report.findings.find((x) => x.resourceName === "plain-storage")!;
        assert.deepEqual(plain.location, { file: "index.ts", line: 12, column: 1, origin: "resource" });
        const pending = report.findings.find((x) => x.resourceName === "pending-storage")!;
        assert.deepEqual(pending.location, { file: "components/platform.ts", line: 7, column: 5, origin: "ancestor" });
    });

    it("a compliant stack has no findings", async () => {
        const r = await checkStackRun(cleanRun(), opts());
        assert.deepEqual(r.findings, []);
        assert.equal(r.summary.blocking, 0);
    });
});

describe("policy configuration", { timeout: 120_000 }, () => {
    it("applies levels and properties from a config file, like --policy-pack-config", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"));
        const file = path.join(dir, "dev.json");
        fs.writeFileSync(
            file,
            JSON.stringify({ "fixture-allowed-locations": { enforcementLevel: "mandatory", allowedLocations: ["eastus"] }, "fixture-server-password-length": "advisory" }),
        );
        const r = await checkStackRun(insecureRun(), opts({ policyConfig: file }));
        const locations = r.findings.filter((f) => f.policyName === "fixture-allowed-locations").map(brief);
        // westeurope is no longer allowed, eastus is; the policy is mandatory now. The explicit provider is
        // analyzed too, as the engine analyzes provider resources.
        assert.deepEqual(locations, [
            "fixture-allowed-locations eu mandatory BLOCKING",
            "fixture-allowed-locations secure-storage mandatory BLOCKING",
            "fixture-allowed-locations pending-storage mandatory BLOCKING",
            "fixture-allowed-locations db mandatory BLOCKING",
            "fixture-allowed-locations db-ok mandatory BLOCKING",
        ]);
        assert.ok(r.findings.some((f) => brief(f) === "fixture-server-password-length db advisory"));
        assert.equal(r.pack.policies.find((p) => p.name === "fixture-allowed-locations")?.enforcementLevel, "mandatory");
        fs.rmSync(dir, { recursive: true });
    });

    it("the next stack gets its own configuration (Configure replaces the previous one)", async () => {
        const r = await checkStackRun(insecureRun(), opts());
        assert.deepEqual(
            r.findings.filter((f) => f.policyName === "fixture-allowed-locations").map(brief),
            ["fixture-allowed-locations plain-storage advisory"],
        );
    });

    it("`all` sets every policy's level; `disabled` silences a policy", async () => {
        const r = await checkStackRun(insecureRun(), opts({ policyConfigEntries: { all: { enforcementLevel: "advisory" }, "fixture-storage-has-lock": { enforcementLevel: "disabled" } } }));
        assert.equal(r.summary.blocking, 0);
        assert.ok(r.findings.every((f) => f.enforcementLevel === "advisory"));
        assert.ok(!r.findings.some((f) => f.policyName === "fixture-storage-has-lock"));
    });

    it("a config value that breaks the policy's schema is a configuration error naming the problem", async () => {
        await assert.rejects(
            checkStackRun(insecureRun(), opts({ policyConfigEntries: { "fixture-allowed-locations": { properties: { allowedLocations: "westeurope" } } } })),
            (e: unknown) => e instanceof PolicyConfigError && /fixture-allowed-locations: allowedLocations: invalid type\. Expected: array, given: string/.test((e as Error).message),
        );
        await assert.rejects(
            checkStackRun(insecureRun(), opts({ policyConfigEntries: { "fixture-allowed-locations": { properties: { allowedLocations: [] } } } })),
            /allowedLocations: array must have at least 1 items/,
        );
    });

    it("a config entry for a policy the pack does not have is an error", async () => {
        await assert.rejects(
            checkStackRun(insecureRun(), opts({ policyConfigEntries: { "fixture-storage-https-onyl": { enforcementLevel: "advisory" } } })),
            (e: unknown) => e instanceof PolicyConfigError && /fixture-storage-https-onyl/.test((e as Error).message),
        );
    });

    it("a policy at level remediate is run through Remediate before Analyze, and Analyze sees the remediated resource", async () => {
        const r = await checkStackRun(cleanRun(), opts({ policyConfigEntries: { "fixture-default-tags": { enforcementLevel: "remediate" } } }));
        assert.deepEqual(
            r.remediations.filter((x) => x.changedProperties.length).map((x) => `${x.policyName} ${x.resourceName} ${x.changedProperties.join(",")}`),
            ["fixture-default-tags data tags"],
        );
        assert.equal(r.summary.remediations, 1);
        assert.deepEqual(r.findings, []);
    });
});

describe("report formats", { timeout: 120_000 }, () => {
    let reports: StackPolicyReport[];
    before(async () => {
        reports = [await checkStackRun(insecureRun("dev"), opts()), await checkStackRun(cleanRun("prod"), opts())];
    });

    it("text prints violations like the Pulumi CLI", () => {
        const text = formatText(reports);
        assert.match(text, /^Policy Violations:$/m);
        assert.match(
            text,
            /^ {4}\[mandatory\] {2}fixture-pack v1\.2\.3 {2}fixture-storage-https-only \(plain-storage: fixture:index:Storage\)\n {4}FIX-01: storage must only accept HTTPS traffic\.\n {4}httpsOnly is false\.\n {4}at index\.ts:12:1$/m,
        );
        assert.match(text, /note: mandatory policy could not run at preview \(string value at \.httpsOnly is unknown\): downgraded to advisory; --strict fails on this/);
        assert.match(text, /^dev: FAILED: 3 mandatory, 2 advisory/m);
        assert.match(text, /^prod: PASSED: 0 mandatory, 0 advisory; 3 resources checked$/m);
        assert.doesNotMatch(text, /hunter2/, "no secret value in the report");
    });

    it("json carries the whole model and the exit code", () => {
        const doc = JSON.parse(formatJson(reports));
        assert.equal(doc.schemaVersion, 1);
        assert.equal(doc.exitCode, 1);
        assert.deepEqual(doc.reports.map((r: StackPolicyReport) => r.stack), ["dev", "prod"]);
        assert.equal(doc.reports[0].findings.length, 5);
        assert.deepEqual(doc.reports[0].findings[0].unknownValue, { valueType: "string", path: "httpsOnly" });
    });

    it("sarif is structurally valid SARIF 2.1.0 that GitHub code scanning accepts, with file and line", () => {
        const sarif = toSarif(reports) as { runs: { tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } }; automationDetails: { id: string }; results: Record<string, any>[] }[] };
        assert.deepEqual(validateSarif(sarif), []);
        assert.deepEqual(githubIngestionProblems(sarif), []);
        assert.equal(sarif.runs.length, 2);
        assert.deepEqual(sarif.runs.map((r) => r.automationDetails.id), ["pulumi-policy/dev/", "pulumi-policy/prod/"]);
        const dev = sarif.runs[0];
        const rule = dev.tool.driver.rules.find((r) => r.id === "fixture-storage-https-only")!;
        assert.equal(rule.defaultConfiguration.level, "error");
        assert.equal(dev.tool.driver.rules.find((r) => r.id === "fixture-allowed-locations")!.defaultConfiguration.level, "warning");
        const plain = dev.results.find((r) => r.ruleId === "fixture-storage-https-only" && r.locations[0].logicalLocations[0].name === "plain-storage")!;
        assert.equal(plain.level, "error");
        assert.deepEqual(plain.locations[0].physicalLocation, {
            artifactLocation: { uri: "index.ts", uriBaseId: "%SRCROOT%" },
            region: { startLine: 12, startColumn: 1 },
        });
        assert.equal(plain.locations[0].logicalLocations[0].fullyQualifiedName, urn("dev", "fixture:index:Storage", "plain-storage"));
        const advisory = dev.results.find((r) => r.ruleId === "fixture-allowed-locations")!;
        assert.equal(advisory.level, "warning");
        assert.equal(sarif.runs[1].results.length, 0);
    });

    it("sarif anchors a finding with no source position at the fallback location, and the validator catches a missing one", async () => {
        const r = await checkStackRun(emptyRun(), opts());
        const sarif = toSarif([r]) as { runs: { results: Record<string, any>[] }[] };
        assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation, { uri: "Pulumi.yaml", uriBaseId: "%SRCROOT%" });
        assert.deepEqual(githubIngestionProblems(sarif), []);
        const none = await checkStackRun(emptyRun(), opts({ fallbackLocation: null }));
        const bare = toSarif([none]);
        assert.deepEqual(validateSarif(bare), [], "spec-valid without a physical location");
        assert.equal(githubIngestionProblems(bare).length, 1, "but GitHub would reject it");
    });

    it("markdown is a pull-request comment: summary table per stack, then findings", () => {
        const md = formatMarkdown(reports, { sourceLinkBase: "https://github.com/o/r/blob/abc/" });
        assert.ok(md.startsWith("<!-- pulumi-policy-check -->\n## Policy check"));
        assert.match(md, /^\| dev \| ❌ fail \| 3 \| 2 \| 1 \(1 mandatory\) \| 10 \| fixture-pack v1\.2\.3 \| pack defaults \|$/m);
        assert.match(md, /^\| prod \| ✅ pass \| 0 \| 0 \| 0 \| 3 \| fixture-pack v1\.2\.3 \| pack defaults \|$/m);
        assert.match(md, /^### ❌ dev$/m);
        assert.match(
            md,
            /^- ❌ \*\*\[mandatory\]\*\* `fixture-storage-https-only` on `plain-storage` \(`fixture:index:Storage`\) at \[`index\.ts:12`\]\(https:\/\/github\.com\/o\/r\/blob\/abc\/index\.ts#L12\)$/m,
        );
        assert.match(md, /^ {2}> httpsOnly is false\.$/m);
        assert.match(md, /run with `--strict` to fail on it/);
        assert.match(md, /^### ✅ prod\n\nNo findings\.$/m);
    });
});
