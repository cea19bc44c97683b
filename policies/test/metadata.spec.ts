/**
 * Pack-level checks: every policy carries its baseline id, a description, remediation steps, a
 * severity and an enforcement level; config schemas have defaults; both per-stack config files set
 * every policy and only valid values; every baseline row is implemented, covered by another rule,
 * or listed n/a in the README; the README's rules x stacks table is current.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { readConfig, type PackPolicy } from "../lib/define";
import { allPolicies, ruleFamilies } from "../policies";
import { configTable, rulesTable } from "../scripts/rulesTable";

const range = (prefix: string, from: number, to: number, skip: number[] = []) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((n) => !skip.includes(n)).map((n) => `${prefix}-${String(n).padStart(2, "0")}`);

/** Every row of ../shared/reference/SECURITY-BASELINE.md. */
const BASELINE_IDS = [
    ...range("IOT", 1, 16),
    ...range("DPS", 1, 11),
    // DPS-2x: enrollment records (policies/rules/dps/dps-2x-*.ts), which the baseline does not list.
    ...range("DPS", 20, 24),
    ...range("COS", 1, 21, [8, 18]),
    ...range("AAD", 1, 13),
    ...range("DIAG", 1, 4),
    ...range("OTH", 2, 6),
];
/**
 * Ids the baseline has no row for, defined by this pack in the baseline's style for the telemetry
 * path (IoT Hub -> Event Hubs -> Flex Consumption function -> Cosmos DB); README.md documents each
 * one ("Pack-defined ids").
 */
const PACK_DEFINED_IDS = [
    "ROUTE-01",
    "OTH-07",
    ...range("EVH", 1, 5),
    ...range("FUNC", 1, 11),
    ...range("STG", 1, 5),
    ...range("AI", 1, 3),
];
const NOT_APPLICABLE = ["IOT-12", "DPS-08", "DPS-09"];
const COVERED_BY: Record<string, string> = { "IOT-13": "DIAG-01", "DPS-10": "DIAG-02", "IOT-16": "OTH-05" };

const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const configFile = (env: string) => JSON.parse(readFileSync(path.join(__dirname, "..", "config", `${env}.json`), "utf8")) as Record<string, Record<string, unknown>>;

function validate(value: unknown, schema: PolicyConfigJSONSchema, where: string): void {
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
        case "boolean":
            assert.equal(typeof value, "boolean", where);
            break;
        case "integer":
            assert.ok(Number.isInteger(value), where);
            break;
        case "number":
            assert.equal(typeof value, "number", where);
            break;
        case "string":
            assert.equal(typeof value, "string", where);
            break;
        case "array":
            assert.ok(Array.isArray(value), where);
            if (schema.items && typeof schema.items === "object" && !Array.isArray(schema.items)) {
                (value as unknown[]).forEach((v, i) => validate(v, schema.items as PolicyConfigJSONSchema, `${where}[${i}]`));
            }
            break;
        case "object":
            assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), where);
            if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
                for (const [k, v] of Object.entries(value)) validate(v, schema.additionalProperties, `${where}.${k}`);
            }
            break;
    }
    if (schema.enum) assert.ok(schema.enum.includes(value as never), `${where}: ${String(value)} not in ${JSON.stringify(schema.enum)}`);
    if (typeof schema.minimum === "number") assert.ok((value as number) >= schema.minimum, `${where} below minimum`);
    if (typeof schema.maximum === "number") assert.ok((value as number) <= schema.maximum, `${where} above maximum`);
}

describe("policy metadata", () => {
    it("policy names are unique", () => assert.equal(new Set(allPolicies.map((p) => p.name)).size, allPolicies.length));
    for (const p of allPolicies as PackPolicy[]) {
        it(`${p.name}: id in name and description, reviewer text, remediation, severity, level`, () => {
            assert.match(p.baselineId, /^(IOT|DPS|COS|AAD|DIAG|OTH|ROUTE|EVH|FUNC|STG|AI)-\d{2}$/);
            assert.ok(p.name.startsWith(p.baselineId.toLowerCase() + "-"), "name starts with the baseline id");
            assert.match(p.name, /^[a-z0-9-]+$/);
            assert.ok(p.description.startsWith(`${p.baselineId}: `), "description starts with the baseline id");
            assert.ok(p.description.length > 60, "description explains the rule");
            assert.ok((p.remediationSteps ?? "").length > 30, "remediation steps");
            assert.ok(p.severity !== undefined);
            assert.ok(p.anchors.length > 0, "anchors from the baseline");
            assert.equal(p.enforcementLevel, "mandatory");
        });
        if (p.configSchema) {
            it(`${p.name}: config schema has a default and description per property, and readConfig returns the defaults`, () => {
                const props = p.configSchema!.properties;
                const defaults: Record<string, unknown> = {};
                for (const [k, s] of Object.entries(props)) {
                    assert.ok("default" in s, `${k} has a default`);
                    assert.ok((s.description ?? "").length > 10, `${k} has a description`);
                    validate(s.default, s, `${p.name}.${k} default`);
                    defaults[k] = s.default;
                }
                assert.deepEqual(readConfig(undefined, props as never), defaults);
                assert.deepEqual(readConfig({ enforcementLevel: "advisory" }, props as never), defaults);
            });
        }
    }
    it("every rule family file contributes policies", () => {
        for (const [family, policies] of Object.entries(ruleFamilies)) assert.ok(policies.length > 0, family);
    });
});

for (const env of ["dev", "prod"]) {
    describe(`config/${env}.json`, () => {
        const file = configFile(env);
        it("sets every policy and only existing policies", () => {
            assert.deepEqual(Object.keys(file).sort(), allPolicies.map((p) => p.name).sort());
        });
        it("uses valid enforcement levels and config values that match each schema", () => {
            for (const p of allPolicies) {
                const { enforcementLevel, ...rest } = file[p.name];
                assert.ok(["advisory", "mandatory", "disabled"].includes(enforcementLevel as string), `${p.name} level`);
                for (const [k, v] of Object.entries(rest)) {
                    const schema = p.configSchema?.properties[k];
                    assert.ok(schema, `${p.name} has no config property ${k}`);
                    validate(v, schema, `${env}.${p.name}.${k}`);
                }
            }
        });
    });
}

describe("baseline coverage", () => {
    const implemented = new Set(allPolicies.map((p) => p.baselineId));
    for (const id of BASELINE_IDS) {
        it(`${id} is implemented, covered or listed n/a`, () => {
            if (implemented.has(id)) return;
            if (COVERED_BY[id]) {
                const by = allPolicies.filter((p) => p.baselineId === COVERED_BY[id]);
                assert.ok(by.some((p) => p.description.includes(id)), `${COVERED_BY[id]} says it covers ${id}`);
                assert.ok(readme.includes(`| ${id} |`), `README lists ${id}`);
                return;
            }
            assert.ok(NOT_APPLICABLE.includes(id), `${id} is neither implemented nor n/a`);
            assert.match(readme, new RegExp(`\\| ${id} \\| n/a`), `README lists ${id} as n/a with a reason`);
        });
    }
    it("no policy claims an id outside the baseline or the pack-defined ids", () => {
        for (const p of allPolicies) assert.ok(BASELINE_IDS.includes(p.baselineId) || PACK_DEFINED_IDS.includes(p.baselineId), p.name);
    });
    for (const id of PACK_DEFINED_IDS) {
        it(`${id} (pack-defined) is implemented and documented in the README`, () => {
            assert.ok(implemented.has(id), `${id} has no policy`);
            assert.match(readme, new RegExp(`\\| ${id} \\| [^|]*\\S[^|]* \\|`), `README's "Pack-defined ids" table lists ${id} with its meaning`);
            assert.ok(readme.slice(readme.indexOf("## Pack-defined ids")).includes(`| ${id} |`), `${id} is in the "Pack-defined ids" section`);
        });
    }
});

describe("README", () => {
    const between = (start: string, end: string) => readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end)).trim();
    it("rules x stacks table is current (regenerate: node --import tsx policies/scripts/rulesTable.ts --write)", () => {
        assert.equal(between("<!-- rules-table:start -->", "<!-- rules-table:end -->"), rulesTable());
    });
    it("config table is current", () => {
        assert.equal(between("<!-- config-table:start -->", "<!-- config-table:end -->"), configTable());
    });
});
