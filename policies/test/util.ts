/** Assertions shared by the rule tests. */
import assert from "node:assert/strict";
import type { PackResourcePolicy, PackStackPolicy } from "../lib/define";
import { TOKENS, type TokenKind } from "../lib/tokens";
import { runResource, runStack, type RunResult, type StackInput } from "./runPolicies";

export interface RunOptions {
    config?: Record<string, unknown>;
    name?: string;
    /** Use the v2 alias token instead of the v3 token. */
    v2?: boolean;
    /** Send it as the generic ARM resource (azure-native:resources:Resource); `props` carries its ARM type. */
    generic?: boolean;
}

/** Runs a resource policy on one resource of the given kind. */
export function check(policy: PackResourcePolicy, kind: TokenKind, props: unknown, o: RunOptions = {}): RunResult {
    const tokens = TOKENS[kind] as readonly string[];
    const type = o.generic ? TOKENS.genericResource[0] : o.v2 ? tokens[1] : tokens[0];
    assert.ok(type !== undefined, `no ${o.v2 ? "v2" : "v3"} token for ${kind}`);
    return runResource(policy, { type, name: o.name ?? `test-${kind}`, props }, o.config);
}

export function checkStack(policy: PackStackPolicy, resources: StackInput[], config?: Record<string, unknown>): RunResult {
    return runStack(policy, resources, config);
}

function dump(r: RunResult): string {
    return JSON.stringify(r, null, 1);
}

export function assertPasses(r: RunResult): void {
    assert.deepEqual(r.violations, [], `expected no violation:\n${dump(r)}`);
    assert.deepEqual(r.cannotRun, [], `expected the rule to run:\n${dump(r)}`);
}

/**
 * Asserts that the policy reported exactly one violation, whose message carries the policy's
 * baseline id and matches `message`.
 */
export function assertViolation(r: RunResult, policy: { name: string; baselineId: string }, message: RegExp): void {
    assert.equal(r.cannotRun.length, 0, `the rule could not run:\n${dump(r)}`);
    assert.equal(r.violations.length, 1, `expected exactly one violation:\n${dump(r)}`);
    const v = r.violations[0];
    assert.equal(v.policy, policy.name);
    assert.ok(v.message.startsWith(`${policy.baselineId}: `), `message should start with the baseline id: ${v.message}`);
    assert.match(v.message, message);
}

/** At least one violation matches (for mutations that legitimately trip several checks). */
export function assertSomeViolation(r: RunResult, policy: { name: string }, message: RegExp): void {
    assert.ok(r.violations.length > 0, `expected violations:\n${dump(r)}`);
    assert.ok(r.violations.every((v) => v.policy === policy.name));
    assert.ok(r.violations.some((v) => message.test(v.message)), `no violation matches ${String(message)}:\n${dump(r)}`);
}

/** The rule needed a value unknown at preview: CrossGuard reports it as advisory "can't run". */
export function assertCannotRun(r: RunResult, path: RegExp): void {
    assert.equal(r.cannotRun.length, 1, `expected the rule to wait for an unknown value:\n${dump(r)}`);
    assert.match(r.cannotRun[0].message, path);
}

/** Deep copy and mutate. */
export function mutate<T>(x: T, f: (x: T) => void): T {
    const c = structuredClone(x);
    f(c);
    return c;
}
