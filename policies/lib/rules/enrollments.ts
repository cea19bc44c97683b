/**
 * Helpers shared by the `enrollments` rules (DPS-20, DPS-21, DPS-22, DPS-23, DPS-24) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { PolicyResource } from "@pulumi/policy";
import { isEnrollmentRecord } from "../enrollments";
import { needValue, peek } from "../unknowns";
import { isObj, lower } from "../values";

/** Runs deferred reads of unknown values at the end of a rule (CrossGuard reports the first as "can't run at preview"). */
export class Pending {
    private readonly reads: Array<() => unknown> = [];
    add(container: unknown, key: string | number): void {
        this.reads.push(() => needValue(container, key));
    }
    flush(): void {
        for (const r of this.reads) r();
    }
}

export function records(resources: PolicyResource[]): PolicyResource[] {
    return resources.filter(isEnrollmentRecord);
}

/** The record's attestation object, or undefined (with the read deferred) when it is unknown. */
export function attestationOf(r: PolicyResource, pending: Pending): Record<string, unknown> | undefined {
    const a = peek(r.props, "attestation");
    if (!a.known) {
        pending.add(r.props, "attestation");
        return undefined;
    }
    return isObj(a.value) ? a.value : {};
}

export function typeOf(att: Record<string, unknown>, pending: Pending): string | undefined {
    const t = peek(att, "type");
    if (!t.known) {
        pending.add(att, "type");
        return undefined;
    }
    return lower(t.value);
}
