/**
 * Resource logs: DIAG-01 (IoT Hub, also IOT-13), DIAG-02 (DPS, also DPS-10), DIAG-03 (Cosmos DB)
 * as stack rules that find each service's diagnostic setting through the propertyDependencies of
 * its `resourceUri` (the id is unknown at preview); DIAG-04 (diagnostic-setting hygiene) per setting.
 */
import type { DiagnosticSettingArgs } from "@pulumi/azure-native/monitor";
import type { PolicyResource } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule, stackRule } from "../lib/define";
import { StackGraph } from "../lib/graph";
import type { TokenKind } from "../lib/tokens";
import { isSetAt, knownElements, needDeep, peek } from "../lib/unknowns";
import { arr, isObj, isTrue, lower, show } from "../lib/values";

type DiagProps = Unwrap<DiagnosticSettingArgs>;

const DESTINATIONS = ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId"] as const;
const LOG_GROUPS = ["alllogs", "audit"];

function hasDestination(props: unknown): boolean {
    return DESTINATIONS.some((d) => isSetAt(props, d));
}

/**
 * Whether a setting enables the allLogs or audit category group. `undefined` when its logs are
 * unknown at preview (the caller waits for them).
 */
function enablesLogGroup(s: PolicyResource): boolean | undefined {
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

function resourceLogsRule(id: string, name: string, kind: TokenKind, what: string, also: string) {
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

export const diag01IotHubLogs = resourceLogsRule("DIAG-01", "diag-01-iot-hub-resource-logs", "iotHub", "IoT hub", " Also covers IOT-13.");
export const diag02DpsLogs = resourceLogsRule("DIAG-02", "diag-02-dps-resource-logs", "dps", "Device Provisioning Service", " Also covers DPS-10.");
export const diag03CosmosLogs = resourceLogsRule("DIAG-03", "diag-03-cosmos-resource-logs", "cosmosAccount", "Cosmos DB account", "");

export const diag04Hygiene = resourceRule<{ requireAllMetrics: boolean; allMetricsCategories: string[] }>({
    id: "DIAG-04",
    name: "diag-04-diagnostic-setting-hygiene",
    description:
        "Each diagnostic setting must enable something (no setting whose logs and metrics are all disabled), have a destination, and send the metric category that carries all of its service's platform metrics: AllMetrics, or Requests for Cosmos DB and Transaction for a storage blob service, which have no AllMetrics category (configurable).",
    remediationSteps:
        "Enable at least one log category group, add metrics: [{ category: \"AllMetrics\", enabled: true }] (\"Requests\" for Cosmos DB, \"Transaction\" for a blob service), and set workspaceId (or another destination).",
    severity: "low",
    anchors: "AVM",
    kinds: ["diagnosticSetting"],
    config: {
        requireAllMetrics: { type: "boolean", default: true, description: "Require the all-metrics category to be enabled." },
        allMetricsCategories: {
            type: "array",
            items: { type: "string" },
            default: ["AllMetrics", "Requests", "Transaction"],
            description: "Metric categories that carry all of a service's platform metrics (Cosmos DB exposes only Requests, a storage blob service Transaction and Capacity; Azure rejects categories a service does not have).",
        },
    },
    validate(props, { config, report }) {
        const p = props as DiagProps;
        const logs = arr<unknown>(p.logs).filter(isObj);
        const metrics = arr<unknown>(p.metrics).filter(isObj);
        const anyOn = [...logs, ...metrics].some((e) => isTrue(e["enabled"]));
        if (!anyOn) report(`every log and metric entry is disabled or absent (logs ${show(p.logs)}, metrics ${show(p.metrics)}); the setting collects nothing.`);
        if (!hasDestination(props)) report("no destination is set (workspaceId, storageAccountId, eventHubAuthorizationRuleId or marketplacePartnerId).");
        const all = config.allMetricsCategories.map((c) => c.toLowerCase());
        if (config.requireAllMetrics && !metrics.some((m) => all.includes(lower(m["category"]) ?? "") && isTrue(m["enabled"]))) {
            report(`metrics does not enable an all-metrics category (${config.allMetricsCategories.join(" or ")}).`);
        }
    },
});

export const diagnosticsPolicies = [diag01IotHubLogs, diag02DpsLogs, diag03CosmosLogs, diag04Hygiene];
