/**
 * ROUTE-01: IoT Hub routing endpoints must reach their stores. The compliant Event Hubs path of
 * both stacks passes; each way a store's network rules (or the endpoint's identity) keeps IoT Hub
 * out fails, including today's prod shape (the hub routing straight to a private-only Cosmos DB
 * account). Also COS-19 with the ingest function as the Cosmos DB writer.
 */
import { describe, it } from "node:test";
import { TOKENS } from "../lib/tokens";
import { cos19DataPlaneRbac } from "../rules/cosmos/cos-19-cosmos-least-privilege-data-rbac";
import { route01Reachability } from "../rules/routing/route-01-iot-hub-routing-endpoint-reachable";
import { hubArgs, NAMESPACE_NAME, RG, stackResources, type cosmosArgs, type eventHubNetworkRuleSetArgs, type storageAccountArgs } from "./fixtures";
import { UNKNOWN, unknown, type StackInput } from "./runPolicies";
import { assertCannotRun, assertPasses, assertSomeViolation, assertViolation, checkStack, mutate } from "./util";

const T = TOKENS;
type Hub = ReturnType<typeof hubArgs>;
type Cosmos = ReturnType<typeof cosmosArgs>;
const patch = (stack: StackInput[], name: string, f: (props: never) => void): StackInput[] =>
    stack.map((r) => (r.name === name ? { ...r, props: mutate(r.props, f as (p: unknown) => void) } : r));
const setHub = (stack: StackInput[], props: Hub): StackInput[] => stack.map((r) => (r.name === "hub" ? { ...r, props } : r));
const prod = (preview = true) => stackResources("prod", preview);
const eh = (h: Hub) => h.properties!.routing!.endpoints!.eventHubs![0];

describe("ROUTE-01 routing endpoints reach their stores (stack)", () => {
    for (const preview of [false, true]) {
        it(`passes the prod Event Hubs path (selected networks + trusted services, system-assigned identity)${preview ? " at preview" : ""}`, () =>
            assertPasses(checkStack(route01Reachability, prod(preview))));
        it(`passes the dev Event Hubs path (namespace open)${preview ? " at preview" : ""}`, () => assertPasses(checkStack(route01Reachability, stackResources("dev", preview))));
    }

    describe("Cosmos DB endpoints", () => {
        const cosmosRoute = (env: "dev" | "prod") => setHub(stackResources(env, true), hubArgs(env, "cosmos"));
        it("fails today's prod shape: the hub routes to a Cosmos DB account with public access Disabled", () =>
            assertViolation(checkStack(route01Reachability, cosmosRoute("prod")), route01Reachability, /cosmosDBSqlContainers\[0\] \("telemetry-store"\) sends to Cosmos DB account 'cosmos', whose publicNetworkAccess is Disabled: only its private endpoints accept connections, IoT Hub routes over the account's public endpoint and Cosmos DB has no trusted-service exception/));
        it("fails today's dev shape: the account's IP firewall cannot name IoT Hub", () =>
            assertViolation(checkStack(route01Reachability, cosmosRoute("dev")), route01Reachability, /whose firewall admits only the IP ranges 198\.51\.100\.16\/28: IoT Hub has no fixed egress address/));
        it("fails a virtual network filter", () =>
            assertViolation(checkStack(route01Reachability, patch(cosmosRoute("dev"), "cosmos", (c: Cosmos) => { c.ipRules = []; c.isVirtualNetworkFilterEnabled = true; c.virtualNetworkRules = [{ id: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/v/subnets/s" }]; })), route01Reachability, /admits only its virtual network rules/));
        it("fails a public account whose only way in is a private endpoint", () => {
            const stack = patch(cosmosRoute("prod"), "cosmos", (c: Cosmos) => (c.publicNetworkAccess = "Enabled"));
            assertViolation(checkStack(route01Reachability, stack), route01Reachability, /has private endpoints and no IP or virtual network rule, so it accepts private-endpoint traffic only/);
        });
        it("passes a public account without firewall (reachable; COS-03/COS-04 judge it)", () =>
            assertPasses(checkStack(route01Reachability, patch(cosmosRoute("dev"), "cosmos", (c: Cosmos) => (c.ipRules = [])))));
        it("passes the all-Azure-datacenters entry (reachable; COS-05 forbids it)", () =>
            assertPasses(checkStack(route01Reachability, patch(cosmosRoute("dev"), "cosmos", (c: Cosmos) => (c.ipRules = [{ ipAddressOrRange: "0.0.0.0" }])))));
        it("does not judge an account outside the program", () =>
            assertPasses(checkStack(route01Reachability, setHub(stackResources("prod", true), mutate(hubArgs("prod", "cosmos"), (h) => (h.properties!.routing!.endpoints!.cosmosDBSqlContainers![0].endpointUri = "https://elsewhere.documents.azure.com:443/"))))));
        it("waits for an unknown publicNetworkAccess of the account", () =>
            assertCannotRun(checkStack(route01Reachability, patch(cosmosRoute("prod"), "cosmos", (c: Cosmos) => (c.publicNetworkAccess = UNKNOWN as never))), /publicNetworkAccess/));
    });

    describe("Event Hubs endpoints", () => {
        type Rs = ReturnType<typeof eventHubNetworkRuleSetArgs>;
        const rules = (f: (r: Rs) => void) => patch(prod(), "eventhub-network-rules", f);
        it("fails a namespace with public access Disabled (private links only; IoT Hub routes over the public endpoint)", () => {
            const stack = patch(rules((r) => (r.publicNetworkAccess = "Disabled")), "eventhub-namespace", (n: { publicNetworkAccess: string }) => (n.publicNetworkAccess = "Disabled"));
            assertViolation(checkStack(route01Reachability, stack), route01Reachability, /eventHubs\[0\] \("telemetry-eventhub"\) sends to Event Hubs namespace 'eventhub-namespace', whose public network access is Disabled: operations are then restricted to private links only/);
        });
        it("fails Disabled even with trustedServiceAccessEnabled", () => {
            const stack = patch(rules((r) => { r.publicNetworkAccess = "Disabled"; r.trustedServiceAccessEnabled = true; }), "eventhub-namespace", (n: { publicNetworkAccess: string }) => (n.publicNetworkAccess = "Disabled"));
            assertViolation(checkStack(route01Reachability, stack), route01Reachability, /public network access is Disabled/);
        });
        it("fails a Deny rule set without the trusted-services exception", () =>
            assertViolation(checkStack(route01Reachability, rules((r) => (r.trustedServiceAccessEnabled = false))), route01Reachability, /denies by default without trustedServiceAccessEnabled: IoT Hub has no fixed egress address an IP rule could admit/));
        it("fails an IP allow list without the exception (IoT Hub's addresses are not fixed)", () =>
            assertViolation(checkStack(route01Reachability, rules((r) => { r.trustedServiceAccessEnabled = false; r.ipRules = [{ ipMask: "198.51.100.16/28", action: "Allow" }]; })), route01Reachability, /without trustedServiceAccessEnabled/));
        it("fails a user-assigned identity on the endpoint (the exception admits only the system-assigned one)", () => {
            const hub = mutate(hubArgs("prod"), (h) => {
                h.identity = { type: "SystemAssigned, UserAssigned", userAssignedIdentities: ["/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-hub-routing-prod"] };
                eh(h).identity = { userAssignedIdentity: "/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-hub-routing-prod" };
            });
            assertViolation(checkStack(route01Reachability, setHub(prod(), hub)), route01Reachability, /authenticates with the user-assigned identity ".*id-hub-routing-prod", but only the hub's system-assigned identity passes the Event Hubs trusted-services exception \("Only system-assigned managed identity gives IoT Hub access to private resources"/);
        });
        it("fails a key-based endpoint behind the exception", () => {
            const hub = mutate(hubArgs("prod"), (h) => (eh(h).authenticationType = "keyBased"));
            assertViolation(checkStack(route01Reachability, setHub(prod(), hub)), route01Reachability, /reaches its target only through the Event Hubs trusted-services exception, which admits IoT Hub authenticating with its managed identity; the endpoint's authenticationType is "keyBased"/);
        });
        it("fails an absent authenticationType (keyBased)", () => {
            const hub = mutate(hubArgs("prod"), (h) => delete eh(h).authenticationType);
            assertViolation(checkStack(route01Reachability, setHub(prod(), hub)), route01Reachability, /authenticationType is absent \(keyBased\)/);
        });
        it("fails a hub without a system-assigned identity", () => {
            const hub = mutate(hubArgs("prod"), (h) => (h.identity = { type: "UserAssigned", userAssignedIdentities: ["/subscriptions/x/id"] }));
            assertViolation(checkStack(route01Reachability, setHub(prod(), hub)), route01Reachability, /uses the hub's system-assigned identity, but the hub has none/);
        });
        it("passes a user-assigned identity when the namespace is open to public networks", () => {
            const hub = mutate(hubArgs("dev"), (h) => { h.identity = { type: "UserAssigned", userAssignedIdentities: ["/subscriptions/x/id"] }; eh(h).identity = { userAssignedIdentity: "/subscriptions/x/id" }; });
            assertPasses(checkStack(route01Reachability, setHub(stackResources("dev", true), hub)));
        });
        it("fails an entityPath that is not an event hub of the namespace", () => {
            const hub = mutate(hubArgs("prod"), (h) => (eh(h).entityPath = "telemetry-v2"));
            assertViolation(checkStack(route01Reachability, setHub(prod(), hub)), route01Reachability, /sends to event hub 'telemetry-v2', which namespace 'eventhub-namespace' does not have in the program \(it has telemetry\)/);
        });
        it("fails an endpoint without entityPath", () => {
            const hub = mutate(hubArgs("prod"), (h) => delete eh(h).entityPath);
            assertViolation(checkStack(route01Reachability, setHub(prod(), hub)), route01Reachability, /has no entityPath/);
        });
        it("fails a namespace secured by a perimeter the program does not show", () => {
            const stack = patch(rules((r) => (r.publicNetworkAccess = "SecuredByPerimeter")), "eventhub-namespace", (n: { publicNetworkAccess: string }) => (n.publicNetworkAccess = "SecuredByPerimeter"));
            assertSomeViolation(checkStack(route01Reachability, stack), route01Reachability, /securedbyperimeter; the perimeter's access rules are not in the program/);
        });
        it("matches the namespace through a connection string when there is no endpointUri", () => {
            const hub = mutate(hubArgs("prod"), (h) => { delete eh(h).endpointUri; eh(h).connectionString = `Endpoint=sb://${NAMESPACE_NAME("prod")}.servicebus.windows.net/;EntityPath=telemetry`; eh(h).authenticationType = "keyBased"; });
            assertViolation(checkStack(route01Reachability, setHub(prod(), hub)), route01Reachability, /authenticationType is "keyBased"/);
        });
        it("waits at preview for an unknown endpointUri", () =>
            assertCannotRun(checkStack(route01Reachability, setHub(prod(), mutate(hubArgs("prod"), (h) => (eh(h).endpointUri = unknown())))), /endpointUri/));
        it("waits for hub properties unknown at preview", () =>
            assertCannotRun(checkStack(route01Reachability, setHub(prod(), mutate(hubArgs("prod"), (h) => (h.properties = unknown())))), /properties/));
    });

    describe("Service Bus and Storage endpoints", () => {
        const sbNamespace = { resourceGroupName: RG("prod"), namespaceName: "sb-secure-iot-prod", location: "westeurope", publicNetworkAccess: "Enabled" };
        const sbStack = (rs: Record<string, unknown>, endpoint: Record<string, unknown> = {}): StackInput[] => setHub([
            ...prod(),
            { type: T.serviceBusNamespace[0], name: "sb", props: sbNamespace },
            { type: T.serviceBusNetworkRuleSet[0], name: "sb-rules", props: { resourceGroupName: RG("prod"), namespaceName: "sb-secure-iot-prod", defaultAction: "Deny", ...rs }, propertyDependencies: { namespaceName: ["sb"] } },
        ], mutate(hubArgs("prod"), (h) => (h.properties!.routing!.endpoints!.serviceBusQueues = [{ name: "alerts", endpointUri: "sb://sb-secure-iot-prod.servicebus.windows.net", entityPath: "alerts", authenticationType: "identityBased", ...endpoint }])));
        it("passes a Service Bus queue behind the trusted-services exception", () => assertPasses(checkStack(route01Reachability, sbStack({ trustedServiceAccessEnabled: true }))));
        it("fails a Service Bus queue behind a firewall without the exception", () =>
            assertViolation(checkStack(route01Reachability, sbStack({ trustedServiceAccessEnabled: false })), route01Reachability, /serviceBusQueues\[0\] \("alerts"\) sends to Service Bus namespace 'sb', whose network rule set denies by default without trustedServiceAccessEnabled/));

        type Account = ReturnType<typeof storageAccountArgs>;
        const storageStack = (f: (a: Account) => void, endpoint: Record<string, unknown> = {}): StackInput[] => setHub(
            patch(prod(), "deployment-storage", f),
            mutate(hubArgs("prod"), (h) => (h.properties!.routing!.endpoints!.storageContainers = [{ name: "archive", containerName: "archive", endpointUri: "https://stsecureiotproddeploy.blob.core.windows.net/", authenticationType: "identityBased", ...endpoint }])),
        );
        it("fails a storage account with public access Disabled", () =>
            assertViolation(checkStack(route01Reachability, storageStack(() => {})), route01Reachability, /storageContainers\[0\] \("archive"\) sends to storage account 'deployment-storage', whose publicNetworkAccess is Disabled/));
        it("passes a Deny ACL that bypasses AzureServices, with the system-assigned identity", () =>
            assertPasses(checkStack(route01Reachability, storageStack((a) => { delete a.publicNetworkAccess; a.networkRuleSet = { defaultAction: "Deny", bypass: "Logging, AzureServices" }; }))));
        it("fails a Deny ACL without the AzureServices bypass", () =>
            assertViolation(checkStack(route01Reachability, storageStack((a) => { delete a.publicNetworkAccess; a.networkRuleSet = { defaultAction: "Deny", bypass: "None" }; })), route01Reachability, /denies by default without the trusted-services exception \(bypass "None"\)/));
        it("passes a resource instance rule for the hub", () =>
            assertPasses(checkStack(route01Reachability, storageStack((a) => { delete a.publicNetworkAccess; a.networkRuleSet = { defaultAction: "Deny", bypass: "None", resourceAccessRules: [{ tenantId: "t", resourceId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Devices/IotHubs/iot-secure-prod" }] }; }))));
        it("fails a user-assigned identity through the storage exception", () =>
            assertViolation(checkStack(route01Reachability, storageStack((a) => { delete a.publicNetworkAccess; a.networkRuleSet = { defaultAction: "Deny", bypass: "AzureServices" }; }, { identity: { userAssignedIdentity: "/subscriptions/x/id" } })), route01Reachability, /only the hub's system-assigned identity passes the storage trusted-services exception/));
        it("matches the account through a key-based connection string", () =>
            assertViolation(checkStack(route01Reachability, storageStack(() => {}, { endpointUri: undefined, authenticationType: "keyBased", connectionString: "DefaultEndpointsProtocol=https;AccountName=stsecureiotproddeploy;AccountKey=x" })), route01Reachability, /sends to storage account 'deployment-storage', whose publicNetworkAccess is Disabled/));
    });
});

describe("COS-19 with the telemetry path: the ingest function writes", () => {
    it("passes: the function app's identity holds Data Contributor on the container", () => assertPasses(checkStack(cos19DataPlaneRbac, prod())));
    it("fails when the identity is no function's (the app does not run as it)", () =>
        assertViolation(checkStack(cos19DataPlaneRbac, prod().map((r) => (r.name === "ingest-app" ? { ...r, propertyDependencies: { ...r.propertyDependencies, identity: [] } } : r))), cos19DataPlaneRbac, /'ingest-writes-telemetry' grants a writing role to a principal that is not a writer/));
});
