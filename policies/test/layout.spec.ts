/**
 * The pack's layout: one rule per file, `rules/<service>/<policy name>.ts`, so a rule is found by its
 * id (the folder is the id's prefix, the file name starts with the id). Every file under rules/
 * exports exactly one policy, named like the file; every policy of the pack has its file; no rule
 * file imports another rule file, and nothing in lib/ imports a rule (shared helpers live in lib/).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, it } from "node:test";
import type { PackPolicy } from "../lib/define";
import { allPolicies } from "../policies";

const PACK = path.join(__dirname, "..");
const RULES = path.join(PACK, "rules");

/** The folder under rules/ for each baseline id prefix. */
export const SERVICE_OF_PREFIX: Record<string, string> = {
    IOT: "iotHub",
    DPS: "dps",
    COS: "cosmos",
    AAD: "entra",
    DIAG: "diagnostics",
    OTH: "other",
    ROUTE: "routing",
    EVH: "eventHubs",
    FUNC: "functionApp",
    STG: "storage",
    AI: "appInsights",
};

function filesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Relative module specifiers of a file's imports and re-exports. */
function relativeImports(file: string): string[] {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) => m[1]!);
}

/** The test process loads TypeScript as CommonJS (tools/register.js); load each rule file the same way. */
const load = createRequire(__filename);

const isPolicy = (x: unknown): x is PackPolicy => typeof x === "object" && x !== null && typeof (x as PackPolicy).name === "string" && typeof (x as PackPolicy).baselineId === "string";

describe("layout: one rule per file", () => {
    const ruleFiles = filesUnder(RULES);

    it("rules/ holds only <service>/<name>.ts files", () => {
        for (const f of ruleFiles) assert.match(path.relative(RULES, f), /^[a-zA-Z]+\/[a-z0-9-]+\.ts$/, f);
    });

    it("every file under rules/ exports exactly one policy, named like the file, in the folder of its id", () => {
        const byName = new Map(allPolicies.map((p) => [p.name, p]));
        for (const f of ruleFiles) {
            const exported = Object.entries(load(f) as Record<string, unknown>).filter(([k]) => k !== "default" && k !== "__esModule");
            assert.equal(exported.length, 1, `${f} exports ${exported.map(([k]) => k).join(", ")}`);
            const policy = exported[0]![1];
            assert.ok(isPolicy(policy), `${f} exports no policy`);
            assert.equal(policy.name, path.basename(f, ".ts"), f);
            assert.ok(policy.name.startsWith(`${policy.baselineId.toLowerCase()}-`), `${policy.name} starts with its id ${policy.baselineId}`);
            assert.equal(path.basename(path.dirname(f)), SERVICE_OF_PREFIX[policy.baselineId.split("-")[0]!], `${f}: folder of ${policy.baselineId}`);
            assert.equal(byName.get(policy.name), policy, `${f}: the pack serves this very policy`);
        }
    });

    it("every policy of the pack has its own file", () => {
        const names = new Set(ruleFiles.map((f) => path.basename(f, ".ts")));
        assert.equal(ruleFiles.length, allPolicies.length);
        for (const p of allPolicies) assert.ok(names.has(p.name), `no file rules/*/${p.name}.ts`);
    });

    it("no rule file imports another rule file, and lib/ imports no rule", () => {
        for (const f of [...ruleFiles, ...filesUnder(path.join(PACK, "lib"))]) {
            for (const spec of relativeImports(f)) {
                const target = path.resolve(path.dirname(f), spec);
                assert.ok(!target.startsWith(RULES + path.sep), `${path.relative(PACK, f)} imports ${spec}`);
            }
        }
    });
});
