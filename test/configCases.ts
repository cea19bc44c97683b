/** Helpers for configuration tests: a stack's raw configuration with overrides, and its problems. */
import assert from "node:assert/strict";
import { ConfigError, parseConfig, type ConfigKey, type RawConfig } from "../config/schema";
import { rawConfigFrom } from "../config/load";
import { readStackConfig } from "../tools/offline/stackConfig";

/** The stack's configuration as the program reads it, with `overrides` (undefined removes a key). */
export function raw(stack: string, overrides: Record<string, unknown> = {}): RawConfig {
    const cfg = readStackConfig(stack, overrides);
    return rawConfigFrom(cfg.project, stack, cfg.values, (k) => cfg.secretKeys.includes(k));
}

/** Every problem parseConfig reports for the stack with `overrides`; fails if it accepts it. */
export function problems(stack: string, overrides: Record<string, unknown>): string[] {
    try {
        parseConfig(raw(stack, overrides));
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
        return e.problems;
    }
    assert.fail("configuration was accepted");
}

/** Asserts one of the problems is on `key` and matches `fragment`. */
export function rejects(stack: string, overrides: Record<string, unknown>, key: ConfigKey, fragment: RegExp): void {
    const found = problems(stack, overrides);
    assert.ok(found.some((p) => p.startsWith(`${key}: `) && fragment.test(p)), `expected a problem on ${key} matching ${String(fragment)}, got:\n${found.join("\n")}`);
}
