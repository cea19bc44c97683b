/** Offline policy check: the parts that need no pack process (wire form, config, parsing, formats' edges). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    parsePolicyConfig,
    parseUnknownDowngrade,
    PolicyConfigError,
    reconcilePolicyConfig,
    validateJsonSchema,
} from "../tools/policy-check/index";
import { aliasToUrn, OUTPUT_VALUE_SIG, RESOURCE_REF_SIG, toAnalyzerProperties, WireFormatError } from "../tools/policy-check/wire";
import { messageBody } from "../tools/policy-check/format-text";
import { formatMarkdown } from "../tools/policy-check/format-markdown";
import { parseArgs, UsageError } from "../tools/policy-check/cli";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../tools/offline/types";
import { validateSarif } from "./fixtures/policy-check/sarif-validate";
import type { StackPolicyReport } from "../tools/policy-check/model";

describe("wire form -> analyzer form", () => {
    it("drops internal keys at every object level and keeps unknowns and secrets", () => {
        const out = toAnalyzerProperties({
            __defaults: ["a"],
            a: { __inner: 1, b: UNKNOWN, c: { [SIG_KEY]: SECRET_SIG, value: { __x: 1, d: "s" } } },
            list: [1, undefined, { __y: 2, z: null }],
        });
        assert.deepEqual(out, {
            a: { b: UNKNOWN, c: { [SIG_KEY]: SECRET_SIG, value: { d: "s" } } },
            list: [1, null, { z: null }],
        });
    });

    it("turns output values into their value, unknown when missing, secret when secret", () => {
        assert.deepEqual(
            toAnalyzerProperties({
                known: { [SIG_KEY]: OUTPUT_VALUE_SIG, value: "v", dependencies: ["urn:x"] },
                pending: { [SIG_KEY]: OUTPUT_VALUE_SIG, dependencies: ["urn:x"] },
                secretOut: { [SIG_KEY]: OUTPUT_VALUE_SIG, value: 3, secret: true },
            }),
            { known: "v", pending: UNKNOWN, secretOut: { [SIG_KEY]: SECRET_SIG, value: 3 } },
        );
    });

    it("turns resource references into the id (custom) or URN (component), unknown ids staying unknown", () => {
        assert.deepEqual(
            toAnalyzerProperties({
                custom: { [SIG_KEY]: RESOURCE_REF_SIG, urn: "urn:pulumi:s::p::t::n", id: "/subscriptions/x" },
                pendingId: { [SIG_KEY]: RESOURCE_REF_SIG, urn: "urn:pulumi:s::p::t::n", id: "" },
                component: { [SIG_KEY]: RESOURCE_REF_SIG, urn: "urn:pulumi:s::p::c::n" },
            }),
            { custom: "/subscriptions/x", pendingId: UNKNOWN, component: "urn:pulumi:s::p::c::n" },
        );
    });

    it("refuses what the engine could not have sent", () => {
        assert.throws(() => toAnalyzerProperties({ x: { [SIG_KEY]: "nope" } }), WireFormatError);
        assert.throws(() => toAnalyzerProperties({ x: Number.NaN }), WireFormatError);
    });

    it("computes alias URNs like the engine (spec, parent, noParent, root-stack parent)", () => {
        const self = { name: "hub", type: "azure-native:iothub:IotHubResource", parent: "urn:pulumi:dev::p::my:Platform::plat" };
        assert.equal(aliasToUrn({ spec: { type: "azure-native:devices:IotHubResource" } }, self, "dev", "p"), "urn:pulumi:dev::p::my:Platform$azure-native:devices:IotHubResource::hub");
        assert.equal(aliasToUrn({ type: "t2", noParent: true }, self, "dev", "p"), "urn:pulumi:dev::p::t2::hub");
        assert.equal(aliasToUrn({ name: "old", parenturn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev" }, self, "dev", "p"), "urn:pulumi:dev::p::azure-native:iothub:IotHubResource::old");
        assert.equal(aliasToUrn("urn:pulumi:dev::p::t::x", self, "dev", "p"), "urn:pulumi:dev::p::t::x");
        assert.equal(aliasToUrn({ urn: "urn:pulumi:dev::p::t::y" }, self, "dev", "p"), "urn:pulumi:dev::p::t::y");
    });
});

describe("unknown-value downgrades", () => {
    it("recognises the policy SDK's message, and nothing else", () => {
        assert.deepEqual(
            parseUnknownDowngrade("can't run policy 'iot-01' from policy pack 'baseline@v0.1.0' during preview: boolean value at .properties.disableLocalAuth can't be known during preview"),
            { valueType: "boolean", path: "properties.disableLocalAuth" },
        );
        assert.equal(parseUnknownDowngrade("FIX-01: storage must only accept HTTPS traffic.\nhttpsOnly is false."), undefined);
    });
});

describe("policy config", () => {
    const policies = [
        { name: "a", enforcementLevel: "advisory" as const, configSchema: { properties: { n: { type: "integer", minimum: 1, default: 3 } } } },
        { name: "b", enforcementLevel: "mandatory" as const },
    ];

    it("parses the --policy-pack-config shape and rejects bad levels and values", () => {
        assert.deepEqual(parsePolicyConfig('{"a": "mandatory", "b": {"enforcementLevel": "disabled", "x": 1}, "c": {}}'), {
            a: { enforcementLevel: "mandatory" },
            b: { enforcementLevel: "disabled", properties: { x: 1 } },
        });
        assert.deepEqual(parsePolicyConfig("  "), {});
        assert.throws(() => parsePolicyConfig('{"a": "strict"}'), /a: "strict" is not a valid enforcement level/);
        assert.throws(() => parsePolicyConfig('{"a": 3}'), /a: 3 is not a valid value/);
        assert.throws(() => parsePolicyConfig("{"), PolicyConfigError);
    });

    it("reconciles defaults, initial config and given config like the engine", () => {
        const r = reconcilePolicyConfig(policies, { b: { enforcementLevel: "advisory" } }, { all: { enforcementLevel: "mandatory" }, a: { properties: { n: 5 } } });
        assert.deepEqual(r.get("a"), { enforcementLevel: "mandatory", properties: { n: 5 } });
        assert.deepEqual(r.get("b"), { enforcementLevel: "mandatory", properties: undefined });
        assert.deepEqual(reconcilePolicyConfig(policies, undefined, undefined).get("a"), { enforcementLevel: "advisory", properties: { n: 3 } });
        assert.throws(() => reconcilePolicyConfig(policies, undefined, { a: { properties: { n: 0 } } }), /a: n: must be greater than or equal to 1/);
    });

    it("validates JSON schema keywords", () => {
        const s = {
            type: "object",
            required: ["tags"],
            additionalProperties: false,
            properties: {
                tags: { type: "array", items: { type: "string", pattern: "^[a-z]+$" }, uniqueItems: true },
                days: { type: "number", exclusiveMinimum: 0, maximum: 3650 },
                mode: { enum: ["x", "y"] },
                link: { type: "boolean" },
            },
        };
        assert.deepEqual(validateJsonSchema(s, { tags: ["a", "b"], days: 30, mode: "x", link: true }), []);
        assert.deepEqual(validateJsonSchema(s, { tags: ["a", "a", "B"], days: 0, mode: "z", extra: 1 }), [
            "tags: array items must be unique",
            "tags.2: does not match pattern '^[a-z]+$'",
            "days: must be greater than 0",
            'mode: must be one of the following: "x", "y"',
            "additional property extra is not allowed",
        ]);
        assert.deepEqual(validateJsonSchema(s, { days: "1" }), ["tags is required", "days: invalid type. Expected: number, given: string"]);
        assert.deepEqual(validateJsonSchema({ type: "integer" }, 1.5), ["invalid type. Expected: integer, given: number"]);
    });
});

describe("formats", () => {
    it("separates the SDK's description prefix from the message", () => {
        assert.equal(messageBody({ description: "D.", message: "D.\nmore" }), "more");
        assert.equal(messageBody({ description: "D.", message: "D." }), "");
        assert.equal(messageBody({ description: "D.", message: "other" }), "other");
    });

    it("the SARIF validator rejects what SARIF 2.1.0 forbids", () => {
        assert.deepEqual(validateSarif({ version: "2.1.0", runs: [] }), []);
        const bad = {
            version: "2.1.0",
            runs: [
                {
                    tool: { driver: { rules: [{ id: "r", defaultConfiguration: { level: "fatal" } }] } },
                    results: [
                        { ruleId: "r", ruleIndex: 1, level: "error", message: {}, locations: [{ physicalLocation: { region: { startLine: 0 } } }] },
                        { ruleId: "r", message: { text: "x" }, severity: "high" },
                    ],
                },
            ],
        };
        assert.deepEqual(validateSarif(bad), [
            '$.runs[0].tool.driver: toolComponent requires "name"',
            '$.runs[0].tool.driver.rules[0].defaultConfiguration.level: "fatal" is not one of none, note, warning, error',
            "$.runs[0].results[0].message: message requires one of text or id",
            "$.runs[0].results[0].locations[0].physicalLocation: physicalLocation requires one of address or artifactLocation",
            "$.runs[0].results[0].locations[0].physicalLocation.region.startLine: 0 is below the minimum 1",
            '$.runs[0].results[1]: property "severity" is not allowed on result',
            "$.runs[0].results[0]: ruleIndex 1 does not name rule r",
        ]);
    });

    it("markdown escapes table cells and stays under the comment limit", () => {
        const report = {
            stack: "a|b",
            project: "p",
            preview: true,
            strict: false,
            pack: { name: "pk", version: "1.0.0", policies: [] },
            findings: Array.from({ length: 400 }, (_, i) => ({
                stack: "a|b",
                policyName: `p${i}`,
                policyPackName: "pk",
                policyPackVersion: "1.0.0",
                description: "d",
                message: `d\n${"x".repeat(300)}`,
                enforcementLevel: "advisory" as const,
                configuredEnforcementLevel: "advisory" as const,
                kind: "resource" as const,
                urn: "urn:pulumi:s::p::t::n",
                resourceType: "t",
                resourceName: "n",
                blocking: false,
            })),
            remediations: [],
            summary: { resources: 1, mandatory: 0, advisory: 400, unknownDowngrades: 0, mandatoryUnknownDowngrades: 0, remediations: 0, blocking: 0 },
            packLogs: [],
            timings: { configureMs: 0, analyzeMs: 0, analyzeCalls: 0, analyzeStackMs: 0, totalMs: 0 },
        } satisfies StackPolicyReport;
        const md = formatMarkdown([report], { maxLength: 10_000 });
        assert.match(md, /^\| a\\\|b \| ✅ pass /m);
        assert.ok(md.length <= 10_000, `length ${md.length}`);
        assert.match(md, /truncated/);
    });
});

describe("cli arguments", () => {
    it("accepts repeated and comma-separated stacks and a format per output", () => {
        const a = parseArgs(["--stack", "dev,prod", "--stack=qa", "--strict", "--format", "sarif", "--output", "out/p.sarif", "--format", "text"]);
        assert.deepEqual(a.stacks, ["dev", "prod", "qa"]);
        assert.deepEqual(a.outputs, [{ format: "sarif", file: "out/p.sarif" }, { format: "text" }]);
        assert.equal(a.strict, true);
        assert.deepEqual(parseArgs(["-s", "dev"]).outputs, [{ format: "text" }]);
    });

    it("rejects bad usage", () => {
        for (const argv of [[], ["--stack"], ["--stack", "dev", "--format", "xml"], ["--stack", "dev", "--output", "x"], ["--stack", "dev", "--format", "json", "--format", "text"], ["--stack", "dev", "--bogus"], ["--stack", "dev,dev"]]) {
            assert.throws(() => parseArgs(argv), UsageError, JSON.stringify(argv));
        }
    });
});
