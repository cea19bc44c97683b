import { describe, it } from "node:test";
import { TOKENS } from "../lib/tokens";
import { dps11CaCertificates } from "../rules/certificates";
import { dps01PublicAccess, dps03IpFilter, dps07SasPolicies } from "../rules/dps";
import { dps04LinkPolicy, dps05SameGroup, dps06SecretLinks, iot05ExceptionLinked } from "../rules/dpsLinkedHub";
import { caCert, pemToBase64Der } from "./certs";
import { dpsArgs, dpsCertificateArgs, hubArgs, hubCertificateArgs, resourceGroupArgs } from "./fixtures";
import { UNKNOWN, unknown, type StackInput } from "./harness";
import { assertCannotRun, assertPasses, assertSomeViolation, assertViolation, check, checkStack, mutate } from "./util";

const dps = (f: (d: ReturnType<typeof dpsArgs>) => void = () => {}) => mutate(dpsArgs("prod"), f);

describe("DPS-01 public network access", () => {
    it("passes public with an IP allow list", () => assertPasses(check(dps01PublicAccess, "dps", dps())));
    it("passes when disabled", () =>
        assertPasses(check(dps01PublicAccess, "dps", dps((d) => {
            d.properties.publicNetworkAccess = "Disabled";
            d.properties.ipFilterRules = [];
        }))));
    it("fails when absent (Enabled) without rules", () =>
        assertViolation(check(dps01PublicAccess, "dps", dps((d) => {
            delete d.properties.publicNetworkAccess;
            delete d.properties.ipFilterRules;
        })), dps01PublicAccess, /absent \(Enabled\) and there are no ipFilterRules/));
    it("matches the v2 alias token (azure-native:devices:IotDpsResource)", () =>
        assertViolation(check(dps01PublicAccess, "dps", dps((d) => (d.properties.ipFilterRules = [])), { v2: true }), dps01PublicAccess, /no ipFilterRules/));
});

describe("DPS-03 IP filter scoped", () => {
    it("passes accepted ranges followed by Reject 0.0.0.0/0", () => assertPasses(check(dps03IpFilter, "dps", dps())));
    it("fails an Accept of 0.0.0.0/0", () =>
        assertViolation(check(dps03IpFilter, "dps", dps((d) => d.properties.ipFilterRules!.unshift({ filterName: "any", action: "Accept", ipMask: "0.0.0.0/0" }))), dps03IpFilter, /accepts 0\.0\.0\.0\/0 \(the whole internet\)/));
    it("fails without the trailing Reject (DPS has no default action)", () =>
        assertViolation(check(dps03IpFilter, "dps", dps((d) => d.properties.ipFilterRules!.pop())), dps03IpFilter, /does not end with a Reject of 0\.0\.0\.0\/0/));
    it("fails when the trailing Reject only targets the service API", () =>
        assertViolation(check(dps03IpFilter, "dps", dps((d) => (d.properties.ipFilterRules![1].target = "serviceApi"))), dps03IpFilter, /for all targets/));
    it("accepts a Reject without target (defaults to all) and lower-case actions", () =>
        assertPasses(check(dps03IpFilter, "dps", dps((d) => {
            delete d.properties.ipFilterRules![1].target;
            (d.properties.ipFilterRules![1] as Record<string, unknown>).action = "reject";
        }))));
    it("fails an unparseable mask", () =>
        assertViolation(check(dps03IpFilter, "dps", dps((d) => (d.properties.ipFilterRules![0].ipMask = "300.1.1.1/24"))), dps03IpFilter, /not an IPv4 address/));
    it("does not apply when public access is disabled", () =>
        assertPasses(check(dps03IpFilter, "dps", dps((d) => {
            d.properties.publicNetworkAccess = "Disabled";
            d.properties.ipFilterRules!.pop();
        }))));
});

describe("DPS-07 least-privilege DPS SAS policies", () => {
    it("passes an empty list", () => assertPasses(check(dps07SasPolicies, "dps", dps())));
    it("fails when absent (provisioningserviceowner created)", () =>
        assertViolation(check(dps07SasPolicies, "dps", dps((d) => delete d.properties.authorizationPolicies)), dps07SasPolicies, /absent: Azure then creates provisioningserviceowner/));
    it("fails the owner policy", () =>
        assertSomeViolation(check(dps07SasPolicies, "dps", dps((d) => (d.properties.authorizationPolicies = [{ keyName: "provisioningserviceowner", rights: "EnrollmentRead" }]))), dps07SasPolicies, /owner policy/));
    it("fails all six rights", () =>
        assertSomeViolation(check(dps07SasPolicies, "dps", dps((d) => (d.properties.authorizationPolicies = [{ keyName: "all", rights: "ServiceConfig, EnrollmentRead, EnrollmentWrite, DeviceConnect, RegistrationStatusRead, RegistrationStatusWrite" }]))), dps07SasPolicies, /all six rights/));
    it("fails ServiceConfig (not in the default allow list)", () =>
        assertViolation(check(dps07SasPolicies, "dps", dps((d) => (d.properties.authorizationPolicies = [{ keyName: "ops", rights: "ServiceConfig" }]))), dps07SasPolicies, /outside the allow list.*ServiceConfig/));
    it("passes an allowed read-only policy", () =>
        assertPasses(check(dps07SasPolicies, "dps", dps((d) => (d.properties.authorizationPolicies = [{ keyName: "reader", rights: "EnrollmentRead, RegistrationStatusRead" }])))));
});

describe("DPS-11 CA certificates (stack)", () => {
    const c = { minValidityDays: 30 };
    const one = (kind: "dpsCertificate" | "iotHubCertificate", props: unknown, v2 = false): StackInput[] => [{ type: TOKENS[kind][v2 ? 1 : 0], name: "ca", props }];
    for (const [kind, make] of [["dpsCertificate", dpsCertificateArgs], ["iotHubCertificate", hubCertificateArgs]] as const) {
        describe(kind, () => {
            it("passes a verified certificate valid for a year", () => assertPasses(checkStack(dps11CaCertificates, one(kind, make("prod")), c)));
            it("passes the base64-DER form", () => assertPasses(checkStack(dps11CaCertificates, one(kind, make("prod", pemToBase64Der(caCert(-1, 365)))), c)));
            it("fails an unverified certificate", () =>
                assertViolation(checkStack(dps11CaCertificates, one(kind, mutate(make("prod"), (x) => (x.properties!.isVerified = false))), c), dps11CaCertificates, /isVerified is false/));
            it("fails a certificate expiring within the configured days", () =>
                assertViolation(checkStack(dps11CaCertificates, one(kind, make("prod", caCert(-300, 10))), c), dps11CaCertificates, /\(\d+ days left\); at least 30 days/));
            it("fails an expired certificate", () =>
                assertViolation(checkStack(dps11CaCertificates, one(kind, make("prod", caCert(-400, -5))), c), dps11CaCertificates, /expired on/));
            it("fails a certificate not yet valid", () =>
                assertViolation(checkStack(dps11CaCertificates, one(kind, make("prod", caCert(5, 400))), c), dps11CaCertificates, /not valid before/));
            it("fails garbage instead of a certificate", () =>
                assertViolation(checkStack(dps11CaCertificates, one(kind, mutate(make("prod"), (x) => (x.properties!.certificate = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"))), c), dps11CaCertificates, /not a parseable X\.509/));
            it("fails a missing certificate", () =>
                assertViolation(checkStack(dps11CaCertificates, one(kind, mutate(make("prod"), (x) => delete x.properties!.certificate)), c), dps11CaCertificates, /certificate is absent/));
        });
    }
    it("matches the v2 alias token (azure-native:devices:DpsCertificate)", () =>
        assertViolation(checkStack(dps11CaCertificates, one("dpsCertificate", dpsCertificateArgs("prod", caCert(-400, -5)), true)), dps11CaCertificates, /expired/));

    // A CA generated with @pulumi/tls: its PEM is unknown at preview, its validity is an input.
    const generated = (hours: number, certificate: unknown = UNKNOWN): StackInput[] => [
        { type: "tls:index/selfSignedCert:SelfSignedCert", name: "ca-cert", props: { isCaCertificate: true, validityPeriodHours: hours, earlyRenewalHours: 720, privateKeyPem: UNKNOWN } },
        { type: TOKENS.dpsCertificate[0], name: "ca", props: mutate(dpsCertificateArgs("dev"), (x) => (x.properties!.certificate = certificate as string)), propertyDependencies: { properties: ["ca-cert"] } },
    ];
    it("passes at preview a generated CA whose validityPeriodHours covers the minimum", () => assertPasses(checkStack(dps11CaCertificates, generated(365 * 24), c)));
    it("fails at preview a generated CA valid for fewer days than the minimum", () =>
        assertViolation(checkStack(dps11CaCertificates, generated(10 * 24), c), dps11CaCertificates, /validityPeriodHours 240 \(10 days\); at least 30 days/));
    it("checks the real PEM once it is known", () => assertViolation(checkStack(dps11CaCertificates, generated(365 * 24, caCert(-400, -1)), c), dps11CaCertificates, /expired/));
    it("waits for an unknown PEM that no generator explains", () =>
        assertCannotRun(checkStack(dps11CaCertificates, [{ type: TOKENS.dpsCertificate[0], name: "ca", props: mutate(dpsCertificateArgs("dev"), (x) => (x.properties!.certificate = UNKNOWN)) }], c), /certificate/));
});

// ---- Stack rules over DPS and its linked hub ---------------------------------------------------

const T = TOKENS;
function linkStack(o: { hub?: (h: ReturnType<typeof hubArgs>) => void; dps?: (d: ReturnType<typeof dpsArgs>) => void; dpsDeps?: Record<string, string[]>; hubDeps?: Record<string, string[]>; extra?: StackInput[] } = {}): StackInput[] {
    return [
        { type: T.resourceGroup[0], name: "rg", props: resourceGroupArgs("prod") },
        { type: T.resourceGroup[0], name: "rg-other", props: { ...resourceGroupArgs("prod"), resourceGroupName: "rg-other" } },
        { type: T.iotHub[0], name: "hub", props: mutate(hubArgs("prod"), o.hub ?? (() => {})), propertyDependencies: o.hubDeps ?? { resourceGroupName: ["rg"] } },
        { type: T.dps[0], name: "dps", props: mutate(dpsArgs("prod"), o.dps ?? (() => {})), propertyDependencies: o.dpsDeps ?? { resourceGroupName: ["rg"], properties: ["hub"] } },
        ...(o.extra ?? []),
    ];
}
const unknownConnectionString = (d: ReturnType<typeof dpsArgs>) => (d.properties.iotHubs![0].connectionString = unknown());

describe("DPS-04 linked hub least-privilege key (stack)", () => {
    it("passes the dps-link key after deployment", () => assertPasses(checkStack(dps04LinkPolicy, linkStack())));
    it("passes at preview (connection string unknown) when the linked hub only has the link policy", () =>
        assertPasses(checkStack(dps04LinkPolicy, linkStack({ dps: unknownConnectionString }))));
    it("fails a link with iothubowner", () =>
        assertViolation(checkStack(dps04LinkPolicy, linkStack({ dps: (d) => (d.properties.iotHubs![0].connectionString = "HostName=iot-secure-prod.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=x") })), dps04LinkPolicy, /links with iothubowner/));
    it("fails a key whose hub policy has more rights", () =>
        assertViolation(checkStack(dps04LinkPolicy, linkStack({ hub: (h) => (h.properties!.authorizationPolicies![0].rights = "RegistryRead, RegistryWrite, ServiceConnect") })), dps04LinkPolicy, /rights RegistryRead, RegistryWrite, ServiceConnect; the link needs exactly/));
    it("fails a key name the hub does not define", () =>
        assertViolation(checkStack(dps04LinkPolicy, linkStack({ dps: (d) => (d.properties.iotHubs![0].connectionString = "HostName=iot-secure-prod.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=x") })), dps04LinkPolicy, /key 'service', which hub 'hub' does not define/));
    it("finds the hub by HostName when there is no dependency", () =>
        assertViolation(checkStack(dps04LinkPolicy, linkStack({ dpsDeps: {}, hub: (h) => (h.properties!.authorizationPolicies![0].rights = "RegistryWrite, ServiceConnect, DeviceConnect") })), dps04LinkPolicy, /DeviceConnect/));
    it("waits for the connection string at preview when the linked hub has several policies", () =>
        assertCannotRun(checkStack(dps04LinkPolicy, linkStack({ dps: unknownConnectionString, hub: (h) => h.properties!.authorizationPolicies!.push({ keyName: "service", rights: "ServiceConnect" }) })), /connectionString/));
    it("waits for the connection string when no linked hub can be found", () =>
        assertCannotRun(checkStack(dps04LinkPolicy, linkStack({ dps: unknownConnectionString, dpsDeps: {} })), /connectionString/));
});

describe("DPS-05 same resource group and region (stack)", () => {
    it("passes DPS and hub in the same group and region", () => assertPasses(checkStack(dps05SameGroup, linkStack())));
    it("passes at preview: the group is followed through propertyDependencies, names unknown", () =>
        assertPasses(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.resourceGroupName = UNKNOWN), hub: (h) => (h.resourceGroupName = UNKNOWN) }))));
    it("fails different resource groups (by dependency)", () =>
        assertViolation(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.resourceGroupName = "rg-other"), dpsDeps: { resourceGroupName: ["rg-other"], properties: ["hub"] } })), dps05SameGroup, /different resource groups/));
    it("fails different resource groups (by literal name)", () =>
        assertViolation(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.resourceGroupName = "rg-literal"), dpsDeps: { properties: ["hub"] }, hubDeps: {} })), dps05SameGroup, /different resource groups/));
    it("fails different regions", () =>
        assertSomeViolation(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.location = "North Europe") })), dps05SameGroup, /DPS 'dps' is in northeurope but its linked hub 'hub' is in westeurope/));
    it("passes different regions when not required", () =>
        assertPasses(checkStack(dps05SameGroup, linkStack({ dps: (d) => { d.location = "northeurope"; d.properties.iotHubs![0].location = "northeurope"; } }), { requireSameRegion: false })));
    it("fails an iotHubs[].location that differs from the hub", () =>
        assertViolation(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.properties.iotHubs![0].location = "eastus") })), dps05SameGroup, /iotHubs\[0\]\.location is eastus/));
});

describe("DPS-06 link keys read from the hub (stack)", () => {
    it("passes a connection string computed from the hub", () => assertPasses(checkStack(dps06SecretLinks, linkStack())));
    it("passes at preview", () => assertPasses(checkStack(dps06SecretLinks, linkStack({ dps: unknownConnectionString }))));
    it("fails a pasted connection string (no dependency on a hub)", () =>
        assertViolation(checkStack(dps06SecretLinks, linkStack({ dpsDeps: { resourceGroupName: ["rg"] } })), dps06SecretLinks, /do not depend on any IoT hub/));
    it("passes an external hub when allowed", () =>
        assertPasses(checkStack(dps06SecretLinks, linkStack({ dpsDeps: {} }), { allowExternalHubs: true })));
    it("fails a literal key on a DPS policy", () =>
        assertViolation(checkStack(dps06SecretLinks, linkStack({ dps: (d) => (d.properties.authorizationPolicies = [{ keyName: "reader", rights: "EnrollmentRead", primaryKey: "a2V5" }]) })), dps06SecretLinks, /policy 'reader' sets a key/));
});

describe("IOT-05 DPS-link exception needs a linked DPS (stack)", () => {
    it("passes a hub with the exception that the DPS links", () => assertPasses(checkStack(iot05ExceptionLinked, linkStack())));
    it("passes at preview", () => assertPasses(checkStack(iot05ExceptionLinked, linkStack({ dps: unknownConnectionString }))));
    it("fails a hub keeping local auth on with no DPS", () =>
        assertViolation(checkStack(iot05ExceptionLinked, linkStack().filter((r) => r.name !== "dps")), iot05ExceptionLinked, /no DPS in the program links it/));
    it("passes a hub with local auth disabled and no DPS", () =>
        assertPasses(checkStack(iot05ExceptionLinked, linkStack({ hub: (h) => { h.properties!.disableLocalAuth = true; h.properties!.authorizationPolicies = []; } }).filter((r) => r.name !== "dps"))));
});
