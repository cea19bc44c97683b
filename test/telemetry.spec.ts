/**
 * The telemetry path (issue 8): IoT Hub -> Event Hubs -> ingest function -> Cosmos DB, in both
 * stacks, read from the registrations the real program makes under mocks. The stacks' files
 * describe a first deployment (route off); the runs here model the second, with
 * `telemetryRouteEnabled: true`, in a preview (Azure-computed values unknown) and, for prod, an
 * update.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";
import { runStack } from "../tools/offline/runStack";
import { renderPlan } from "../tools/plan";
import type { CapturedResource, StackRun } from "../tools/offline/types";
import { INGEST_SETTINGS } from "../app/ingest/src/settings";
import { crc32, readFunctionPackage, MissingFunctionPackageError } from "../components/functionPackage";
import { FUNCTION_ROLES } from "../components/ingestFunction";
import { EVENT_HUBS_ROLES } from "../components/telemetryBus";
import { ConfigError } from "../config/schema";
import { TEST_INGEST_PACKAGE, all, one as oneOfType, plainOccurrences, reveal, unknownPaths } from "./support";

/**
 * One resource of a type (and name); where the API's app has the same kind of resource (plan,
 * app, storage, settings, roles, deployment: test/api.spec.ts), the ingest function's.
 */
function one(run: StackRun, type: string, name?: string): CapturedResource {
    const found = all(run, type).filter((r) => name === undefined || r.name === name);
    if (found.length > 1) {
        const ingest = found.filter((r) => r.parent.includes("secure-iot:compute:IngestFunction"));
        if (ingest.length === 1) return ingest[0];
    }
    return oneOfType(run, type, name);
}

const T = {
    hub: "azure-native:iothub:IotHubResource",
    namespace: "azure-native:eventhub:Namespace",
    rules: "azure-native:eventhub:NamespaceNetworkRuleSet",
    eventHub: "azure-native:eventhub:EventHub",
    consumerGroup: "azure-native:eventhub:ConsumerGroup",
    role: "azure-native:authorization:RoleAssignment",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    plan: "azure-native:web:AppServicePlan",
    app: "azure-native:web:WebApp",
    settings: "azure-native:web:WebAppApplicationSettings",
    ftp: "azure-native:web:WebAppFtpAllowed",
    scm: "azure-native:web:WebAppScmAllowed",
    storage: "azure-native:storage:StorageAccount",
    container: "azure-native:storage:BlobContainer",
    insights: "azure-native:applicationinsights:Component",
    deployment: "pulumi-nodejs:dynamic/web:FunctionPackageDeployment",
    cosmos: "azure-native:cosmosdb:DatabaseAccount",
    sqlRole: "azure-native:cosmosdb:SqlResourceSqlRoleAssignment",
    vnet: "azure-native:network:VirtualNetwork",
    alert: "azure-native:monitor:MetricAlert",
    diagnostic: "azure-native:monitor:DiagnosticSetting",
} as const;

const ROUTED = { telemetryRouteEnabled: true };
const runs: Record<"dev" | "prod" | "prodUp", StackRun> = {} as never;
before(async () => {
    runs.dev = await runStack("dev", { config: ROUTED });
    runs.prod = await runStack("prod", { config: ROUTED });
    runs.prodUp = await runStack("prod", { config: ROUTED, preview: false });
});

const stacks = () => [runs.dev, runs.prod];

function deps(run: StackRun, r: CapturedResource, property: string): CapturedResource[] {
    return (r.propertyDependencies[property] ?? []).map((urn) => {
        const found = run.resources.find((x) => x.urn === urn);
        assert.ok(found, `${r.name}.${property} depends on unregistered ${urn}`);
        return found;
    });
}
const linksTo = (run: StackRun, r: CapturedResource, property: string, target: CapturedResource) => deps(run, r, property).some((d) => d.urn === target.urn);
const functionSubnetId = (run: StackRun) => {
    const vnet = reveal(one(run, T.vnet).inputs);
    return `/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/${vnet.resourceGroupName}/providers/Microsoft.Network/virtualNetworks/${vnet.virtualNetworkName}/subnets/ingest-function`;
};

describe("hop 1: IoT Hub -> Event Hubs", () => {
    it("routes every device message to the namespace by the hub's system-assigned identity, and to the built-in endpoint beside it", () => {
        for (const run of stacks()) {
            const p = reveal(one(run, T.hub).inputs).properties;
            const namespace = reveal(one(run, T.namespace).inputs).namespaceName;
            assert.deepEqual(p.routing.endpoints.eventHubs, [
                {
                    name: "telemetry-eventhubs",
                    endpointUri: `sb://${namespace}.servicebus.windows.net`,
                    entityPath: "telemetry",
                    resourceGroup: reveal(one(run, T.hub).inputs).resourceGroupName,
                    subscriptionId: "00000000-1111-2222-3333-444444444444",
                    authenticationType: "identityBased",
                },
            ], `${run.stack}: identity-based, no identity named (the system-assigned one), no connection string`);
            assert.deepEqual(
                p.routing.routes.map((r: { name: string; source: string; condition: string; endpointNames: string[]; isEnabled: boolean }) => [r.name, r.source, r.condition, r.endpointNames, r.isEnabled]),
                [
                    ["telemetry-to-eventhubs", "DeviceMessages", "true", ["telemetry-eventhubs"], true],
                    ["telemetry-to-builtin", "DeviceMessages", "true", ["events"], true],
                ],
            );
            assert.deepEqual([p.routing.fallbackRoute.name, p.routing.fallbackRoute.endpointNames, p.routing.fallbackRoute.isEnabled], ["$fallback", ["events"], true]);
            assert.ok(p.allowedFqdnList.includes(`${namespace}.servicebus.windows.net`), "the namespace is on the egress list");
            assert.deepEqual(reveal(one(run, T.hub).inputs).identity, { type: "SystemAssigned" });
        }
    });
    it("keeps every IoT Hub input known at preview with the route on, so its policies stay mandatory", () => {
        for (const run of stacks()) assert.deepEqual(unknownPaths(one(run, T.hub).inputs), [], run.stack);
    });
    it("the namespace takes Entra ID only over TLS 1.2, and its firewall admits the hub as a trusted service and the function's subnet", () => {
        for (const run of stacks()) {
            const ns = reveal(one(run, T.namespace).inputs);
            assert.equal(ns.disableLocalAuth, true);
            assert.equal(ns.minimumTlsVersion, "1.2");
            assert.equal(ns.sku.name, "Standard");
            const rules = one(run, T.rules);
            const r = reveal(rules.inputs);
            assert.ok(linksTo(run, rules, "namespaceName", one(run, T.namespace)));
            assert.equal(r.publicNetworkAccess, "Enabled");
            assert.equal(r.defaultAction, "Deny");
            assert.equal(r.trustedServiceAccessEnabled, true);
            assert.deepEqual(r.ipRules, []);
            // At least one rule, or Event Hubs ignores Deny and admits every network.
            assert.deepEqual(r.virtualNetworkRules, [{ subnet: { id: functionSubnetId(run) }, ignoreMissingVnetServiceEndpoint: false }]);
            assert.ok(linksTo(run, rules, "virtualNetworkRules", one(run, T.vnet)));
        }
        assert.equal(reveal(one(runs.dev, T.eventHub).inputs).partitionCount, 2);
        assert.deepEqual([reveal(one(runs.prod, T.eventHub).inputs).partitionCount, reveal(one(runs.prod, T.eventHub).inputs).messageRetentionInDays], [8, 3]);
    });
    it("the hub's principal is Azure Event Hubs Data Sender on the event hub, once the hub exists", () => {
        const run = runs.prodUp;
        const hub = one(run, T.hub);
        const sender = reveal(one(run, T.role, "routing-eventhubs-sender").inputs);
        assert.match(sender.principalId, /^[0-9a-f-]{36}$/, "the system-assigned principal Azure created with the hub");
        assert.ok(one(run, T.role, "routing-eventhubs-sender").dependencies.includes(hub.urn));
        assert.equal(sender.roleDefinitionId.split("/").pop(), EVENT_HUBS_ROLES.dataSender);
        assert.match(sender.scope, /\/namespaces\/evhns-fleet-prod-[0-9a-f]{6}\/eventhubs\/telemetry$/);
    });
});

describe("hop 2: Event Hubs -> ingest function", () => {
    it("the function's identity receives from the event hub only, in its own consumer group", () => {
        for (const run of stacks()) {
            const identity = one(run, T.identity, "ingest");
            const receivers = all(run, T.role).filter((r) => r.name === "ingest-receiver");
            assert.equal(receivers.length, 1);
            assert.deepEqual(receivers[0].propertyDependencies.principalId, [identity.urn]);
            const r = reveal(receivers[0].inputs);
            assert.equal(r.roleDefinitionId.split("/").pop(), EVENT_HUBS_ROLES.dataReceiver);
            assert.match(r.scope, /\/eventhubs\/telemetry$/, "scoped to the event hub, not the namespace");
            assert.equal(reveal(one(run, T.consumerGroup).inputs).consumerGroupName, "ingest");
        }
    });
    it("runs on Flex Consumption (Node 22) with its user-assigned identity, in the function subnet, all traffic through it", () => {
        for (const run of stacks()) {
            const plan = reveal(one(run, T.plan).inputs);
            assert.deepEqual([plan.kind, plan.sku, plan.reserved], ["functionapp", { name: "FC1", tier: "FlexConsumption" }, true]);
            const appResource = one(run, T.app);
            const app = reveal(appResource.inputs);
            assert.equal(app.kind, "functionapp,linux");
            assert.ok(linksTo(run, appResource, "serverFarmId", one(run, T.plan)));
            assert.equal(app.identity.type, "UserAssigned");
            assert.ok(linksTo(run, appResource, "identity", one(run, T.identity, "ingest")));
            assert.deepEqual(app.functionAppConfig.runtime, { name: "node", version: "22" });
            assert.equal(app.virtualNetworkSubnetId, functionSubnetId(run));
            assert.deepEqual(app.outboundVnetRouting, { allTraffic: true });
            const dep = app.functionAppConfig.deployment.storage;
            const account = reveal(one(run, T.storage).inputs).accountName;
            assert.deepEqual(dep, {
                type: "blobContainer",
                value: `https://${account}.blob.core.windows.net/app-package`,
                authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: app.identity.userAssignedIdentities[0] },
            });
        }
        assert.deepEqual(reveal(one(runs.prod, T.app).inputs).functionAppConfig.scaleAndConcurrency, { instanceMemoryMB: 2048, maximumInstanceCount: 100 });
    });
    it("HTTPS only, TLS 1.2, no FTP, no basic publishing credentials, and a main site that refuses requests", () => {
        for (const run of stacks()) {
            const app = reveal(one(run, T.app).inputs);
            assert.equal(app.httpsOnly, true);
            assert.equal(app.siteConfig.minTlsVersion, "1.2");
            assert.equal(app.siteConfig.scmMinTlsVersion, "1.2");
            assert.equal(app.siteConfig.ftpsState, "Disabled");
            assert.equal(app.siteConfig.ipSecurityRestrictionsDefaultAction, "Deny");
            for (const type of [T.ftp, T.scm]) {
                const policy = one(run, type);
                assert.equal(reveal(policy.inputs).allow, false, type);
                assert.ok(linksTo(run, policy, "name", one(run, T.app)), `${type} applies to the function app`);
            }
        }
    });
    it("the app's own inputs are known at preview (what Azure assigns goes to its settings resource)", () => {
        for (const run of stacks()) assert.deepEqual(unknownPaths(one(run, T.app).inputs), [], run.stack);
    });
    it("sets the trigger, Cosmos DB and host storage connections by identity, per the app's contract", () => {
        const run = runs.prodUp;
        const settings = reveal(one(run, T.settings).inputs).properties as Record<string, string>;
        const clientId = reveal(run.resources.find((r) => r.type === T.identity && r.name === "ingest")!.inputs).resourceName;
        assert.ok(clientId, "the ingest identity exists");
        const identityClientId = reveal(run.outputs).ingestManagedIdentityClientId;
        const c = INGEST_SETTINGS.eventHubConnection;
        const namespace = reveal(one(run, T.namespace).inputs).namespaceName;
        assert.equal(settings[`${c}__fullyQualifiedNamespace`], `${namespace}.servicebus.windows.net`);
        assert.equal(settings[`${c}__credential`], "managedidentity");
        assert.equal(settings[`${c}__clientId`], identityClientId);
        assert.equal(settings[INGEST_SETTINGS.eventHubName], "telemetry");
        assert.equal(settings[INGEST_SETTINGS.consumerGroup], "ingest");
        assert.equal(settings[INGEST_SETTINGS.cosmosEndpoint], reveal(run.outputs).cosmosEndpoint);
        assert.equal(settings[INGEST_SETTINGS.cosmosDatabase], "iot");
        assert.equal(settings[INGEST_SETTINGS.cosmosContainer], "telemetry");
        assert.equal(settings[INGEST_SETTINGS.clientId], identityClientId);
        assert.equal(settings[INGEST_SETTINGS.ttlSeconds], String(90 * 24 * 3600));
        const account = reveal(one(run, T.storage).inputs).accountName;
        assert.deepEqual(
            [settings.AzureWebJobsStorage__credential, settings.AzureWebJobsStorage__clientId, settings.AzureWebJobsStorage__blobServiceUri],
            ["managedidentity", identityClientId, `https://${account}.blob.core.windows.net`],
        );
        assert.equal(settings.AzureWebJobsStorage, undefined, "no storage connection string");
        assert.equal(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING, `ClientId=${identityClientId};Authorization=AAD`);
        // Flex Consumption takes the runtime from functionAppConfig; these settings are not allowed there.
        for (const legacy of ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"]) {
            assert.equal(settings[legacy], undefined, legacy);
        }
    });
    it("host and deployment storage: shared keys off, no public blobs, TLS 1.2, HTTPS only, the function's subnet only", () => {
        for (const run of stacks()) {
            const s = reveal(one(run, T.storage).inputs);
            assert.equal(s.allowSharedKeyAccess, false);
            assert.equal(s.allowBlobPublicAccess, false);
            assert.equal(s.minimumTlsVersion, "TLS1_2");
            assert.equal(s.enableHttpsTrafficOnly, true);
            assert.equal(s.defaultToOAuthAuthentication, true);
            assert.deepEqual(s.networkRuleSet, { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [{ virtualNetworkResourceId: functionSubnetId(run), action: "Allow" }] });
            assert.equal(reveal(one(run, T.container).inputs).publicAccess, "None");
            const owner = one(run, T.role, "storage-blob-owner");
            assert.deepEqual(owner.propertyDependencies.principalId, [one(run, T.identity, "ingest").urn]);
            assert.equal(reveal(owner.inputs).roleDefinitionId.split("/").pop(), FUNCTION_ROLES.storageBlobDataOwner);
            assert.match(reveal(owner.inputs).scope, /\/providers\/Microsoft\.Storage\/storageAccounts\/st[a-z0-9]+$/);
        }
    });
    it("Application Insights is workspace-based, takes Entra ID only, and the identity publishes to it", () => {
        for (const run of stacks()) {
            const component = one(run, T.insights);
            const c = reveal(component.inputs);
            assert.equal(c.disableLocalAuth, true);
            assert.equal(c.ingestionMode, "LogAnalytics");
            assert.ok(linksTo(run, component, "workspaceResourceId", one(run, "azure-native:operationalinsights:Workspace")));
            const publisher = one(run, T.role, "metrics-publisher");
            assert.deepEqual(publisher.propertyDependencies.principalId, [one(run, T.identity, "ingest").urn]);
            assert.equal(reveal(publisher.inputs).roleDefinitionId.split("/").pop(), FUNCTION_ROLES.monitoringMetricsPublisher);
            assert.match(reveal(publisher.inputs).scope, /\/providers\/Microsoft\.Insights\/components\/appi-fleet-[a-z]+-[0-9a-f]{6}$/);
        }
    });
    it("without diagnostics there is no Application Insights, and no setting that points at one", async () => {
        const run = await runStack("dev", { config: { ...ROUTED, diagnosticsEnabled: false } });
        assert.deepEqual(all(run, T.insights), []);
        const settings = Object.keys(reveal(one(run, T.settings).inputs).properties);
        assert.ok(!settings.some((k) => k.startsWith("APPLICATIONINSIGHTS_")), settings.join(", "));
        assert.ok(settings.includes(`${INGEST_SETTINGS.eventHubConnection}__credential`));
    });
});

describe("hop 3: ingest function -> Cosmos DB", () => {
    it("the function's identity, and only it, writes; on the container only", () => {
        for (const run of stacks()) {
            const writers = all(run, T.sqlRole).filter((r) => reveal(r.inputs).roleDefinitionId.endsWith("/00000000-0000-0000-0000-000000000002"));
            assert.deepEqual(writers.map((w) => w.name), ["writer-ingest"], run.stack);
            assert.deepEqual(writers[0].propertyDependencies.principalId, [one(run, T.identity, "ingest").urn]);
            assert.match(reveal(writers[0].inputs).scope, /\/dbs\/iot\/colls\/telemetry$/);
        }
    });
    it("dev admits the function's subnet through the firewall (not all Azure, not the internet); prod stays private", () => {
        const dev = reveal(one(runs.dev, T.cosmos).inputs);
        assert.equal(dev.publicNetworkAccess, "Enabled");
        assert.deepEqual(dev.ipRules, [{ ipAddressOrRange: "203.0.113.0/24" }]);
        assert.equal(dev.isVirtualNetworkFilterEnabled, true);
        // The function's subnet, and the API's (it reads the container: test/api.spec.ts).
        assert.deepEqual(dev.virtualNetworkRules, [
            { id: functionSubnetId(runs.dev), ignoreMissingVNetServiceEndpoint: false },
            { id: functionSubnetId(runs.dev).replace(/ingest-function$/, "api-function"), ignoreMissingVNetServiceEndpoint: false },
        ]);
        assert.equal(dev.networkAclBypass, "None");
        assert.ok(!dev.ipRules.some((r: { ipAddressOrRange: string }) => r.ipAddressOrRange === "0.0.0.0"), "not all Azure datacenters");
        const prod = reveal(one(runs.prod, T.cosmos).inputs);
        assert.equal(prod.publicNetworkAccess, "Disabled");
        assert.deepEqual(prod.virtualNetworkRules, []);
        // The function resolves the account's private endpoint: its zone is linked to the function's network.
        const zones = all(runs.prod, "azure-native:privatedns:PrivateZone").map((z) => reveal(z.inputs).privateZoneName);
        assert.ok(zones.includes("privatelink.documents.azure.com") && zones.includes("privatelink.servicebus.windows.net"));
    });
    it("the code is deployed after every role it starts with exists", () => {
        for (const run of stacks()) {
            const deploy = one(run, T.deployment);
            for (const name of ["ingest-receiver", "storage-blob-owner", "metrics-publisher"]) assert.ok(deploy.dependencies.includes(one(run, T.role, name).urn), name);
            assert.ok(deploy.dependencies.includes(one(run, T.sqlRole, "writer-ingest").urn));
            assert.ok(deploy.dependencies.includes(one(run, T.settings).urn));
            assert.ok(deploy.dependencies.includes(one(run, T.scm).urn));
        }
    });
});

describe("no keys on the telemetry path", () => {
    const KEY_PATTERNS = [/AccountKey=/i, /SharedAccessKey=/i, /SharedAccessSignature/i, /[?&]sig=/i, /DefaultEndpointsProtocol=/i];
    it("no input or output of any resource carries a key or a key-bearing connection string (outside the secret DPS link)", () => {
        for (const run of [runs.prodUp]) {
            for (const r of run.resources) {
                for (const re of KEY_PATTERNS) {
                    const text = JSON.stringify(r.inputs);
                    if (r.type === "azure-native:deviceprovisioningservices:IotDpsResource") continue; // the dps-link secret, tested in platform.spec
                    assert.ok(!re.test(text), `${r.type} ${r.name} matches ${String(re)}`);
                }
            }
            for (const re of KEY_PATTERNS) assert.ok(!re.test(JSON.stringify(run.outputs)), `outputs match ${String(re)}`);
        }
        for (const run of [runs.dev, runs.prod]) {
            for (const type of ["azure-native:eventhub:EventHubAuthorizationRule", "azure-native:eventhub:NamespaceAuthorizationRule", "azure-native:storage:Blob"]) {
                assert.deepEqual(all(run, type), [], `${run.stack}: no ${type}`);
            }
        }
    });
    it("the Application Insights connection string names the component and its endpoints only", () => {
        const value = reveal(one(runs.prodUp, T.settings).inputs).properties.APPLICATIONINSIGHTS_CONNECTION_STRING as string;
        const fields = value.split(";").map((kv) => kv.slice(0, kv.indexOf("=")));
        assert.deepEqual(fields.sort(), ["ApplicationId", "IngestionEndpoint", "InstrumentationKey", "LiveEndpoint"]);
        assert.deepEqual(plainOccurrences(runs.prodUp.outputs, value), [], "not exported");
    });
});

describe("alerts on the telemetry path", () => {
    const criteriaOf = (name: string) => reveal(one(runs.prod, T.alert, `alert-${name}`).inputs).criteria.allOf;
    it("routing delivery failures, per endpoint", () => {
        const [c] = criteriaOf("hub-routing-delivery-failures");
        assert.deepEqual([c.metricNamespace, c.metricName, c.timeAggregation, c.operator, c.threshold], ["Microsoft.Devices/IotHubs", "RoutingDeliveries", "Total", "GreaterThan", 0]);
        assert.deepEqual(c.dimensions, [
            { name: "Result", operator: "Include", values: ["failure"] },
            { name: "EndpointName", operator: "Include", values: ["*"] },
        ]);
        assert.ok(linksTo(runs.prod, one(runs.prod, T.alert, "alert-hub-routing-delivery-failures"), "scopes", one(runs.prod, T.hub)));
        assert.deepEqual(all(runs.prod, T.alert).filter((a) => a.name === "alert-hub-telemetry-dropped"), [], "the dead-endpoint-only metric is gone");
    });
    it("the ingest function's failed executions, on its Application Insights", () => {
        const [c] = criteriaOf("ingest-function-failures");
        assert.deepEqual([c.metricNamespace, c.metricName, c.timeAggregation], ["microsoft.insights/components", "requests/failed", "Count"]);
        assert.ok(linksTo(runs.prod, one(runs.prod, T.alert, "alert-ingest-function-failures"), "scopes", one(runs.prod, T.insights)));
    });
    it("a stalled function: events come in, none go out, on the telemetry event hub", () => {
        const criteria = criteriaOf("ingest-stalled");
        assert.deepEqual(
            criteria.map((c: { metricNamespace: string; metricName: string; operator: string; threshold: number; dimensions: unknown }) => [c.metricNamespace, c.metricName, c.operator, c.threshold, c.dimensions]),
            [
                ["Microsoft.EventHub/namespaces", "IncomingMessages", "GreaterThan", 0, [{ name: "EntityName", operator: "Include", values: ["telemetry"] }]],
                ["Microsoft.EventHub/namespaces", "OutgoingMessages", "LessThan", 1, [{ name: "EntityName", operator: "Include", values: ["telemetry"] }]],
            ],
        );
        assert.ok(linksTo(runs.prod, one(runs.prod, T.alert, "alert-ingest-stalled"), "scopes", one(runs.prod, T.namespace)));
    });
    it("diagnostic settings cover the namespace, the function app and its storage's blob service", () => {
        const settings = all(runs.prodUp, T.diagnostic).map((d) => reveal(d.inputs).resourceUri as string);
        assert.ok(settings.some((u) => /\/Microsoft\.EventHub\/namespaces\/evhns-[^/]+$/.test(u)));
        assert.ok(settings.some((u) => /\/Microsoft\.Web\/sites\/func-[^/]+$/.test(u)));
        assert.ok(settings.some((u) => /\/Microsoft\.Storage\/storageAccounts\/st[a-z0-9]+\/blobServices\/default$/.test(u)));
    });
});

describe("the deployment package", () => {
    it("is deployed by content hash through the one-deploy provider, after the app, its settings and its roles, with paths that do not depend on the machine", () => {
        const pkg = readFunctionPackage(TEST_INGEST_PACKAGE, path.join(tmpdir(), "ingest-package-test"));
        for (const run of stacks()) {
            const resource = one(run, T.deployment);
            const deploy = reveal(resource.inputs);
            const app = reveal(one(run, T.app).inputs);
            assert.equal(deploy.packageSha256, pkg.sha256);
            assert.equal(deploy.appName, app.name);
            assert.equal(deploy.scmUrl, `https://${app.name}.scm.azurewebsites.net`);
            assert.equal(deploy.zipPath, `out/ingest-package/telemetry-ingest-${pkg.sha256.slice(0, 16)}.zip`);
            assert.deepEqual(deploy.files, ["dist/index.js", "host.json", "package.json"]);
            assert.equal(typeof resource.inputs.__provider, "string", "the provider travels with the resource, serialized");
            assert.deepEqual(unknownPaths(resource.inputs), [], `${run.stack}: every input known at preview`);
            for (const before of [one(run, T.app), one(run, T.settings), one(run, T.scm), one(run, T.role, "storage-blob-owner"), one(run, T.role, "ingest-receiver")]) {
                assert.ok(resource.dependencies.includes(before.urn), `${run.stack}: deployed after ${before.type} ${before.name}`);
            }
        }
        assert.equal(reveal(runs.prod.outputs).telemetry.packageSha256, pkg.sha256);
    });
    it("zips deterministically, and the zip holds the folder's files", () => {
        const a = readFunctionPackage(TEST_INGEST_PACKAGE, path.join(tmpdir(), "ingest-package-test-a"));
        const b = readFunctionPackage(TEST_INGEST_PACKAGE, path.join(tmpdir(), "ingest-package-test-b"));
        assert.equal(a.sha256, b.sha256);
        assert.deepEqual(a.files, ["dist/index.js", "host.json", "package.json"]);
        // Read it back through the central directory, as an unzip tool does.
        const zip = readFileSync(a.zipPath);
        const end = zip.length - 22;
        assert.equal(zip.readUInt32LE(end), 0x06054b50);
        const count = zip.readUInt16LE(end + 10);
        let at = zip.readUInt32LE(end + 16);
        const entries: Record<string, string> = {};
        for (let n = 0; n < count; n++) {
            assert.equal(zip.readUInt32LE(at), 0x02014b50);
            const [crc, size, nameLength, offset] = [zip.readUInt32LE(at + 16), zip.readUInt32LE(at + 20), zip.readUInt16LE(at + 28), zip.readUInt32LE(at + 42)];
            const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
            const dataStart = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
            const data = inflateRawSync(zip.subarray(dataStart, dataStart + size));
            assert.equal(crc32(data), crc, name);
            entries[name] = data.toString("utf8");
            at += 46 + nameLength;
        }
        assert.deepEqual(Object.keys(entries).sort(), a.files);
        assert.equal(entries["host.json"], readFileSync(path.join(TEST_INGEST_PACKAGE, "host.json"), "utf8"));
    });
    it("without the built package the program stops before registering anything, naming the build command", async () => {
        const registered: string[] = [];
        await assert.rejects(runStack("dev", { ingestPackageDir: path.join(tmpdir(), "no-such-ingest-package"), onRegister: (r) => registered.push(r.type) }), (e: unknown) => {
            assert.ok(e instanceof MissingFunctionPackageError, String(e));
            assert.match(e.message, /deployment package is missing.*npm run build:ingest/);
            return true;
        });
        assert.deepEqual(registered, []);
        assert.throws(() => readFunctionPackage(tmpdir()), /has no host\.json.*npm run build:ingest/);
        // A bad configuration is still reported first, as a ConfigError.
        await assert.rejects(runStack("dev", { ingestPackageDir: path.join(tmpdir(), "no-such-ingest-package"), config: { telemetryEventHubPartitions: 0 } }), ConfigError);
    });
});

describe("the offline plan shows the path with each hop's authentication", () => {
    it("routed: hub -> Event Hubs -> function -> Cosmos DB", () => {
        const plan = renderPlan(runs.prod);
        assert.match(plan, /Telemetry path \(docs\/TELEMETRY\.md\):/);
        assert.match(plan, /1\. IoT Hub iot-fleet-prod-\w+ -> Event Hubs sb:\/\/evhns-fleet-prod-\w+\.servicebus\.windows\.net\/telemetry: auth identityBased as the hub's SystemAssigned identity \(.*Azure Event Hubs Data Sender on telemetry\).*default Deny, trusted services true/);
        assert.match(plan, /2\. Event Hubs telemetry -> function func-fleet-prod-ingest-\w+: consumer group ingest, trigger connection TelemetryEventHub with credential managedidentity as id-fleet-prod-ingest \(ingest: Azure Event Hubs Data Receiver on evhns-fleet-prod-\w+\/telemetry\); network: namespace rule for the function subnet and a private endpoint/);
        assert.match(plan, /3\. function -> Cosmos DB cosmos-fleet-prod-\w+: Entra ID as id-fleet-prod-ingest, Built-in Data Contributor on cosmos-fleet-prod-\w+\/dbs\/iot\/colls\/telemetry; network: private endpoint/);
        assert.match(renderPlan(runs.dev), /3\. function -> Cosmos DB .*firewall 203\.0\.113\.0\/24.* plus the functions' subnets \(ingest-function; api-function\)/);
        assert.match(plan, /endpoints: telemetry-eventhubs: sb:\/\/evhns-[^ ]+\/telemetry auth identityBased \(system-assigned identity\)/);
    });
});
