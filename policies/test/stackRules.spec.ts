/**
 * Stack rules over several resources: diagnostics (DIAG-01..04), private endpoints and DNS
 * (IOT-03, DPS-02, COS-07, OTH-02), Defender (IOT-14, COS-15), locks (OTH-06), control-plane RBAC
 * (OTH-03), stack outputs (OTH-04). Links are propertyDependencies; ids are unknown as at preview.
 */
import { describe, it } from "node:test";
import { TOKENS } from "../lib/tokens";
import { oth03ControlPlaneRbac } from "../rules/other/oth-03-control-plane-rbac-least-privilege";
import { oth04NoSecretOutputs } from "../rules/other/oth-04-no-key-material-in-outputs";
import { oth05RegionsAndTags } from "../rules/other/oth-05-allowed-regions-and-required-tags";
import { cos15DefenderForCosmos } from "../rules/cosmos/cos-15-defender-for-cosmos-enabled";
import { iot14DefenderForIot } from "../rules/iotHub/iot-14-defender-for-iot-enabled";
import { diag01IotHubLogs } from "../rules/diagnostics/diag-01-iot-hub-resource-logs";
import { diag02DpsLogs } from "../rules/diagnostics/diag-02-dps-resource-logs";
import { diag03CosmosLogs } from "../rules/diagnostics/diag-03-cosmos-resource-logs";
import { diag04Hygiene } from "../rules/diagnostics/diag-04-diagnostic-setting-hygiene";
import { oth06Locks } from "../rules/other/oth-06-stateful-resources-locked-and-protected";
import { cos07CosmosPrivateEndpoint } from "../rules/cosmos/cos-07-cosmos-private-endpoint";
import { dps02DpsPrivateEndpoint } from "../rules/dps/dps-02-dps-private-endpoint";
import { iot03HubPrivateEndpoint } from "../rules/iotHub/iot-03-hub-private-endpoint";
import { oth02PrivateDns } from "../rules/other/oth-02-private-endpoint-dns-zone-group";
import { cosmosArgs, diagnosticSettingArgs, dpsArgs, hubArgs, resourceGroupArgs, roleAssignmentArgs, stackResources, SUB } from "./fixtures";
import { runResource, UNKNOWN, unknown, type StackInput } from "./runPolicies";
import { assertCannotRun, assertPasses, assertSomeViolation, assertViolation, check, checkStack, mutate } from "./util";

const T = TOKENS;
const prodStack = (preview = true) => stackResources("prod", preview);
const without = (stack: StackInput[], ...names: string[]) => stack.filter((r) => !names.includes(r.name));
const patch = (stack: StackInput[], name: string, f: (r: StackInput) => void) =>
    stack.map((r) => (r.name === name ? mutate(r, f) : r));
const setProp = (key: string, value: unknown) => (r: StackInput) => ((r.props as Record<string, unknown>)[key] = value);

describe("DIAG-01/02/03 resource logs (stack)", () => {
    for (const [policy, target, diag] of [[diag01IotHubLogs, "hub", "diag-hub"], [diag02DpsLogs, "dps", "diag-dps"], [diag03CosmosLogs, "cosmos", "diag-cosmos"]] as const) {
        describe(policy.name, () => {
            it("passes at preview: the setting's resourceUri is unknown but depends on the service", () => assertPasses(checkStack(policy, prodStack())));
            it("passes after deployment", () => assertPasses(checkStack(policy, prodStack(false))));
            it("fails without a diagnostic setting", () =>
                assertViolation(checkStack(policy, without(prodStack(), diag)), policy, new RegExp(`'${target}' has no diagnostic setting`)));
            it("fails when the setting targets another service", () => {
                const other = target === "hub" ? "dps" : "hub";
                assertViolation(checkStack(policy, patch(without(prodStack(), `diag-${other}`), diag, (r) => (r.propertyDependencies = { resourceUri: [other] }))), policy, /has no diagnostic setting/);
            });
            it("fails when logs are disabled", () =>
                assertViolation(checkStack(policy, patch(prodStack(), diag, setProp("logs", [{ categoryGroup: "allLogs", enabled: false }]))), policy, /none enables the allLogs or audit category group/));
            it("fails without a destination", () =>
                assertViolation(checkStack(policy, patch(prodStack(), diag, (r) => delete (r.props as Record<string, unknown>).workspaceId)), policy, /with a destination/));
            it("accepts the audit category group (case-insensitive)", () =>
                assertPasses(checkStack(policy, patch(prodStack(), diag, setProp("logs", [{ categoryGroup: "Audit", enabled: "true" }])))));
            it("waits when the logs are unknown", () =>
                assertCannotRun(checkStack(policy, patch(prodStack(), diag, setProp("logs", UNKNOWN))), /logs/));
            it("matches the v2 alias token (azure-native:insights:DiagnosticSetting)", () =>
                assertPasses(checkStack(policy, patch(prodStack(), diag, (r) => (r.type = T.diagnosticSetting[1])))));
        });
    }
    it("finds the target by a known ARM id when there is no dependency", () => {
        const stack: StackInput[] = [
            { type: T.iotHub[0], name: "hub", props: hubArgs("prod") },
            { type: T.diagnosticSetting[0], name: "diag", props: diagnosticSettingArgs("prod", `/subscriptions/${SUB}/resourceGroups/rg-secure-iot-prod/providers/Microsoft.Devices/IotHubs/iot-secure-prod`) },
        ];
        assertPasses(checkStack(diag01IotHubLogs, stack));
        assertViolation(checkStack(diag01IotHubLogs, patch(stack, "diag", setProp("resourceUri", "/subscriptions/x/resourceGroups/y/providers/Microsoft.Devices/IotHubs/iot-secure-prod-2"))), diag01IotHubLogs, /no diagnostic setting/);
    });
});

describe("stack rules find the typed DPS and the generic one alike", () => {
    // The compliant program declares DPS as the generic resource; a typed DPS is found the same way.
    const typed = (stack: StackInput[]) => patch(stack, "dps", (r) => { r.type = T.dps[0]; r.props = dpsArgs("prod"); });
    for (const policy of [diag02DpsLogs, dps02DpsPrivateEndpoint, oth06Locks]) {
        it(`${policy.name}: typed and generic DPS pass with their setting, endpoint and lock, and fail without`, () => {
            assertPasses(checkStack(policy, prodStack(), { requirement: "always" }));
            assertPasses(checkStack(policy, typed(prodStack()), { requirement: "always" }));
            const bare = without(prodStack(), "diag-dps", "pe-dps", "pe-dps-dns", "lock-dps");
            assertViolation(checkStack(policy, bare, { requirement: "always" }), policy, /Device Provisioning Service 'dps'/);
            assertViolation(checkStack(policy, typed(bare), { requirement: "always" }), policy, /Device Provisioning Service 'dps'/);
        });
    }
    it("OTH-05 requires the tags on a generic DPS, as on the typed one", () => {
        const cfg = { requiredTags: { environment: "prod" } };
        const generic = stackResources("prod").find((r) => r.name === "dps")!;
        assertPasses(runResource(oth05RegionsAndTags, generic, cfg));
        assertViolation(runResource(oth05RegionsAndTags, { ...generic, props: { ...(generic.props as object), tags: {} } }, cfg), oth05RegionsAndTags, /environment \(missing\)/);
    });
});

describe("DIAG-04 diagnostic-setting hygiene", () => {
    const ds = (f: (d: ReturnType<typeof diagnosticSettingArgs>) => void = () => {}) => mutate(diagnosticSettingArgs("prod", "/x"), f);
    it("passes", () => assertPasses(check(diag04Hygiene, "diagnosticSetting", ds())));
    it("fails a setting with everything disabled", () =>
        assertSomeViolation(check(diag04Hygiene, "diagnosticSetting", ds((d) => { d.logs![0].enabled = false; d.metrics![0].enabled = false; })), diag04Hygiene, /collects nothing/));
    it("fails without AllMetrics", () =>
        assertViolation(check(diag04Hygiene, "diagnosticSetting", ds((d) => (d.metrics = []))), diag04Hygiene, /does not enable an all-metrics category \(AllMetrics or Requests or Transaction\)/));
    it("accepts Transaction, a storage blob service's metric category", () =>
        assertPasses(check(diag04Hygiene, "diagnosticSetting", ds((d) => (d.metrics = [{ category: "Transaction", enabled: true }])))));
    it("accepts Requests, Cosmos DB's only metric category", () =>
        assertPasses(check(diag04Hygiene, "diagnosticSetting", ds((d) => (d.metrics = [{ category: "Requests", enabled: true }])))));
    it("fails a partial metric category", () =>
        assertViolation(check(diag04Hygiene, "diagnosticSetting", ds((d) => (d.metrics = [{ category: "Connections", enabled: true }]))), diag04Hygiene, /all-metrics category/));
    it("passes without AllMetrics when not required", () =>
        assertPasses(check(diag04Hygiene, "diagnosticSetting", ds((d) => (d.metrics = [])), { config: { requireAllMetrics: false } })));
    it("fails without a destination", () =>
        assertViolation(check(diag04Hygiene, "diagnosticSetting", ds((d) => delete d.workspaceId)), diag04Hygiene, /no destination/));
    it("counts an unknown destination as set", () =>
        assertPasses(check(diag04Hygiene, "diagnosticSetting", ds((d) => (d.workspaceId = unknown())))));
});

describe("IOT-03 / DPS-02 / COS-07 private endpoints (stack)", () => {
    for (const [policy, target, pe] of [[iot03HubPrivateEndpoint, "hub", "pe-hub"], [dps02DpsPrivateEndpoint, "dps", "pe-dps"], [cos07CosmosPrivateEndpoint, "cosmos", "pe-cosmos"]] as const) {
        describe(policy.name, () => {
            const always = { requirement: "always" };
            it("passes with a private endpoint linked through propertyDependencies (preview)", () => assertPasses(checkStack(policy, prodStack(), always)));
            it("fails without one when always required (production)", () =>
                assertViolation(checkStack(policy, without(prodStack(), pe, `${pe}-dns`), always), policy, new RegExp(`'${target}' has no private endpoint`)));
            it("fails when the endpoint requests another group id", () => {
                const stack = patch(prodStack(), pe, (r) => ((r.props as { privateLinkServiceConnections: Array<{ groupIds: string[] }> }).privateLinkServiceConnections[0].groupIds = ["blob"]));
                assertViolation(checkStack(policy, stack, always), policy, /no private endpoint with groupId/);
            });
        });
    }
    it("requires the endpoint when public access is disabled (and not otherwise)", () => {
        const noPe = without(stackResources("dev"), "pe-hub");
        assertPasses(checkStack(iot03HubPrivateEndpoint, noPe, { requirement: "whenPublicAccessDisabled" }));
        const disabled = patch(noPe, "hub", (r) => ((r.props as ReturnType<typeof hubArgs>).properties!.publicNetworkAccess = "Disabled"));
        assertViolation(checkStack(iot03HubPrivateEndpoint, disabled), iot03HubPrivateEndpoint, /although its public network access is disabled/);
    });
    it("COS-07 is required always by default; DPS-02 only when public access is disabled", () => {
        const dev = stackResources("dev");
        assertViolation(checkStack(cos07CosmosPrivateEndpoint, dev), cos07CosmosPrivateEndpoint, /no private endpoint with groupId "Sql"/);
        assertPasses(checkStack(dps02DpsPrivateEndpoint, dev));
        const disabled = patch(dev, "dps", (r) => ((r.props as ReturnType<typeof dpsArgs>).properties.publicNetworkAccess = "Disabled"));
        assertViolation(checkStack(dps02DpsPrivateEndpoint, disabled), dps02DpsPrivateEndpoint, /groupId "iotDps"/);
    });
    it("waits when public access is unknown", () =>
        assertCannotRun(checkStack(cos07CosmosPrivateEndpoint, patch(stackResources("dev"), "cosmos", setProp("publicNetworkAccess", UNKNOWN)), { requirement: "whenPublicAccessDisabled" }), /publicNetworkAccess/));
    it("accepts an approved private endpoint connection declared on the service", () => {
        const stack = patch(without(prodStack(), "pe-cosmos", "pe-cosmos-dns"), "cosmos", setProp("privateEndpointConnections", [{ privateLinkServiceConnectionState: { status: "Approved" } }]));
        assertPasses(checkStack(cos07CosmosPrivateEndpoint, stack));
    });
});

describe("OTH-02 private DNS zone groups (stack)", () => {
    it("passes: every endpoint links its privatelink zone (zone ids unknown, followed to the PrivateZone)", () => assertPasses(checkStack(oth02PrivateDns, prodStack())));
    it("passes after deployment (zone ids known)", () => assertPasses(checkStack(oth02PrivateDns, prodStack(false))));
    it("fails an endpoint without a zone group", () =>
        assertViolation(checkStack(oth02PrivateDns, without(prodStack(), "pe-dps-dns")), oth02PrivateDns, /'pe-dps' has no PrivateDnsZoneGroup/));
    it("fails a zone group linking the wrong zone", () => {
        const stack = patch(prodStack(), "pe-cosmos-dns", (r) => (r.propertyDependencies = { privateEndpointName: ["pe-cosmos"], privateDnsZoneConfigs: ["zone-hub"] }));
        assertViolation(checkStack(oth02PrivateDns, stack), oth02PrivateDns, /does not link privatelink\.documents\.azure\.com \(it links privatelink\.azure-devices\.net\)/);
    });
    it("waits when a zone id is unknown and not linked to a zone resource", () => {
        const stack = patch(prodStack(), "pe-hub-dns", (r) => (r.propertyDependencies = { privateEndpointName: ["pe-hub"] }));
        assertCannotRun(checkStack(oth02PrivateDns, stack), /privateDnsZoneId/);
    });
});

describe("IOT-14 / COS-15 Defender (stack)", () => {
    it("IOT-14 passes when the solution lists the hub (preview)", () => assertPasses(checkStack(iot14DefenderForIot, prodStack())));
    it("IOT-14 fails without a solution", () => assertViolation(checkStack(iot14DefenderForIot, without(prodStack(), "defender-iot")), iot14DefenderForIot, /'hub' is not listed/));
    it("IOT-14 fails a disabled solution", () =>
        assertViolation(checkStack(iot14DefenderForIot, patch(prodStack(), "defender-iot", setProp("status", "Disabled"))), iot14DefenderForIot, /not listed by an enabled/));
    it("COS-15 passes with advanced threat protection on the account", () => assertPasses(checkStack(cos15DefenderForCosmos, prodStack())));
    it("COS-15 passes with the subscription's CosmosDbs plan", () =>
        assertPasses(checkStack(cos15DefenderForCosmos, [...without(prodStack(), "defender-cosmos"), { type: T.defenderPricing[0], name: "plan", props: { pricingName: "CosmosDbs", pricingTier: "Standard", scopeId: `/subscriptions/${SUB}` } }])));
    it("COS-15 fails a Free plan and no protection", () =>
        assertViolation(checkStack(cos15DefenderForCosmos, [...without(prodStack(), "defender-cosmos"), { type: T.defenderPricing[0], name: "plan", props: { pricingName: "CosmosDbs", pricingTier: "Free", scopeId: `/subscriptions/${SUB}` } }]), cos15DefenderForCosmos, /'cosmos' has no enabled Defender/));
    it("COS-15 fails protection that is disabled", () =>
        assertViolation(checkStack(cos15DefenderForCosmos, patch(prodStack(), "defender-cosmos", setProp("isEnabled", false))), cos15DefenderForCosmos, /no enabled Defender/));
});

describe("OTH-06 locks and protect (stack)", () => {
    it("passes: protect + CanNotDelete lock on hub, DPS and Cosmos (preview)", () => assertPasses(checkStack(oth06Locks, prodStack())));
    it("fails a stateful resource without protect", () =>
        assertViolation(checkStack(oth06Locks, patch(prodStack(), "cosmos", (r) => (r.protect = false))), oth06Locks, /Cosmos DB account 'cosmos' does not set the protect resource option/));
    it("fails a stateful resource without a lock", () =>
        assertViolation(checkStack(oth06Locks, without(prodStack(), "lock-dps")), oth06Locks, /Device Provisioning Service 'dps' has no CanNotDelete management lock/));
    it("fails a ReadOnly lock", () =>
        assertViolation(checkStack(oth06Locks, patch(prodStack(), "lock-hub", setProp("level", "ReadOnly"))), oth06Locks, /locked with level readonly/));
    it("accepts a lock on the resource group", () => {
        const stack = [...without(prodStack(), "lock-hub"), { type: T.lockAtResourceGroup[0], name: "rg-lock", props: { level: "CanNotDelete", resourceGroupName: "rg-secure-iot-prod" }, propertyDependencies: { resourceGroupName: ["rg"] } }];
        assertPasses(checkStack(oth06Locks, stack));
    });
    it("respects the configuration", () => assertPasses(checkStack(oth06Locks, stackResources("dev"), { requireProtect: false, requireLock: false })));
});

describe("OTH-03 control-plane RBAC (stack)", () => {
    const ra = (f: (r: ReturnType<typeof roleAssignmentArgs>) => void = () => {}, deps: Record<string, string[]> = { scope: ["hub"] }): StackInput[] => [
        { type: T.iotHub[0], name: "hub", props: hubArgs("prod") },
        { type: T.roleAssignment[0], name: "ra", props: mutate(roleAssignmentArgs("prod"), f), propertyDependencies: deps },
    ];
    it("passes a data-plane role scoped to the hub", () => assertPasses(checkStack(oth03ControlPlaneRbac, ra())));
    it("passes at preview: scope unknown but computed from the hub", () => assertPasses(checkStack(oth03ControlPlaneRbac, ra((r) => (r.scope = unknown())))));
    it("fails Owner", () =>
        assertViolation(checkStack(oth03ControlPlaneRbac, ra((r) => (r.roleDefinitionId = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`))), oth03ControlPlaneRbac, /grants Owner/));
    it("fails Contributor (bare upper-case GUID)", () =>
        assertViolation(checkStack(oth03ControlPlaneRbac, ra((r) => (r.roleDefinitionId = "B24988AC-6180-42A0-AB88-20F7382DD24C"))), oth03ControlPlaneRbac, /grants Contributor/));
    it("fails a subscription scope", () =>
        assertViolation(checkStack(oth03ControlPlaneRbac, ra((r) => (r.scope = `/subscriptions/${SUB}/`), {})), oth03ControlPlaneRbac, /a whole subscription/));
    it("fails a management group scope", () =>
        assertViolation(checkStack(oth03ControlPlaneRbac, ra((r) => (r.scope = "/providers/Microsoft.Management/managementGroups/root"), {})), oth03ControlPlaneRbac, /a management group/));
    it("waits for an unknown scope that depends on nothing", () =>
        assertCannotRun(checkStack(oth03ControlPlaneRbac, ra((r) => (r.scope = unknown()), {})), /scope/));
});

describe("OTH-04 no key material in stack outputs (stack)", () => {
    const withOutputs = (outputs: Record<string, unknown>): StackInput[] => [{ type: T.stack[0], name: "secure-iot-platform-prod", props: outputs }];
    it("passes host names and ids", () => assertPasses(checkStack(oth04NoSecretOutputs, withOutputs({ hubHostName: "iot.azure-devices.net", ids: ["/subscriptions/x"] }))));
    it("fails a connection string with a key", () =>
        assertViolation(checkStack(oth04NoSecretOutputs, withOutputs({ hub: { connection: "HostName=h.azure-devices.net;SharedAccessKeyName=dps-link;SharedAccessKey=abc=" } })), oth04NoSecretOutputs, /hub\.connection holds a shared access key/));
    it("fails a private key", () =>
        assertViolation(checkStack(oth04NoSecretOutputs, withOutputs({ keys: ["-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"] })), oth04NoSecretOutputs, /keys\[0\] holds a private key/));
    it("fails a Cosmos key", () =>
        assertViolation(checkStack(oth04NoSecretOutputs, withOutputs({ cosmos: "AccountEndpoint=https://a.documents.azure.com:443/;AccountKey=xyz==;" })), oth04NoSecretOutputs, /account key/));
    it("skips outputs unknown at preview", () => assertPasses(checkStack(oth04NoSecretOutputs, withOutputs({ conn: UNKNOWN }))));
});

describe("OTH-05 allowed regions and required tags", () => {
    const cfg = { requiredTags: { environment: "prod", managedBy: "pulumi", project: "secure-iot-platform" } };
    it("passes every tagged resource of the prod program", () => {
        for (const r of stackResources("prod")) assertPasses(runResource(oth05RegionsAndTags, r, cfg));
    });
    it("applies to every azure-native type (v3 and v2 tokens) and exempts global resources", () => {
        assertPasses(check(oth05RegionsAndTags, "privateZone", { privateZoneName: "privatelink.documents.azure.com", location: "Global", tags: cfg.requiredTags }, { config: cfg }));
        assertViolation(check(oth05RegionsAndTags, "iotHub", mutate(hubArgs("prod"), (h) => (h.location = "eastus")), { config: cfg, v2: true }), oth05RegionsAndTags, /location "eastus" is not an allowed region/);
    });
    it("normalises region display names", () =>
        assertPasses(check(oth05RegionsAndTags, "cosmosAccount", mutate(cosmosArgs("prod"), (c) => (c.location = "West Europe")), { config: cfg })));
    it("fails a missing tag (IOT-16 on the hub)", () =>
        assertViolation(check(oth05RegionsAndTags, "iotHub", mutate(hubArgs("prod"), (h) => delete (h.tags as Record<string, string>).managedBy), { config: cfg }), oth05RegionsAndTags, /managedBy \(missing\)/));
    it("fails a wrong tag value", () =>
        assertViolation(check(oth05RegionsAndTags, "resourceGroup", resourceGroupArgs("dev"), { config: cfg }), oth05RegionsAndTags, /environment = "dev" \(expected "prod"\)/));
    it("fails a taggable resource without tags", () =>
        assertViolation(check(oth05RegionsAndTags, "dps", mutate(dpsArgs("prod"), (d) => delete d.tags), { config: cfg }), oth05RegionsAndTags, /environment \(missing\), managedBy \(missing\), project \(missing\)/));
    it("does not require tags on non-taggable types", () =>
        assertPasses(check(oth05RegionsAndTags, "diagnosticSetting", diagnosticSettingArgs("prod", "/x"), { config: cfg })));
    it("ignores azuread resources", () => assertPasses(check(oth05RegionsAndTags, "aadApplicationRegistration", { displayName: "x" }, { config: cfg })));
});
