/**
 * Event Hubs namespaces of the telemetry path: EVH-01..05 (and OTH-02 for the namespace's private
 * endpoint). Stacks are built from the compliant factories in fixtures.ts, one mutation per test.
 */
import { describe, it } from "node:test";
import { TOKENS } from "../lib/tokens";
import { evh01LocalAuth } from "../rules/eventHubs/evh-01-namespace-local-auth-disabled";
import { evh02MinTls } from "../rules/eventHubs/evh-02-namespace-min-tls-12";
import { evh03PublicAccess } from "../rules/eventHubs/evh-03-namespace-public-access-closed";
import { evh04NoSasRules } from "../rules/eventHubs/evh-04-no-sas-authorization-rules";
import { evh05PrivateEndpoint } from "../rules/eventHubs/evh-05-namespace-private-endpoint";
import { oth02PrivateDns } from "../rules/other/oth-02-private-endpoint-dns-zone-group";
import { eventHubNamespaceArgs, eventHubNetworkRuleSetArgs, NAMESPACE_NAME, RG, stackResources } from "./fixtures";
import { UNKNOWN, type StackInput } from "./runPolicies";
import { assertCannotRun, assertPasses, assertViolation, check, checkStack, mutate } from "./util";

const T = TOKENS;
type Ns = ReturnType<typeof eventHubNamespaceArgs>;
type Rs = ReturnType<typeof eventHubNetworkRuleSetArgs>;
const ns = (f: (n: Ns) => void = () => {}) => mutate(eventHubNamespaceArgs("prod"), f);

/** A namespace and (unless `rs` is null) its network rule set, linked through namespaceName. */
function nsStack(o: { ns?: (n: Ns) => void; rs?: ((r: Rs) => void) | null; rsDeps?: Record<string, string[]> } = {}): StackInput[] {
    const out: StackInput[] = [{ type: T.eventHubNamespace[0], name: "ns", props: ns(o.ns) }];
    if (o.rs !== null) {
        out.push({ type: T.eventHubNetworkRuleSet[0], name: "rules", props: mutate(eventHubNetworkRuleSetArgs("prod"), o.rs ?? (() => {})), propertyDependencies: o.rsDeps ?? { namespaceName: ["ns"] } });
    }
    return out;
}

describe("EVH-01 namespace local auth disabled", () => {
    it("passes disableLocalAuth true", () => assertPasses(check(evh01LocalAuth, "eventHubNamespace", ns())));
    it("fails when absent (SAS on)", () =>
        assertViolation(check(evh01LocalAuth, "eventHubNamespace", ns((n) => delete n.disableLocalAuth)), evh01LocalAuth, /disableLocalAuth is absent \(SAS authentication on\)/));
    it("fails false", () => assertViolation(check(evh01LocalAuth, "eventHubNamespace", ns((n) => (n.disableLocalAuth = false))), evh01LocalAuth, /disableLocalAuth is false; it must be true/));
});

describe("EVH-02 namespace minimum TLS 1.2", () => {
    it("passes 1.2", () => assertPasses(check(evh02MinTls, "eventHubNamespace", ns())));
    it("fails when absent (1.0 and 1.1 accepted)", () =>
        assertViolation(check(evh02MinTls, "eventHubNamespace", ns((n) => delete n.minimumTlsVersion)), evh02MinTls, /minimumTlsVersion is absent \(TLS 1\.0 and 1\.1 still accepted\)/));
    it("fails 1.1", () => assertViolation(check(evh02MinTls, "eventHubNamespace", ns((n) => (n.minimumTlsVersion = "1.1"))), evh02MinTls, /"1\.1"; it must be "1\.2"/));
});

describe("EVH-03 namespace public access closed (stack)", () => {
    it("passes selected networks: Deny, trusted services, no IP rule (prod)", () => assertPasses(checkStack(evh03PublicAccess, nsStack())));
    it("passes the whole prod stack at preview", () => assertPasses(checkStack(evh03PublicAccess, stackResources("prod", true))));
    it("passes Disabled without a rule set", () => assertPasses(checkStack(evh03PublicAccess, nsStack({ ns: (n) => (n.publicNetworkAccess = "Disabled"), rs: null }))));
    it("passes Disabled in both places", () =>
        assertPasses(checkStack(evh03PublicAccess, nsStack({ ns: (n) => (n.publicNetworkAccess = "Disabled"), rs: (r) => (r.publicNetworkAccess = "Disabled") }))));
    it("passes a specific IP rule", () => assertPasses(checkStack(evh03PublicAccess, nsStack({ rs: (r) => (r.ipRules = [{ ipMask: "198.51.100.16/28", action: "Allow" }]) }))));
    it("fails a namespace Disabled whose rule set says Enabled (one setting, the SDK default)", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ ns: (n) => (n.publicNetworkAccess = "Disabled") })), evh03PublicAccess, /publicNetworkAccess differs between namespace 'ns' \(disabled\) and rule set 'rules' \(enabled\)/));
    it("fails public access without a rule set", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ rs: null })), evh03PublicAccess, /Enabled and no NamespaceNetworkRuleSet restricts it/));
    it("fails defaultAction Allow", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ rs: (r) => (r.defaultAction = "Allow") })), evh03PublicAccess, /defaultAction is not "Deny" \(absent = Allow\)/));
    it("fails an absent defaultAction (Allow since API 2021-06-01-preview)", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ rs: (r) => delete r.defaultAction })), evh03PublicAccess, /defaultAction is not "Deny"/));
    it("fails selected networks without the trusted-services exception", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ rs: (r) => (r.trustedServiceAccessEnabled = false) })), evh03PublicAccess, /Enabled without trustedServiceAccessEnabled/));
    it("fails an IP rule for the whole internet", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ rs: (r) => (r.ipRules = [{ ipMask: "0.0.0.0/0", action: "Allow" }]) })), evh03PublicAccess, /ipRules\[0\] allows 0\.0\.0\.0\/0 \(the whole internet\)/));
    it("fails an IP rule that is not an address", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ rs: (r) => (r.ipRules = [{ ipMask: "10.0.0.0/40" }]) })), evh03PublicAccess, /ipMask "10\.0\.0\.0\/40" is not an IPv4 address/));
    it("applies the configured prefix", () => {
        const wide = nsStack({ rs: (r) => (r.ipRules = [{ ipMask: "10.0.0.0/12" }]) });
        assertPasses(checkStack(evh03PublicAccess, wide, { minPrefixLength: 8 }));
        assertViolation(checkStack(evh03PublicAccess, wide, { minPrefixLength: 16 }), evh03PublicAccess, /allows 10\.0\.0\.0\/12; IP rules must name specific ranges \(prefix \/16 or longer\)/);
    });
    it("fails SecuredByPerimeter (the perimeter is not in the program)", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ ns: (n) => (n.publicNetworkAccess = "SecuredByPerimeter"), rs: null })), evh03PublicAccess, /securedbyperimeter; a network security perimeter's rules are not part of the program/));
    it("links a rule set by its known namespaceName when there is no dependency", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ rs: (r) => (r.defaultAction = "Allow"), rsDeps: {} })), evh03PublicAccess, /defaultAction is not "Deny"/));
    it("ignores a rule set of another namespace", () =>
        assertViolation(checkStack(evh03PublicAccess, nsStack({ rs: (r) => (r.namespaceName = "other-namespace"), rsDeps: {} })), evh03PublicAccess, /no NamespaceNetworkRuleSet restricts it/));
    it("waits at preview for an unknown publicNetworkAccess", () =>
        assertCannotRun(checkStack(evh03PublicAccess, nsStack({ ns: (n) => (n.publicNetworkAccess = UNKNOWN), rs: null })), /publicNetworkAccess/));
    it("waits for an unknown trustedServiceAccessEnabled", () =>
        assertCannotRun(checkStack(evh03PublicAccess, nsStack({ rs: (r) => (r.trustedServiceAccessEnabled = UNKNOWN as unknown as boolean) })), /trustedServiceAccessEnabled/));
});

describe("EVH-04 no SAS authorization rules", () => {
    const base = { resourceGroupName: RG("prod"), namespaceName: NAMESPACE_NAME("prod") };
    it("fails a namespace authorization rule", () =>
        assertViolation(check(evh04NoSasRules, "eventHubNamespaceAuthRule", { ...base, authorizationRuleName: "ingest", rights: ["Listen"] }), evh04NoSasRules, /namespace SAS authorization rule 'ingest' \(Listen\) is declared/));
    it("fails an event hub authorization rule", () =>
        assertViolation(check(evh04NoSasRules, "eventHubAuthRule", { ...base, eventHubName: "telemetry", authorizationRuleName: "send", rights: ["Send", "Listen"] }), evh04NoSasRules, /event hub SAS authorization rule 'send' \(Send, Listen\)/));
    it("fails RootManageSharedAccessKey declared in the program too", () =>
        assertViolation(check(evh04NoSasRules, "eventHubNamespaceAuthRule", { ...base, authorizationRuleName: "RootManageSharedAccessKey", rights: ["Listen", "Manage", "Send"] }), evh04NoSasRules, /'RootManageSharedAccessKey'/));
    it("does not apply to the namespace itself", () => assertPasses(check(evh04NoSasRules, "eventHubNamespace", ns())));
});

describe("EVH-05 namespace private endpoint (stack)", () => {
    const prod = () => stackResources("prod", true);
    it("passes the prod stack (private endpoint with groupId namespace)", () => assertPasses(checkStack(evh05PrivateEndpoint, prod(), { requirement: "always" })));
    it("fails without the private endpoint when always required", () =>
        assertViolation(checkStack(evh05PrivateEndpoint, prod().filter((r) => r.name !== "pe-eventhubs"), { requirement: "always" }), evh05PrivateEndpoint, /Event Hubs namespace 'eventhub-namespace' has no private endpoint with groupId "namespace"/));
    it("fails a private endpoint with another group id", () =>
        assertViolation(checkStack(evh05PrivateEndpoint, prod().map((r) => (r.name === "pe-eventhubs" ? mutate(r, (x) => ((x.props as { privateLinkServiceConnections: Array<{ groupIds: string[] }> }).privateLinkServiceConnections[0].groupIds = ["blob"])) : r)), { requirement: "always" }), evh05PrivateEndpoint, /no private endpoint with groupId "namespace"/));
    it("passes a public namespace without one when only required for closed namespaces (dev)", () =>
        assertPasses(checkStack(evh05PrivateEndpoint, stackResources("dev", true), { requirement: "whenPublicAccessDisabled" })));
    it("fails a Disabled namespace without one (it would be unreachable)", () =>
        assertViolation(checkStack(evh05PrivateEndpoint, nsStack({ ns: (n) => (n.publicNetworkAccess = "Disabled"), rs: null }), { requirement: "whenPublicAccessDisabled" }), evh05PrivateEndpoint, /although its public network access is disabled/));
});

describe("OTH-02 DNS zone of the namespace's private endpoint", () => {
    it("passes privatelink.servicebus.windows.net", () => assertPasses(checkStack(oth02PrivateDns, stackResources("prod", false))));
    it("fails a zone group linking another zone", () => {
        const stack = stackResources("prod", false).map((r) => (r.name === "zone-eventhubs" ? mutate(r, (x) => ((x.props as { privateZoneName: string }).privateZoneName = "privatelink.blob.core.windows.net")) : r))
            .map((r) => (r.name === "pe-eventhubs-dns" ? mutate(r, (x) => ((x.props as { privateDnsZoneConfigs: Array<{ privateDnsZoneId: string }> }).privateDnsZoneConfigs[0].privateDnsZoneId = "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net")) : r));
        assertViolation(checkStack(oth02PrivateDns, stack), oth02PrivateDns, /'pe-eventhubs' DNS zone group does not link privatelink\.servicebus\.windows\.net/);
    });
});
