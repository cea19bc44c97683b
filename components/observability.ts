/**
 * Everything logged, and an operator told when it matters:
 * - a Log Analytics workspace (retention from configuration, Entra ID-only access);
 * - a diagnostic setting on the hub, DPS, the Cosmos DB account, the Event Hubs namespace, the ingest
 *   function app and its storage (blob service) that sends every resource log (`allLogs` category
 *   group) and every platform metric to the workspace;
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

export type MonitoredService = "iotHub" | "dps" | "cosmos" | "eventHubs" | "functionApp" | "functionStorage" | "appInsights";

/** ARM resource types, as Azure Monitor names metric namespaces. */
export const METRIC_NAMESPACES: Record<MonitoredService, string> = {
    iotHub: "Microsoft.Devices/IotHubs",
    dps: "Microsoft.Devices/provisioningServices",
    cosmos: "Microsoft.DocumentDB/databaseAccounts",
    eventHubs: "Microsoft.EventHub/namespaces",
    functionApp: "Microsoft.Web/sites",
    functionStorage: "Microsoft.Storage/storageAccounts/blobServices",
    appInsights: "microsoft.insights/components",
};

/**
 * Services that get no diagnostic setting of their own: Application Insights is workspace-based, its
 * telemetry is already in the workspace.
 */
const NO_DIAGNOSTIC_SETTING: ReadonlySet<MonitoredService> = new Set(["appInsights"]);

/**
 * The diagnostic-setting metric category that carries all of a service's platform metrics. IoT
 * Hub, DPS, Event Hubs and App Service (function apps) expose `AllMetrics`; Cosmos DB exposes its
 * platform metrics under its single metric category, `Requests`, and a storage service under
 * `Transaction` (the category of its transaction metrics in the Blob Storage monitoring reference,
 * MicrosoftDocs/azure-docs articles/storage/blobs/monitor-blob-storage-reference.md); neither has an
 * `AllMetrics` category, and Azure rejects an unknown category.
 */
export const ALL_METRICS_CATEGORY: Record<MonitoredService, string> = {
    iotHub: "AllMetrics",
    dps: "AllMetrics",
    cosmos: "Requests",
    eventHubs: "AllMetrics",
    functionApp: "AllMetrics",
    functionStorage: "Transaction",
    appInsights: "AllMetrics",
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
/** A further condition of a static rule: the alert fires when all of them hold. */
export interface AlertCondition {
    metricName: string;
    timeAggregation: "Average" | "Minimum" | "Maximum" | "Total" | "Count";
    dimensions?: { name: string; operator: "Include" | "Exclude"; values: string[] }[];
    operator: "GreaterThan" | "GreaterThanOrEqual" | "LessThan" | "LessThanOrEqual";
    threshold: number;
}
export type AlertRule =
    | (AlertBase & { kind: "static"; operator: "GreaterThan" | "GreaterThanOrEqual" | "LessThan" | "LessThanOrEqual"; threshold: number; also?: AlertCondition[] })
    | (AlertBase & { kind: "dynamic"; operator: "LessThan" | "GreaterThan" | "GreaterOrLessThan"; sensitivity: "Low" | "Medium" | "High"; failingPeriods: { of: number; min: number } });

/**
 * The failures an operator must hear about. Metric names are Azure Monitor's (supported metrics of
 * Microsoft.Devices/IotHubs, Microsoft.Devices/provisioningServices,
 * Microsoft.DocumentDB/databaseAccounts, Microsoft.EventHub/namespaces and
 * microsoft.insights/components in MicrosoftDocs/azure-reference-other
 * azure-monitor-ref/supported-metrics, and the IoT Hub monitoring reference for the routing
 * metrics' dimensions).
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
        name: "hub-routing-delivery-failures",
        service: "iotHub",
        kind: "static",
        description: "IoT Hub message routing fails to deliver to an endpoint (the Event Hubs endpoint refuses the hub's identity, its firewall or the egress list blocks it, or the built-in endpoint is unhealthy): telemetry stops reaching the ingest function or the consumer groups. One alert per endpoint.",
        severity: 1,
        // Result is success or failure; EndpointName the routing endpoint (monitor-iot-hub-reference.md, "Metric dimensions").
        metricName: "RoutingDeliveries",
        timeAggregation: "Total",
        dimensions: [
            { name: "Result", operator: "Include", values: ["failure"] },
            { name: "EndpointName", operator: "Include", values: ["*"] },
        ],
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
        name: "ingest-function-failures",
        service: "appInsights",
        kind: "static",
        description: "The telemetry-ingest function fails executions (Cosmos DB refuses writes, the identity lost a role, malformed events): each failed execution is a batch of telemetry the function will retry or lose.",
        severity: 1,
        // Function executions are recorded as requests in Application Insights; Microsoft.Web/sites has no failure metric for them.
        metricName: "requests/failed",
        timeAggregation: "Count",
        operator: "GreaterThan",
        threshold: 0,
        evaluationFrequency: "PT5M",
        windowSize: "PT15M",
    },
    {
        name: "ingest-stalled",
        service: "eventHubs",
        kind: "static",
        description: "Telemetry arrives in the telemetry event hub but nothing reads it: the ingest function is stopped, cannot connect or is failing before it reads, and its backlog grows until the retention drops events. (Event Hubs Standard has no consumer-lag metric; incoming without outgoing messages is its sign.)",
        severity: 1,
        metricName: "IncomingMessages",
        timeAggregation: "Total",
        dimensions: [{ name: "EntityName", operator: "Include", values: ["telemetry"] }],
        operator: "GreaterThan",
        threshold: 0,
        also: [{ metricName: "OutgoingMessages", timeAggregation: "Total", dimensions: [{ name: "EntityName", operator: "Include", values: ["telemetry"] }], operator: "LessThan", threshold: 1 }],
        evaluationFrequency: "PT5M",
        windowSize: "PT15M",
    },
    {
        name: "eventhubs-throttled",
        service: "eventHubs",
        kind: "static",
        description: "The Event Hubs namespace throttles requests: its throughput unit is too small for the telemetry rate, so the hub's deliveries and the function's reads slow down.",
        severity: 2,
        metricName: "ThrottledRequests",
        timeAggregation: "Total",
        operator: "GreaterThan",
        threshold: 0,
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
    /**
     * Names the diagnostic setting when a service has more than one resource (the API's function
     * app beside the ingest function's); default the service. Alert rules watch the resources
     * without a key.
     */
    key?: string;
    /** The resource; its `id` is the diagnostic setting's `resourceUri` and the alerts' scope. */
    resource: pulumi.CustomResource;
    /** A sub-resource that takes the diagnostic setting instead (a storage account's blob service). */
    diagnosticsUri?: pulumi.Input<string>;
}

export interface ObservabilityArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    tags: Record<string, string>;
    /** Workspace plus diagnostic settings; omitted: none. */
    diagnostics?: { workspaceName: string; retentionDays: number };
    /** Alert rules and their action group; omitted: none. */
    alerts?: { actionGroupName: string; shortName: string; emails: string[]; rulePrefix: string; rules?: readonly AlertRule[] };
}

/**
 * Created early (the workspace also backs the ingest function's Application Insights); `watch`
 * then adds the diagnostic settings and alert rules of the resources built in between.
 */
export class Observability extends pulumi.ComponentResource {
    public readonly workspace?: operationalinsights.Workspace;
    public readonly diagnosticSettings: Partial<Record<string, monitor.DiagnosticSetting>>;
    public readonly actionGroup?: monitor.ActionGroup;
    public readonly alerts: Record<string, monitor.MetricAlert>;
    private readonly args: ObservabilityArgs;
    private watched = false;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:monitoring:Observability", name, {}, opts);
        const { resourceGroupName, location, tags } = args;
        this.args = args;
        this.diagnosticSettings = {};
        this.alerts = {};

        if (args.diagnostics) {
            if (args.diagnostics.workspaceName.length < 4 || args.diagnostics.workspaceName.length > 63) {
                throw new Error(`Observability: workspace name "${args.diagnostics.workspaceName}" must be 4-63 characters`);
            }
            this.workspace = new operationalinsights.Workspace(
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
        }

        if (args.alerts) {
            const { emails, shortName } = args.alerts;
            if (emails.length === 0) throw new Error("Observability: alerts need at least one e-mail receiver");
            if (shortName.length < 1 || shortName.length > 12) throw new Error(`Observability: action group short name "${shortName}" must be 1-12 characters`);
            this.actionGroup = new monitor.ActionGroup(
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
        }
    }

    /** Diagnostic settings and alert rules for the resources (DPS only when the stack deploys it). Call once. */
    watch(resources: MonitoredResource[]): void {
        if (this.watched) throw new Error("Observability: watch() is called once, with every monitored resource");
        this.watched = true;
        const { resourceGroupName, location, tags } = this.args;
        const args = { ...this.args, resources };
        const workspace = this.workspace;
        if (workspace) {
            for (const { service, key, resource, diagnosticsUri } of resources) {
                if (NO_DIAGNOSTIC_SETTING.has(service)) continue;
                this.diagnosticSettings[key ?? service] = new monitor.DiagnosticSetting(
                    `diag-${key ?? service}`,
                    {
                        name: DIAGNOSTIC_SETTING_NAME,
                        resourceUri: diagnosticsUri ?? resource.id,
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

        const actionGroup = this.actionGroup;
        if (args.alerts && actionGroup) {
            const byService = new Map(args.resources.filter((r) => r.key === undefined).map((r) => [r.service, r.resource]));
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
                              allOf: [
                                  { ...common, criterionType: "StaticThresholdCriterion", operator: rule.operator, threshold: rule.threshold },
                                  ...(rule.also ?? []).map((c, i) => ({
                                      name: `condition-${i + 2}`,
                                      metricNamespace: namespace,
                                      metricName: c.metricName,
                                      timeAggregation: c.timeAggregation,
                                      dimensions: c.dimensions ?? [],
                                      criterionType: "StaticThresholdCriterion" as const,
                                      operator: c.operator,
                                      threshold: c.threshold,
                                  })),
                              ],
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
