/** ROUTE-01, rule family `iotHubRouting` (the family's notes and sources: policies/policies.ts). */
import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/define";
import { armIdNames, armNames, StackGraph } from "../../lib/graph";
import { namespacePosture } from "../../lib/networkPosture";
import { hasPrivateEndpoint } from "../../lib/privateEndpoints";
import { parseConnectionString } from "../../lib/sas";
import type { TokenKind } from "../../lib/tokens";
import { isSetAt, knownElements, needValue, peek, showAt } from "../../lib/unknowns";
import { arr, isObj, isTrue, lower, obj, str } from "../../lib/values";

type EndpointKind = "cosmosDBSqlContainers" | "eventHubs" | "serviceBusQueues" | "serviceBusTopics" | "storageContainers";

const TARGETS: Record<EndpointKind, { kind: TokenKind; suffix: string; label: string }> = {
    cosmosDBSqlContainers: { kind: "cosmosAccount", suffix: ".documents.azure.com", label: "Cosmos DB account" },
    eventHubs: { kind: "eventHubNamespace", suffix: ".servicebus.windows.net", label: "Event Hubs namespace" },
    serviceBusQueues: { kind: "serviceBusNamespace", suffix: ".servicebus.windows.net", label: "Service Bus namespace" },
    serviceBusTopics: { kind: "serviceBusNamespace", suffix: ".servicebus.windows.net", label: "Service Bus namespace" },
    storageContainers: { kind: "storageAccount", suffix: ".blob.core.windows.net", label: "storage account" },
};

const IDENTITY_DOC = "articles/iot-hub/iot-hub-managed-identity.md";

function hostOf(uri: string): string | undefined {
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(uri.trim());
    return m ? m[1].toLowerCase() : undefined;
}

/** The host an endpoint sends to, from endpointUri or its connection string; undefined when it has none. */
function endpointHost(e: Record<string, unknown>, kind: EndpointKind): { known: boolean; host?: string } {
    const uri = peek(e, "endpointUri");
    if (!uri.known) return { known: false };
    const u = str(uri.value);
    if (u !== undefined && u.trim() !== "") return { known: true, host: hostOf(u) };
    const cs = peek(e, "connectionString");
    if (!cs.known) return { known: false };
    const parts = parseConnectionString(cs.value);
    if (kind === "storageContainers") {
        const account = lower(parts["accountname"]);
        return { known: true, host: account ? `${account}.blob.core.windows.net` : undefined };
    }
    return { known: true, host: parts["endpoint"] ? hostOf(parts["endpoint"]) : undefined };
}

interface Ctx {
    graph: StackGraph;
    hub: PolicyResource;
    hubSystemAssigned: boolean;
    where: string;
    endpoint: Record<string, unknown>;
    report: (message: string, urn?: string) => void;
    pending: Array<() => unknown>;
}

/** Whether the endpoint can pass the trusted-services exception; reports what is missing. */
function checkTrustedIdentity(c: Ctx, through: string): void {
    const auth = lower(c.endpoint["authenticationType"]) ?? "keybased";
    if (auth !== "identitybased") {
        c.report(`${c.where} reaches its target only through ${through}, which admits IoT Hub authenticating with its managed identity; the endpoint's authenticationType is ${auth === "keybased" && c.endpoint["authenticationType"] === undefined ? "absent (keyBased)" : `"${String(c.endpoint["authenticationType"])}"`}. Set "identityBased" (IOT-10).`, c.hub.urn);
        return;
    }
    const identity = c.endpoint["identity"];
    if (isObj(identity) && isSetAt(identity, "userAssignedIdentity")) {
        c.report(`${c.where} authenticates with the user-assigned identity ${showAt(identity, "userAssignedIdentity")}, but only the hub's system-assigned identity passes ${through} ("Only system-assigned managed identity gives IoT Hub access to private resources", MicrosoftDocs/azure-docs ${IDENTITY_DOC}). Remove identity.userAssignedIdentity from the endpoint and grant the hub's system-assigned identity the data role.`, c.hub.urn);
        return;
    }
    if (!c.hubSystemAssigned) {
        c.report(`${c.where} uses the hub's system-assigned identity, but the hub has none (identity.type without SystemAssigned); ${through} admits IoT Hub only with it.`, c.hub.urn);
    }
}

function checkCosmos(c: Ctx, account: PolicyResource): void {
    const label = `Cosmos DB account '${String(account.name)}'`;
    const access = peek(account.props, "publicNetworkAccess");
    if (!access.known) {
        c.pending.push(() => needValue(account.props, "publicNetworkAccess"));
        return;
    }
    const noTrust = "IoT Hub routes over the account's public endpoint and Cosmos DB has no trusted-service exception for it (MicrosoftDocs/azure-docs articles/iot-hub/virtual-network-support.md, articles/cosmos-db/how-to-configure-private-endpoints.md). Route to an Event Hubs namespace with the trusted-services exception and write to Cosmos DB from a function in the virtual network.";
    if ((lower(access.value) ?? "enabled") !== "enabled") {
        c.report(`${c.where} sends to ${label}, whose publicNetworkAccess is ${String(access.value)}: only its private endpoints accept connections, ${noTrust}`, c.hub.urn);
        return;
    }
    const ipRules = peek(account.props, "ipRules");
    if (!ipRules.known) {
        c.pending.push(() => needValue(account.props, "ipRules"));
        return;
    }
    const ranges = arr<unknown>(ipRules.value).map((r) => (isObj(r) ? str(r["ipAddressOrRange"]) : str(r))).filter((s): s is string => s !== undefined && s.trim() !== "").map((s) => s.trim());
    if (ranges.includes("0.0.0.0")) return; // all Azure datacenters admitted (reachable; COS-05 forbids it)
    const vnetFilter = isTrue(account.props["isVirtualNetworkFilterEnabled"]) && arr(account.props["virtualNetworkRules"]).length > 0;
    if (ranges.length > 0 || vnetFilter) {
        c.report(`${c.where} sends to ${label}, whose firewall admits only ${ranges.length > 0 ? `the IP ranges ${ranges.join(", ")}` : ""}${ranges.length > 0 && vnetFilter ? " and " : ""}${vnetFilter ? "its virtual network rules" : ""}: IoT Hub has no fixed egress address to admit (its addresses are the AzureIoTHub service tag's changing prefixes, articles/iot-hub/iot-hub-understand-ip-address.md) and ${noTrust}`, c.hub.urn);
        return;
    }
    if (hasPrivateEndpoint(c.graph, account, "cosmosAccount", "Sql")) {
        c.report(`${c.where} sends to ${label}, which has private endpoints and no IP or virtual network rule, so it accepts private-endpoint traffic only; ${noTrust}`, c.hub.urn);
    }
}

function checkNamespace(c: Ctx, ns: PolicyResource, nsKind: TokenKind, rsKind: TokenKind, label: string): void {
    const posture = namespacePosture(c.graph, ns, nsKind, rsKind);
    if (posture.publicNetworkAccess === "unknown") {
        c.pending.push(...posture.pending);
        return;
    }
    const who = `${label} '${String(ns.name)}'`;
    if (posture.publicNetworkAccess === "disabled") {
        c.report(`${c.where} sends to ${who}, whose public network access is Disabled: operations are then restricted to private links only (MicrosoftDocs/azure-docs articles/event-hubs/event-hubs-ip-filtering.md) and IoT Hub does not route through private endpoints. Keep publicNetworkAccess "Enabled" with a network rule set { defaultAction: "Deny", trustedServiceAccessEnabled: true } and read through a private endpoint.`, c.hub.urn);
        return;
    }
    if (posture.publicNetworkAccess !== "enabled") {
        c.report(`${c.where} sends to ${who}, whose publicNetworkAccess is ${posture.publicNetworkAccess}; the perimeter's access rules are not in the program, so IoT Hub's access cannot be shown.`, c.hub.urn);
        return;
    }
    c.pending.push(...posture.pending);
    if (posture.defaultAction !== "deny") return; // open to every network (EVH-03 reports that)
    if (!posture.trustedServiceAccessEnabled) {
        c.report(`${c.where} sends to ${who}, whose network rule set denies by default without trustedServiceAccessEnabled: IoT Hub has no fixed egress address an IP rule could admit (articles/iot-hub/iot-hub-understand-ip-address.md). Set trustedServiceAccessEnabled: true (IoT Hub is a trusted Microsoft service for ${label.replace(" namespace", "")}).`, c.hub.urn);
        return;
    }
    checkTrustedIdentity(c, `the ${label.replace(" namespace", "")} trusted-services exception`);
}

function checkEntity(c: Ctx, ns: PolicyResource): void {
    const path = peek(c.endpoint, "entityPath");
    if (!path.known) return;
    const entity = lower(path.value);
    const hubs = c.graph.of("eventHub").filter((h) => c.graph.refersTo(h, "namespaceName", ns, "eventHubNamespace"));
    if (entity === undefined || entity === "") {
        c.report(`${c.where} has no entityPath: name the event hub of namespace '${String(ns.name)}' it sends to.`, c.hub.urn);
        return;
    }
    const names = hubs.flatMap((h) => armNames(h, "eventHub"));
    if (hubs.length > 0 && names.length < hubs.length) return; // a hub name is not known yet
    if (!names.includes(entity)) {
        c.report(`${c.where} sends to event hub '${entity}', which namespace '${String(ns.name)}' does not have in the program (it has ${names.join(", ") || "none"}).`, c.hub.urn);
    }
}

function checkStorage(c: Ctx, account: PolicyResource): void {
    const who = `storage account '${String(account.name)}'`;
    const access = peek(account.props, "publicNetworkAccess");
    if (!access.known) {
        c.pending.push(() => needValue(account.props, "publicNetworkAccess"));
        return;
    }
    const a = lower(access.value) ?? "enabled";
    if (a !== "enabled") {
        c.report(`${c.where} sends to ${who}, whose publicNetworkAccess is ${String(access.value)}: only its private endpoints accept connections and IoT Hub does not route through them. Use networkRuleSet { defaultAction: "Deny", bypass: "AzureServices" } instead.`, c.hub.urn);
        return;
    }
    const rs = peek(account.props, "networkRuleSet");
    if (!rs.known) {
        c.pending.push(() => needValue(account.props, "networkRuleSet"));
        return;
    }
    if (!isObj(rs.value) || (lower(rs.value["defaultAction"]) ?? "allow") !== "deny") return; // open (STG-05 reports it)
    const set = obj(rs.value as Record<string, unknown>);
    const bypass = (lower(set["bypass"]) ?? "azureservices").split(",").map((s) => s.trim());
    const hubNames = armNames(c.hub, "iotHub");
    const instanceRule = knownElements(arr<unknown>(set["resourceAccessRules"])).some(({ value }) => {
        if (!isObj(value)) return false;
        const id = str(value["resourceId"]);
        return id !== undefined && armIdNames(id, "iotHub", hubNames);
    });
    if (!bypass.includes("azureservices") && !instanceRule) {
        c.report(`${c.where} sends to ${who}, whose firewall denies by default without the trusted-services exception (bypass ${JSON.stringify(String(set["bypass"]))}) or a resource instance rule for the hub: IoT Hub has no fixed egress address to admit. Add "AzureServices" to networkRuleSet.bypass.`, c.hub.urn);
        return;
    }
    checkTrustedIdentity(c, "the storage trusted-services exception");
}

function findTarget(graph: StackGraph, kind: TokenKind, host: string, suffix: string): PolicyResource | undefined {
    if (!host.endsWith(suffix)) return undefined;
    const name = host.slice(0, -suffix.length);
    return graph.of(kind).find((r) => armNames(r, kind).includes(name));
}

export const route01Reachability = stackRule({
    id: "ROUTE-01",
    name: "route-01-iot-hub-routing-endpoint-reachable",
    description:
        "Every IoT Hub routing endpoint must target a store whose own network rules let IoT Hub in: a Cosmos DB account that is public without a firewall (Cosmos DB has no trusted-service exception for IoT Hub, and IoT Hub has no fixed egress address an IP rule could name, so publicNetworkAccess Disabled, IP or virtual network rules, or private endpoints without rules make it unreachable); an Event Hubs or Service Bus namespace that is not Disabled (Disabled means private links only) and, when its rule set denies by default, has trustedServiceAccessEnabled; a storage account that is not Disabled and, when it denies by default, bypasses AzureServices. Through the trusted-services exception the endpoint must be identity-based with the hub's system-assigned identity (a user-assigned identity is not admitted). Event Hubs endpoints must name an event hub of the namespace.",
    remediationSteps:
        "Route device messages to an Event Hubs namespace { publicNetworkAccess: \"Enabled\" } with NamespaceNetworkRuleSet { defaultAction: \"Deny\", trustedServiceAccessEnabled: true }, an endpoint { endpointUri: \"sb://<namespace>.servicebus.windows.net\", entityPath: <event hub>, authenticationType: \"identityBased\" } without identity.userAssignedIdentity, the hub's identity.type including SystemAssigned and Azure Event Hubs Data Sender for it on the event hub; write to Cosmos DB from a function in the virtual network.",
    severity: "high",
    anchors: "beyond (MS IoT Hub virtual network support and managed identity docs)",
    validate({ resources, report }) {
        const graph = new StackGraph(resources);
        const pending: Array<() => unknown> = [];
        for (const hub of graph.of("iotHub")) {
            const properties = peek(hub.props, "properties");
            if (!properties.known) {
                pending.push(() => needValue(hub.props, "properties"));
                continue;
            }
            const routing = peek(properties.value, "routing");
            if (!routing.known) {
                pending.push(() => needValue(properties.value, "routing"));
                continue;
            }
            const endpoints = peek(routing.value, "endpoints");
            if (!endpoints.known) {
                pending.push(() => needValue(routing.value, "endpoints"));
                continue;
            }
            // Whether the hub has a system-assigned identity (needed only for the trusted-services path).
            let hubSystemAssigned = true;
            let identityPending: (() => unknown) | undefined;
            const identity = peek(hub.props, "identity");
            if (!identity.known) identityPending = () => needValue(hub.props, "identity");
            else {
                const type = isObj(identity.value) ? peek(identity.value, "type") : { known: true as const, value: undefined };
                if (!type.known) identityPending = () => needValue(identity.value, "type");
                else hubSystemAssigned = (lower(type.value) ?? "").includes("systemassigned");
            }
            for (const kind of Object.keys(TARGETS) as EndpointKind[]) {
                const list = peek(endpoints.value, kind);
                if (!list.known) {
                    pending.push(() => needValue(endpoints.value, kind));
                    continue;
                }
                const all = arr<unknown>(list.value);
                const known = knownElements(all);
                if (known.length < all.length) pending.push(() => needValue(endpoints.value, kind));
                for (const { index, value } of known) {
                    if (!isObj(value)) continue;
                    const where = `hub '${String(hub.name)}' routing endpoint ${kind}[${index}] (${showAt(value, "name")})`;
                    const h = endpointHost(value, kind);
                    if (!h.known) {
                        pending.push(() => needValue(value, "endpointUri"));
                        continue;
                    }
                    if (h.host === undefined) continue;
                    const t = TARGETS[kind];
                    const target = findTarget(graph, t.kind, h.host, t.suffix);
                    if (target === undefined) continue; // a store outside this program
                    if (identityPending !== undefined) pending.push(identityPending);
                    const c: Ctx = { graph, hub, hubSystemAssigned, where, endpoint: value, report, pending };
                    if (kind === "cosmosDBSqlContainers") checkCosmos(c, target);
                    else if (kind === "eventHubs") {
                        checkNamespace(c, target, "eventHubNamespace", "eventHubNetworkRuleSet", t.label);
                        checkEntity(c, target);
                    } else if (kind === "storageContainers") checkStorage(c, target);
                    else checkNamespace(c, target, "serviceBusNamespace", "serviceBusNetworkRuleSet", t.label);
                }
            }
        }
        for (const p of pending) p();
    },
});
