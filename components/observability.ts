/**
 * Everything logged, and an operator told when it matters:
 * - a Log Analytics workspace (retention from configuration, Entra ID-only access);
 * - a diagnostic setting on the hub, DPS and the Cosmos DB account that sends every resource log
 *   (`allLogs` category group) and every platform metric to the workspace;
 * - metric alert rules for the failures an operator must hear about, notifying an action group
 *   that mails the configured on-call addresses.
 *
 * Every diagnostic setting and alert takes the monitored resource's `id` output as its
 * `resourceUri` / scope, so it is created after the resource and linked to it in the plan (the
 * policy pack follows that link; ids are unknown at preview).
 */
import * as pulumi from "@pulumi/pulumi";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as monitor from "@pulumi/azure-native/monitor";

export type MonitoredService = "iotHub" | "dps" | "cosmos";

/** ARM resource types, as Azure Monitor names metric namespaces. */
export const METRIC_NAMESPACES: Record<MonitoredService, string> = {
    iotHub: "Microsoft.Devices/IotHubs",
    dps: "Microsoft.Devices/provisioningServices",
    cosmos: "Microsoft.DocumentDB/databaseAccounts",
};

/**
 * The diagnostic-setting metric category that carries all of a service's platform metrics. IoT
 * Hub and DPS expose `AllMetrics`; Cosmos DB exposes its platform metrics under its single metric
 * category, `Requests` (it has no `AllMetrics` category, and Azure rejects an unknown category).
 */
export const ALL_METRICS_CATEGORY: Record<MonitoredService, string> = {
    iotHub: "AllMetrics",
    dps: "AllMetrics",
    cosmos: "Requests",
};

export const DIAGNOSTIC_SETTING_NAME = "to-log-analytics";

interface AlertBase {
    /** Short name; the rule is called `<stack prefix>-<name>`. */
    name: string;
    service: MonitoredService;
    description: string;
    /** 0 critical .. 4 verbose. */
    severity: 0 | 1 | 2 | 3 | 4;
    evaluationFrequency: string;
    windowSize: string;
    metricName: string;
    timeAggregation: "Average" | "Minimum" | "Maximum" | "Total" | "Count";
    dimensions?: { name: string; operator: "Include" | "Exclude"; values: string[] }[];
}
export type AlertRule =
    | (AlertBase & { kind: "static"; operator: "GreaterThan" | "GreaterThanOrEqual" | "LessThan" | "LessThanOrEqual"; threshold: number })
    | (AlertBase & { kind: "dynamic"; operator: "LessThan" | "GreaterThan" | "GreaterOrLessThan"; sensitivity: "Low" | "Medium" | "High"; failingPeriods: { of: number; min: number } });

/**
 * The failures an operator must hear about. Metric names are Azure Monitor's (supported metrics of
 * Microsoft.Devices/IotHubs, Microsoft.Devices/provisioningServices and
 * Microsoft.DocumentDB/databaseAccounts).
 */
export const ALERT_RULES: readonly AlertRule[] = [
    {
        name: "hub-devices-disconnected",
        service: "iotHub",
        kind: "dynamic",
        description: "Connected devices dropped below what the fleet normally keeps connected at this time (network outage, expired or revoked device certificates, IP filter change).",
        severity: 1,
        metricName: "connectedDeviceCount",
        timeAggregation: "Average",
        operator: "LessThan",
        // Learns the fleet's daily pattern (it needs a few days of history before it fires).
        sensitivity: "Medium",
        failingPeriods: { of: 4, min: 2 },
        evaluationFrequency: "PT5M",
        windowSize: "PT5M",
    },
    {
        name: "hub-throttling",
        service: "iotHub",
        kind: "static",
        description: "Device-to-cloud telemetry is being throttled: the hub's units or tier are too small for the fleet's message rate.",
        severity: 2,
        metricName: "d2c.telemetry.ingress.sendThrottle",
        timeAggregation: "Total",
        operator: "GreaterThan",
        threshold: 0,
        evaluationFrequency: "PT1M",
        windowSize: "PT5M",
    },
    {
        name: "hub-telemetry-dropped",
        service: "iotHub",
        kind: "static",
        description: "Telemetry is being dropped by message routing (an endpoint is unreachable or refuses writes, e.g. the Cosmos DB route), so it never reaches the store.",
        severity: 1,
        metricName: "d2c.telemetry.egress.dropped",
        timeAggregation: "Total",
        operator: "GreaterThan",
        threshold: 0,
        evaluationFrequency: "PT5M",
        windowSize: "PT15M",
    },
    {
        name: "dps-registration-failures",
        service: "dps",
        kind: "static",
        description: "Devices fail to register with the provisioning service (untrusted or expired certificates, a CA missing during a rotation, or devices that are not ours).",
        severity: 2,
        metricName: "RegistrationAttempts",
        timeAggregation: "Total",
        // Every attempt whose status is not a success.
        dimensions: [{ name: "Status", operator: "Exclude", values: ["Success"] }],
        operator: "GreaterThan",
        threshold: 5,
        evaluationFrequency: "PT5M",
        windowSize: "PT15M",
    },
    {
        name: "cosmos-throttled-requests",
        service: "cosmos",
        kind: "static",
        description: "Cosmos DB answers 429 (request rate too large): the container or account throughput cap is too low for the telemetry rate.",
        severity: 2,
        metricName: "TotalRequests",
        timeAggregation: "Count",
        dimensions: [{ name: "StatusCode", operator: "Include", values: ["429"] }],
        operator: "GreaterThan",
        threshold: 10,
        evaluationFrequency: "PT5M",
        windowSize: "PT5M",
    },
];

export interface MonitoredResource {
    service: MonitoredService;
    /** The resource; its `id` is the diagnostic setting's `resourceUri` and the alerts' scope. */
    resource: pulumi.CustomResource;
}

export interface ObservabilityArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    /** The resources to watch (DPS only when the stack deploys it). */
    resources: MonitoredResource[];
    /** Workspace plus diagnostic settings; omitted: none. */
    diagnostics?: { workspaceName: string; retentionDays: number };
    /** Alert rules and their action group; omitted: none. */
    alerts?: { actionGroupName: string; shortName: string; emails: string[]; rulePrefix: string; rules?: readonly AlertRule[] };
}

export class Observability extends pulumi.ComponentResource {
    public readonly workspace?: operationalinsights.Workspace;
    public readonly diagnosticSettings: Partial<Record<MonitoredService, monitor.DiagnosticSetting>>;
    public readonly actionGroup?: monitor.ActionGroup;
    public readonly alerts: Record<string, monitor.MetricAlert>;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:monitoring:Observability", name, {}, opts);
        const { resourceGroupName, location, tags } = args;
        this.diagnosticSettings = {};
        this.alerts = {};

        if (args.diagnostics) {
            if (args.diagnostics.workspaceName.length < 4 || args.diagnostics.workspaceName.length > 63) {
                throw new Error(`Observability: workspace name "${args.diagnostics.workspaceName}" must be 4-63 characters`);
            }
            const workspace = new operationalinsights.Workspace(
                "workspace",
                {
                    workspaceName: args.diagnostics.workspaceName,
                    resourceGroupName,
                    location,
                    tags,
                    sku: { name: "PerGB2018" },
                    retentionInDays: args.diagnostics.retentionDays,
                    // Readers need Entra ID and rights on the workspace or on the resources the logs came from; no shared keys.
                    features: { disableLocalAuth: true, enableLogAccessUsingOnlyResourcePermissions: true },
                },
                { parent: this },
            );
            this.workspace = workspace;
            for (const { service, resource } of args.resources) {
                this.diagnosticSettings[service] = new monitor.DiagnosticSetting(
                    `diag-${service}`,
                    {
                        name: DIAGNOSTIC_SETTING_NAME,
                        resourceUri: resource.id,
                        workspaceId: workspace.id,
                        // Cosmos DB writes resource-specific tables (CDB*); the IoT services write AzureDiagnostics.
                        ...(service === "cosmos" ? { logAnalyticsDestinationType: "Dedicated" } : {}),
                        logs: [{ categoryGroup: "allLogs", enabled: true }],
                        metrics: [{ category: ALL_METRICS_CATEGORY[service], enabled: true }],
                    },
                    { parent: this },
                );
            }
        }

        if (args.alerts) {
            const { emails, shortName } = args.alerts;
            if (emails.length === 0) throw new Error("Observability: alerts need at least one e-mail receiver");
            if (shortName.length < 1 || shortName.length > 12) throw new Error(`Observability: action group short name "${shortName}" must be 1-12 characters`);
            const actionGroup = new monitor.ActionGroup(
                "oncall",
                {
                    actionGroupName: args.alerts.actionGroupName,
                    groupShortName: shortName,
                    resourceGroupName,
                    location: "global",
                    enabled: true,
                    tags,
                    emailReceivers: emails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
                },
                { parent: this },
            );
            this.actionGroup = actionGroup;
            const byService = new Map(args.resources.map((r) => [r.service, r.resource]));
            for (const rule of args.alerts.rules ?? ALERT_RULES) {
                const target = byService.get(rule.service);
                if (!target) continue;
                const namespace = METRIC_NAMESPACES[rule.service];
                const common = {
                    name: "condition",
                    metricNamespace: namespace,
                    metricName: rule.metricName,
                    timeAggregation: rule.timeAggregation,
                    dimensions: rule.dimensions ?? [],
                };
                const criteria: monitor.MetricAlertArgs["criteria"] =
                    rule.kind === "static"
                        ? {
                              odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                              allOf: [{ ...common, criterionType: "StaticThresholdCriterion", operator: rule.operator, threshold: rule.threshold }],
                          }
                        : {
                              odataType: "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria",
                              allOf: [
                                  {
                                      ...common,
                                      criterionType: "DynamicThresholdCriterion",
                                      operator: rule.operator,
                                      alertSensitivity: rule.sensitivity,
                                      failingPeriods: { numberOfEvaluationPeriods: rule.failingPeriods.of, minFailingPeriodsToAlert: rule.failingPeriods.min },
                                  },
                              ],
                          };
                this.alerts[rule.name] = new monitor.MetricAlert(
                    `alert-${rule.name}`,
                    {
                        ruleName: `${args.alerts.rulePrefix}-${rule.name}`,
                        resourceGroupName,
                        location: "global",
                        tags,
                        description: rule.description,
                        severity: rule.severity,
                        enabled: true,
                        autoMitigate: true,
                        scopes: [target.id],
                        targetResourceType: namespace,
                        targetResourceRegion: location,
                        evaluationFrequency: rule.evaluationFrequency,
                        windowSize: rule.windowSize,
                        criteria,
                        actions: [{ actionGroupId: actionGroup.id }],
                    },
                    { parent: this },
                );
            }
        }

        this.registerOutputs({
            workspaceId: this.workspace?.id,
            diagnosticSettings: Object.keys(this.diagnosticSettings),
            alerts: Object.keys(this.alerts),
        });
    }
}
