/**
 * Helpers shared by the `diagnostics` rules (DIAG-01, DIAG-02, DIAG-03, DIAG-04) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../define";
import { StackGraph } from "../graph";
import type { TokenKind } from "../tokens";
import { isSetAt, knownElements, needDeep, peek } from "../unknowns";
import { arr, isObj, isTrue, lower } from "../values";

export const DESTINATIONS = ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId"] as const;
export const LOG_GROUPS = ["alllogs", "audit"];

export function hasDestination(props: unknown): boolean {
    return DESTINATIONS.some((d) => isSetAt(props, d));
}

/**
 * Whether a setting enables the allLogs or audit category group. `undefined` when its logs are
 * unknown at preview (the caller waits for them).
 */
export function enablesLogGroup(s: PolicyResource): boolean | undefined {
    const logs = peek(s.props, "logs");
    if (!logs.known) return undefined;
    let unknownEntry = false;
    const list = arr<unknown>(logs.value);
    const known = knownElements(list);
    if (known.length < list.length) unknownEntry = true;
    for (const { value } of known) {
        if (!isObj(value)) continue;
        const group = peek(value, "categoryGroup");
        const enabled = peek(value, "enabled");
        if (!group.known || !enabled.known) {
            unknownEntry = true;
            continue;
        }
        if (LOG_GROUPS.includes(lower(group.value) ?? "") && isTrue(enabled.value)) return true;
    }
    return unknownEntry ? undefined : false;
}

export function resourceLogsRule(id: string, name: string, kind: TokenKind, what: string, also: string) {
    return stackRule({
        id,
        name,
        description: `Every ${what} in the program must send its resource logs (the allLogs or audit category group, enabled) to a destination (Log Analytics workspace, storage account, event hub or partner) through a monitor DiagnosticSetting whose resourceUri is the ${what}. The setting is linked to the ${what} through propertyDependencies, not the id.${also}`,
        remediationSteps: `Add a monitor.DiagnosticSetting with resourceUri: <${what}>.id, logs: [{ categoryGroup: "allLogs", enabled: true }], metrics: [{ category: "AllMetrics", enabled: true }] and workspaceId: <Log Analytics workspace id>.`,
        severity: "medium",
        anchors: "AP resource-log built-ins (IoTHub_AuditDiagnosticLog)",
        validate({ resources, report }) {
            const graph = new StackGraph(resources);
            const settings = graph.of("diagnosticSetting");
            const pending: Array<() => unknown> = [];
            for (const target of graph.of(kind)) {
                const mine = settings.filter((s) => graph.refersTo(s, "resourceUri", target, kind));
                let ok = false;
                const waiting: PolicyResource[] = [];
                for (const s of mine) {
                    const logs = enablesLogGroup(s);
                    if (logs === undefined) waiting.push(s);
                    else if (logs && hasDestination(s.props)) ok = true;
                }
                if (ok) continue;
                if (waiting.length > 0) {
                    // Logs not known yet: wait for them rather than guess.
                    pending.push(() => needDeep(waiting[0].props, "logs"));
                    continue;
                }
                report(
                    mine.length === 0
                        ? `${what} '${String(target.name)}' has no diagnostic setting: its resource logs are not collected.`
                        : `${what} '${String(target.name)}' has diagnostic settings, but none enables the allLogs or audit category group with a destination.`,
                    target.urn,
                );
            }
            if (pending.length > 0) pending[0]();
        },
    });
}
