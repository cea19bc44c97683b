/**
 * Production posture (issue 4), read from the registrations the real program makes under mocks
 * that model `pulumi preview`: private networking, observability, threat protection, protection
 * against loss, and the CA lifecycle, in both stacks. Links between resources are checked through
 * `propertyDependencies`, the way the policy pack's stack rules follow them (ids are unknown at
 * preview).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runStack } from "../tools/offline/runStack";
import { readStackConfig, REPO_ROOT } from "../tools/offline/stackConfig";
import { daysLeft } from "../tools/offline/resourceLines";
import { formerIdentities, renderPlan } from "../tools/plan";
import type { CapturedResource, StackRun } from "../tools/offline/types";
import { PRIVATE_DNS_ZONES } from "../components/privateNetwork";
import { ALERT_RULES, METRIC_NAMESPACES, type MonitoredService } from "../components/observability";
import { CONTOSO_CA_2024, all, stackRun, one as oneOfType, reveal, unknownPaths } from "./support";

/** One resource of a type (and name); where the API's function app has the same kind, the ingest function's (the API's: test/api.spec.ts). */
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
    /** The generic ARM resource at the DPS API version that links hubs by identity. */
    dps: "azure-native:resources:Resource",
    cosmos: "azure-native:cosmosdb:DatabaseAccount",
    database: "azure-native:cosmosdb:SqlResourceSqlDatabase",
    container: "azure-native:cosmosdb:SqlResourceSqlContainer",
    vnet: "azure-native:network:VirtualNetwork",
    nsg: "azure-native:network:NetworkSecurityGroup",
    endpoint: "azure-native:network:PrivateEndpoint",
    zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
    zone: "azure-native:privatedns:PrivateZone",
    zoneLink: "azure-native:privatedns:VirtualNetworkLink",
    workspace: "azure-native:operationalinsights:Workspace",
    diagnostic: "azure-native:monitor:DiagnosticSetting",
    actionGroup: "azure-native:monitor:ActionGroup",
    alert: "azure-native:monitor:MetricAlert",
    defenderIot: "azure-native:security:IotSecuritySolution",
    defenderCosmos: "azure-native:security:AdvancedThreatProtection",
    lock: "azure-native:authorization:ManagementLockByScope",
    hubCert: "azure-native:iothub:Certificate",
    dpsCert: "azure-native:deviceprovisioningservices:DpsCertificate",
} as const;

/** The stateful resources, by the key configuration and outputs use, and the v2 type each must alias. */
const STATEFUL = [
    { key: "iotHub", type: T.hub, v2: "azure-native:devices:IotHubResource" },
    { key: "dps", type: T.dps, v2: "azure-native:deviceprovisioningservices:IotDpsResource" },
    { key: "cosmosAccount", type: T.cosmos, v2: "azure-native:documentdb:DatabaseAccount" },
    { key: "cosmosDatabase", type: T.database, v2: "azure-native:documentdb:SqlResourceSqlDatabase" },
    { key: "cosmosContainer", type: T.container, v2: "azure-native:documentdb:SqlResourceSqlContainer" },
] as const;

/** The next CA of the PKI during a rotation. */
const NEXT_CA = CONTOSO_CA_2024;
const PROD_CA = (JSON.parse(readStackConfig("prod").values["secure-iot-platform:caCertificatePems"]) as string[])[0];

/** The resources an input property of `r` was computed from. */
function deps(run: StackRun, r: CapturedResource, property: string): CapturedResource[] {
    return (r.propertyDependencies[property] ?? []).map((urn) => {
        const found = run.resources.find((x) => x.urn === urn);
        assert.ok(found, `${r.name}.${property} depends on unregistered ${urn}`);
        return found;
    });
}
function linksTo(run: StackRun, r: CapturedResource, property: string, target: CapturedResource): boolean {
    return deps(run, r, property).some((d) => d.urn === target.urn);
}

const tempDirs: string[] = [];
after(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A program that builds the platform with former identities for two stateful resources. */
function programWithFormerIdentities(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "former-identities-"));
    tempDirs.push(dir);
    const file = path.join(dir, "index.ts");
    writeFileSync(
        file,
        [
            `import { createPlatform } from ${JSON.stringify(path.join(REPO_ROOT, "components", "platform"))};`,
            `import { loadPlatformConfig } from ${JSON.stringify(path.join(REPO_ROOT, "config", "load"))};`,
            "export const { privateNetwork } = createPlatform(loadPlatformConfig(), {",
            "    formerIdentities: {",
            '        iotHub: [{ name: "iothub" }],',
            '        cosmosAccount: [{ parent: "urn:pulumi:dev::secure-iot-platform::secure-iot:data:Telemetry::store" }],',
            "    },",
            "});",
            "",
        ].join("\n"),
    );
    return file;
}

const runs: Record<string, StackRun> = {};
before(async () => {
    // One process, one run at a time: the Pulumi runtime is global.
    runs.prod = await stackRun("prod");
    runs.dev = await stackRun("dev");
    // Two independent changes in one run (each stack run costs about a second; they touch disjoint
    // resources): the documented way to lift the guards on purpose, and a CA rotation in progress
    // (the current CA and the next one, both valid).
    runs.prodVariant = await runStack("prod", { config: { protectStatefulResources: false, lockStatefulResources: false, caCertificatePems: [PROD_CA, NEXT_CA] } });
    // Likewise: dev opting into the private network (for the services it chooses) and Defender for
    // IoT, built by a program that declares former identities for two stateful resources.
    runs.devVariant = await runStack("dev", {
        program: programWithFormerIdentities(),
        config: { privateNetworkEnabled: true, privateEndpointServices: ["cosmos"], defenderForIot: true },
    });
    runs.prodLifted = runs.prodVariant;
    runs.prodRotation = runs.prodVariant;
    runs.devOptIn = runs.devVariant;
    runs.devRenamed = runs.devVariant;
});

describe("private networking", () => {
    const SERVICES = [
        { groupId: "iotHub", type: T.hub },
        { groupId: "iotDps", type: T.dps },
        { groupId: "Sql", type: T.cosmos },
        { groupId: "namespace", type: "azure-native:eventhub:Namespace" },
    ] as const;

    it("prod: one private endpoint per service, with the service's group id, linked to the service", () => {
        const run = runs.prod;
        const endpoints = all(run, T.endpoint);
        assert.equal(endpoints.length, 4);
        for (const { groupId, type } of SERVICES) {
            const service = one(run, type);
            const matching = endpoints.filter((e) => linksTo(run, e, "privateLinkServiceConnections", service));
            assert.equal(matching.length, 1, `${groupId}: one endpoint links to the ${type}`);
            const [connection] = reveal(matching[0].inputs).privateLinkServiceConnections;
            assert.deepEqual(connection.groupIds, [groupId]);
        }
    });
    it("prod: every endpoint has a DNS zone group bound to the privatelink zones of its group id, each linked to the network", () => {
        const run = runs.prod;
        const vnet = one(run, T.vnet);
        for (const endpoint of all(run, T.endpoint)) {
            const groupId = reveal(endpoint.inputs).privateLinkServiceConnections[0].groupIds[0] as keyof typeof PRIVATE_DNS_ZONES;
            const groups = all(run, T.zoneGroup).filter((g) => linksTo(run, g, "privateEndpointName", endpoint));
            assert.equal(groups.length, 1, `${endpoint.name} has one zone group`);
            const zones = deps(run, groups[0], "privateDnsZoneConfigs");
            assert.deepEqual(zones.map((z) => z.type), zones.map(() => T.zone));
            assert.deepEqual(zones.map((z) => reveal(z.inputs).privateZoneName).sort(), [...PRIVATE_DNS_ZONES[groupId]].sort());
            for (const zone of zones) {
                const links = all(run, T.zoneLink).filter((l) => linksTo(run, l, "privateZoneName", zone));
                assert.equal(links.length, 1, `${reveal(zone.inputs).privateZoneName} is linked once`);
                assert.ok(linksTo(run, links[0], "virtualNetwork", vnet));
                assert.equal(reveal(links[0].inputs).registrationEnabled, false);
            }
            assert.ok(linksTo(run, endpoint, "subnet", vnet), "the endpoint sits in the network's subnet");
        }
    });
    it("uses the zone names Azure documents for each sub-resource", () => {
        assert.deepEqual(PRIVATE_DNS_ZONES, {
            iotHub: ["privatelink.azure-devices.net", "privatelink.servicebus.windows.net"],
            iotDps: ["privatelink.azure-devices-provisioning.net"],
            Sql: ["privatelink.documents.azure.com"],
            namespace: ["privatelink.servicebus.windows.net"],
        });
        assert.deepEqual(all(runs.prod, T.zone).map((z) => [reveal(z.inputs).privateZoneName, reveal(z.inputs).location]).sort(), [
            ["privatelink.azure-devices-provisioning.net", "global"],
            ["privatelink.azure-devices.net", "global"],
            ["privatelink.documents.azure.com", "global"],
            ["privatelink.servicebus.windows.net", "global"],
        ]);
    });
    it("prod: the network has the configured ranges, and the endpoint subnet admits only the services' TLS ports", () => {
        const vnet = reveal(one(runs.prod, T.vnet).inputs);
        assert.deepEqual(vnet.addressSpace.addressPrefixes, ["10.60.0.0/16"]);
        assert.deepEqual(vnet.subnets.map((s: { name: string }) => s.name), ["private-endpoints", "ingest-function", "api-function"]);
        const [subnet, functionSubnet, apiSubnet] = vnet.subnets;
        assert.equal(apiSubnet.addressPrefix, "10.60.3.0/24");
        assert.equal(apiSubnet.natGateway, undefined, "prod reaches the hub through its private endpoint: no egress address");
        assert.equal(functionSubnet.addressPrefix, "10.60.2.0/24");
        assert.deepEqual(functionSubnet.delegations.map((d: { serviceName: string }) => d.serviceName), ["Microsoft.App/environments"]);
        assert.equal(functionSubnet.networkSecurityGroup, undefined, "the endpoint NSG guards the endpoints, not the function's outbound traffic");
        assert.equal(subnet.addressPrefix, "10.60.1.0/24");
        assert.equal(subnet.privateEndpointNetworkPolicies, "Enabled", "NSG rules apply to private endpoints only with policies on");
        assert.equal(subnet.defaultOutboundAccess, false);
        const nsg = one(runs.prod, T.nsg);
        assert.ok(linksTo(runs.prod, one(runs.prod, T.vnet), "subnets", nsg), "the NSG is attached to the subnet");
        const rules = reveal(nsg.inputs).securityRules as { access: string; priority: number; sourceAddressPrefix: string; destinationPortRanges?: string[] }[];
        const allow = rules.filter((r) => r.access === "Allow");
        assert.deepEqual(allow.map((r) => r.sourceAddressPrefix), ["VirtualNetwork"], "nothing from the internet");
        // No plain AMQP (5672); no Cosmos DB direct-mode ports (the ingest function's JS SDK is gateway-only, 443).
        assert.deepEqual(allow[0].destinationPortRanges, ["443", "5671", "8883"]);
        assert.ok(rules.some((r) => r.access === "Deny" && r.priority === 4096), "a final deny-all");
    });
    it("prod: devices keep the hub's and DPS's public endpoints behind the IP allow lists; Cosmos DB is private only", () => {
        const hub = reveal(one(runs.prod, T.hub).inputs).properties;
        assert.equal(hub.publicNetworkAccess, "Enabled");
        assert.equal(hub.networkRuleSets.defaultAction, "Deny");
        assert.equal(reveal(one(runs.prod, T.dps).inputs).properties.publicNetworkAccess, "Enabled");
        assert.equal(reveal(one(runs.prod, T.cosmos).inputs).publicNetworkAccess, "Disabled");
    });
    it("the hub's inputs stay known at preview with everything attached to it", () => {
        for (const run of [runs.prod, runs.dev, runs.devOptIn]) assert.deepEqual(unknownPaths(one(run, T.hub).inputs), [], run.stack);
    });
    it("dev: a network for the ingest function only, no endpoints by default; opting in creates endpoints for the chosen services only", () => {
        for (const type of [T.endpoint, T.zone, T.zoneGroup, T.nsg]) assert.deepEqual(all(runs.dev, type), [], type);
        const vnet = reveal(one(runs.dev, T.vnet).inputs);
        assert.deepEqual(vnet.subnets.map((s: { name: string; addressPrefix: string }) => `${s.name} ${s.addressPrefix}`), ["ingest-function 10.20.2.0/24", "api-function 10.20.3.0/24"]);
        assert.deepEqual(
            vnet.subnets[0].serviceEndpoints.map((e: { service: string }) => e.service),
            ["Microsoft.EventHub", "Microsoft.Storage", "Microsoft.AzureCosmosDB"],
            "dev reaches its firewalled services through service endpoints",
        );
        assert.equal(reveal(runs.dev.outputs).privateNetwork, null);
        assert.deepEqual(reveal(runs.dev.outputs).platformNetwork, { virtualNetwork: "vnet-fleet-dev", functionSubnet: "10.20.2.0/24", apiSubnet: "10.20.3.0/24" });
        const endpoints = all(runs.devOptIn, T.endpoint);
        assert.equal(endpoints.length, 1);
        assert.ok(linksTo(runs.devOptIn, endpoints[0], "privateLinkServiceConnections", one(runs.devOptIn, T.cosmos)));
        assert.deepEqual(all(runs.devOptIn, T.zone).map((z) => reveal(z.inputs).privateZoneName), ["privatelink.documents.azure.com"]);
        assert.deepEqual(reveal(runs.devOptIn.outputs).privateNetwork, { virtualNetwork: "vnet-fleet-dev", endpointSubnet: "10.20.1.0/24", services: ["cosmos"] });
    });
});

describe("observability", () => {
    const MONITORED = [
        { service: "iotHub", type: T.hub, metrics: "AllMetrics" },
        { service: "dps", type: T.dps, metrics: "AllMetrics" },
        { service: "cosmos", type: T.cosmos, metrics: "Requests" },
        { service: "eventHubs", type: "azure-native:eventhub:Namespace", metrics: "AllMetrics" },
        { service: "functionApp", type: "azure-native:web:WebApp", metrics: "AllMetrics" },
        // The blob service of the function's storage: its metric category is Transaction.
        { service: "functionStorage", type: "azure-native:storage:StorageAccount", metrics: "Transaction" },
    ] as const;

    it("both stacks: a workspace with the stack's retention, and no shared-key access", () => {
        for (const [run, days] of [[runs.dev, 30], [runs.prod, 365]] as const) {
            const ws = reveal(one(run, T.workspace).inputs);
            assert.equal(ws.retentionInDays, days, run.stack);
            assert.equal(ws.sku.name, "PerGB2018");
            assert.equal(ws.features.disableLocalAuth, true);
        }
    });
    it("both stacks: all logs and all metrics of the hub, DPS, Cosmos DB and the telemetry path go to the workspace", () => {
        for (const run of [runs.dev, runs.prod]) {
            const workspace = one(run, T.workspace);
            const settings = all(run, T.diagnostic);
            // And the API's function app and its storage (test/api.spec.ts).
            assert.equal(settings.length, MONITORED.length + 2, run.stack);
            for (const { service, type, metrics } of MONITORED) {
                const target = one(run, type);
                const matching = settings.filter((d) => linksTo(run, d, "resourceUri", target));
                assert.equal(matching.length, 1, `${run.stack}: one diagnostic setting on the ${service}`);
                const d = reveal(matching[0].inputs);
                assert.deepEqual(d.logs, [{ categoryGroup: "allLogs", enabled: true }]);
                assert.deepEqual(d.metrics, [{ category: metrics, enabled: true }]);
                assert.ok(linksTo(run, matching[0], "workspaceId", workspace), "destination: the workspace");
            }
        }
    });
    it("prod: alert rules for the failures an operator must hear about, each on its resource, notifying on-call", () => {
        const run = runs.prod;
        const group = one(run, T.actionGroup);
        assert.deepEqual(reveal(group.inputs).emailReceivers.map((e: { emailAddress: string }) => e.emailAddress), ["platform-oncall@contoso.com", "iot-operations@contoso.com"]);
        const alerts = all(run, T.alert);
        assert.deepEqual(alerts.map((a) => a.name).sort(), ALERT_RULES.map((r) => `alert-${r.name}`).sort());
        const types: Record<MonitoredService, string> = {
            iotHub: T.hub,
            dps: T.dps,
            cosmos: T.cosmos,
            eventHubs: "azure-native:eventhub:Namespace",
            functionApp: "azure-native:web:WebApp",
            functionStorage: "azure-native:storage:StorageAccount",
            appInsights: "azure-native:applicationinsights:Component",
        };
        for (const rule of ALERT_RULES) {
            const alert = one(run, T.alert, `alert-${rule.name}`);
            const a = reveal(alert.inputs);
            assert.ok(linksTo(run, alert, "scopes", one(run, types[rule.service])), `${rule.name} watches the ${rule.service}`);
            assert.ok(linksTo(run, alert, "actions", group), `${rule.name} notifies on-call`);
            assert.equal(a.enabled, true);
            const [criterion] = a.criteria.allOf;
            assert.equal(criterion.metricNamespace, METRIC_NAMESPACES[rule.service]);
            assert.equal(criterion.metricName, rule.metricName);
        }
        // What each rule is about, by metric.
        const metric = (name: string) => reveal(one(run, T.alert, `alert-${name}`).inputs).criteria.allOf[0];
        assert.equal(metric("hub-devices-disconnected").metricName, "connectedDeviceCount");
        assert.equal(metric("hub-devices-disconnected").criterionType, "DynamicThresholdCriterion");
        assert.equal(metric("hub-throttling").metricName, "d2c.telemetry.ingress.sendThrottle");
        assert.deepEqual(metric("dps-registration-failures").dimensions, [{ name: "Status", operator: "Exclude", values: ["Success"] }]);
        assert.deepEqual(metric("cosmos-throttled-requests").dimensions, [{ name: "StatusCode", operator: "Include", values: ["429"] }]);
    });
    it("dev: no alerts and no action group", () => {
        assert.deepEqual(all(runs.dev, T.alert), []);
        assert.deepEqual(all(runs.dev, T.actionGroup), []);
    });
});

describe("threat protection", () => {
    it("prod: Defender for IoT lists the hub, Defender for Cosmos DB covers the account", () => {
        const run = runs.prod;
        const solution = one(run, T.defenderIot);
        assert.ok(linksTo(run, solution, "iotHubs", one(run, T.hub)));
        assert.ok(linksTo(run, solution, "workspace", one(run, T.workspace)));
        assert.equal(reveal(solution.inputs).status, "Enabled");
        const atp = one(run, T.defenderCosmos);
        assert.ok(linksTo(run, atp, "resourceId", one(run, T.cosmos)));
        assert.deepEqual([reveal(atp.inputs).isEnabled, reveal(atp.inputs).settingName], [true, "current"]);
    });
    it("dev: off by default, and each switch works on its own", () => {
        assert.deepEqual(all(runs.dev, T.defenderIot), []);
        assert.deepEqual(all(runs.dev, T.defenderCosmos), []);
        assert.equal(all(runs.devOptIn, T.defenderIot).length, 1);
        assert.deepEqual(all(runs.devOptIn, T.defenderCosmos), []);
    });
});

describe("nothing lost by accident", () => {
    it("prod: exactly the hub, DPS, Cosmos DB account, database and container are protected", () => {
        const protectedTypes = runs.prod.resources.filter((r) => r.protect).map((r) => r.type).sort();
        assert.deepEqual(protectedTypes, STATEFUL.map((s) => s.type).sort());
        assert.deepEqual(reveal(runs.prod.outputs).protectedResources, STATEFUL.map((s) => s.key));
    });
    it("prod: each carries a CanNotDelete lock scoped to it; the locks themselves can be removed", () => {
        const run = runs.prod;
        const locks = all(run, T.lock);
        assert.equal(locks.length, STATEFUL.length);
        for (const { type } of STATEFUL) {
            const target = one(run, type);
            const matching = locks.filter((l) => linksTo(run, l, "scope", target));
            assert.equal(matching.length, 1, `one lock on the ${type}`);
            assert.equal(reveal(matching[0].inputs).level, "CanNotDelete");
            assert.equal(matching[0].protect, false, "a protected lock could not be lifted by configuration");
        }
    });
    it("lifting on purpose: with both switches off, nothing is protected or locked, and the resources stay the same", () => {
        const lifted = runs.prodLifted;
        assert.deepEqual(lifted.resources.filter((r) => r.protect).map((r) => r.type), []);
        assert.deepEqual(all(lifted, T.lock), []);
        for (const { type } of STATEFUL) {
            const before = one(runs.prod, type);
            const after = one(lifted, type);
            assert.equal(after.urn, before.urn, `${type}: same URN, so Pulumi updates the flag instead of replacing it`);
            assert.deepEqual(after.inputs, before.inputs, `${type}: no other change`);
        }
        assert.deepEqual(reveal(lifted.outputs).lockedResources, []);
    });
    it("dev: nothing protected or locked (it is torn down freely)", () => {
        assert.deepEqual(runs.dev.resources.filter((r) => r.protect).map((r) => r.type), []);
        assert.deepEqual(all(runs.dev, T.lock), []);
    });
    it("a stateful resource keeps its identity across SDK module renames (the v2 type aliases)", () => {
        for (const { type, v2 } of STATEFUL) {
            const aliases = one(runs.prod, type).aliases as { spec?: { type?: string } }[];
            assert.ok(aliases.some((a) => a.spec?.type === v2), `${type} aliases ${v2}`);
        }
    });
    it("a rename in code is carried to the engine as an alias, so the resource is moved, not replaced", () => {
        const run = runs.devRenamed;
        const hub = one(run, T.hub);
        const account = one(run, T.cosmos);
        assert.ok((hub.aliases as { spec?: { name?: string } }[]).some((a) => a.spec?.name === "iothub"), "hub: former name");
        assert.ok(
            (account.aliases as { spec?: { parenturn?: string } }[]).some((a) => a.spec?.parenturn === "urn:pulumi:dev::secure-iot-platform::secure-iot:data:Telemetry::store"),
            "account: former parent",
        );
        assert.deepEqual(formerIdentities(hub), ["iothub"]);
        assert.deepEqual(formerIdentities(account), ["account under store"]);
        assert.deepEqual(formerIdentities(one(runs.dev, T.hub)), [], "no former identity unless one is declared");
        // Aliases change nothing else.
        assert.equal(hub.urn, one(runs.dev, T.hub).urn);
        assert.deepEqual(hub.inputs, one(runs.dev, T.hub).inputs);
    });
});

describe("certificate lifecycle", () => {
    it("prod: the supplied CA carries its expiry, and the plan shows the days left", () => {
        const notAfter = new Date(new X509Certificate(PROD_CA).validTo).toISOString();
        assert.deepEqual(reveal(runs.prod.outputs).deviceCaCertificates.map((c: { notAfter: string }) => c.notAfter), [notAfter]);
        const plan = renderPlan(runs.prod);
        assert.match(plan, new RegExp(`expires: ${notAfter.slice(0, 10)} \\(${daysLeft(notAfter)} days left\\)`));
    });
    it("dev: the generated CA is renewed before it enters the minimum window, and the plan says when its date is known", () => {
        const cert = reveal(one(runs.dev, "tls:index/selfSignedCert:SelfSignedCert").inputs);
        assert.equal(cert.validityPeriodHours, 365 * 24);
        assert.equal(cert.earlyRenewalHours, 30 * 24);
        assert.match(renderPlan(runs.dev), /expires: 365 days from creation \(the date is known after apply\); renewed when fewer than 30 days are left/);
    });
    it("rotation: both CAs are registered on DPS and the hub while devices move; one before and after", () => {
        const names = (run: StackRun, type: string) => all(run, type).map((c) => reveal(c.inputs).certificateName).sort();
        for (const type of [T.dpsCert, T.hubCert]) {
            const during = names(runs.prodRotation, type);
            assert.equal(during.length, 2, type);
            assert.ok(during.some((n) => n.startsWith("contoso-iot-device-root-ca-2026-")) && during.some((n) => n.startsWith("contoso-iot-device-root-ca-2024-")), during.join());
            assert.equal(names(runs.prod, type).length, 1, `${type}: one CA outside a rotation`);
            assert.ok(during.includes(names(runs.prod, type)[0]), "the current CA keeps its name (and its registration) through the rotation");
        }
        assert.equal(reveal(runs.prodRotation.outputs).deviceCaCertificates.length, 2);
    });
});

describe("the offline plan shows the production posture", () => {
    it("prod: protected and locked resources, endpoints, diagnostics, alerts and Defender", () => {
        const plan = renderPlan(runs.prod);
        for (const type of [T.hub, T.dps, T.cosmos, T.database, T.container]) {
            assert.match(plan, new RegExp(`\\+ ${type}  \\S+  \\[protected, delete-locked\\]`), type);
        }
        assert.match(plan, /service: iotHub of IotHubResource hub/);
        assert.match(plan, /zones: PrivateZone zone-privatelink\.azure-devices\.net, PrivateZone zone-privatelink\.servicebus\.windows\.net/);
        assert.match(plan, /of: IotHubResource hub\n\s+logs: allLogs on\n\s+metrics: AllMetrics on\n\s+destination: Workspace workspace/);
        assert.match(plan, /when: Count TotalRequests where StatusCode Include 429 GreaterThan 10/);
        assert.match(plan, /iotHubs: IotHubResource hub/);
        assert.match(plan, /level: CanNotDelete\n\s+on: IotHubResource hub/);
    });
    it("lifted: the same resources without the flags", () => {
        const plan = renderPlan(runs.prodLifted);
        assert.doesNotMatch(plan, /\[protected|delete-locked|ManagementLock/);
        assert.match(plan, /protectedResources: \[\]\n\s+resourceGroupName/);
    });
});
