import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PackResourcePolicy } from "../lib/define";
import { TOKENS } from "../lib/tokens";
import { dps11CaCertificates } from "../rules/dps/dps-11-ca-certificate-verified-not-expiring";
import { dps01PublicAccess } from "../rules/dps/dps-01-public-network-access";
import { dps03IpFilter } from "../rules/dps/dps-03-ip-filter-scoped";
import { dps04LinkedByIdentity } from "../rules/dps/dps-04-linked-hubs-by-identity";
import { dps07LocalAuth } from "../rules/dps/dps-07-local-auth-disabled";
import { dps07SasPolicies } from "../rules/dps/dps-07-least-privilege-sas-policies";
import { dpsApiHasLocalAuthSwitch } from "../lib/rules/dps";
import { dps04LinkIdentityRole } from "../rules/dps/dps-04-link-identity-has-hub-data-role";
import { dps05SameGroup } from "../rules/dps/dps-05-linked-hub-same-group-and-region";
import { dps06SecretLinks } from "../rules/dps/dps-06-link-keys-from-hub-not-literals";
import { caCert, pemToBase64Der } from "./certs";
import {
    DPS_PRINCIPAL_ID, dpsArgs, dpsCertificateArgs, dpsIdentityId, dpsLinkRoleArgs, genericDpsArgs, hubArgs, hubCertificateArgs, hubId,
    identityArgs, IOT_HUB_DATA_CONTRIBUTOR, IOT_HUB_DATA_READER, IOT_HUB_REGISTRY_CONTRIBUTOR, IOT_HUB_TWIN_CONTRIBUTOR, keyLink, resourceGroupArgs, roleDefinition, SUB,
} from "./fixtures";
import { UNKNOWN, unknown, type RunResult, type StackInput } from "./runPolicies";
import { assertCannotRun, assertPasses, assertSomeViolation, assertViolation, check, checkStack, mutate } from "./util";

const dps = (f: (d: ReturnType<typeof dpsArgs>) => void = () => {}) => mutate(dpsArgs("prod"), f);
const gdps = (f: (d: ReturnType<typeof genericDpsArgs>) => void = () => {}) => mutate(genericDpsArgs("prod"), f);
const generic = { generic: true };
type DpsProperties = ReturnType<typeof dpsArgs>["properties"];

/**
 * Runs a rule on the typed DPS and on the generic one with the same change to `properties`, and
 * asserts both verdicts are the same: the generic resource is evaluated exactly as the typed one.
 */
function same(policy: PackResourcePolicy, f: (p: DpsProperties) => void = () => {}): RunResult {
    const typed = check(policy, "dps", dps((d) => f(d.properties)));
    const viaGeneric = check(policy, "dps", gdps((d) => f(d.properties as unknown as DpsProperties)), generic);
    assert.deepEqual(viaGeneric.violations.map((v) => v.message), typed.violations.map((v) => v.message));
    assert.deepEqual(viaGeneric.cannotRun.length, typed.cannotRun.length);
    return typed;
}

describe("DPS-01 public network access", () => {
    it("passes public with an IP allow list (typed and generic)", () => assertPasses(same(dps01PublicAccess)));
    it("passes when disabled", () =>
        assertPasses(same(dps01PublicAccess, (p) => {
            p.publicNetworkAccess = "Disabled";
            p.ipFilterRules = [];
        })));
    it("fails when absent (Enabled) without rules (typed and generic)", () =>
        assertViolation(same(dps01PublicAccess, (p) => {
            delete p.publicNetworkAccess;
            delete p.ipFilterRules;
        }), dps01PublicAccess, /absent \(Enabled\) and there are no ipFilterRules/));
    it("matches the v2 alias token (azure-native:devices:IotDpsResource)", () =>
        assertViolation(check(dps01PublicAccess, "dps", dps((d) => (d.properties.ipFilterRules = [])), { v2: true }), dps01PublicAccess, /no ipFilterRules/));
    it("matches the generic resource's ARM type case-insensitively", () =>
        assertViolation(check(dps01PublicAccess, "dps", gdps((d) => {
            d.resourceProviderNamespace = "microsoft.devices";
            d.resourceType = "ProvisioningServices";
            d.properties.ipFilterRules = [];
        }), generic), dps01PublicAccess, /no ipFilterRules/));
    it("ignores a generic resource of another ARM type, or a DPS child resource", () => {
        assertPasses(check(dps01PublicAccess, "dps", gdps((d) => {
            d.resourceProviderNamespace = "Microsoft.Storage";
            d.resourceType = "storageAccounts";
            d.properties.ipFilterRules = [];
        }), generic));
        assertPasses(check(dps01PublicAccess, "dps", gdps((d) => {
            d.parentResourcePath = "provisioningServices/dps-secure-iot-prod";
            d.resourceType = "certificates";
            d.properties.ipFilterRules = [];
        }), generic));
    });
    it("waits when the generic resource's ARM type is unknown at preview", () =>
        assertCannotRun(check(dps01PublicAccess, "dps", gdps((d) => (d.resourceType = unknown())), generic), /resourceType/));
});

describe("DPS-03 IP filter scoped", () => {
    it("passes accepted ranges followed by Reject 0.0.0.0/0", () => assertPasses(same(dps03IpFilter)));
    it("fails an Accept of 0.0.0.0/0 (typed and generic)", () =>
        assertViolation(same(dps03IpFilter, (p) => p.ipFilterRules!.unshift({ filterName: "any", action: "Accept", ipMask: "0.0.0.0/0" })), dps03IpFilter, /accepts 0\.0\.0\.0\/0 \(the whole internet\)/));
    it("fails without the trailing Reject (DPS has no default action)", () =>
        assertViolation(same(dps03IpFilter, (p) => p.ipFilterRules!.pop()), dps03IpFilter, /does not end with a Reject of 0\.0\.0\.0\/0/));
    it("fails when the trailing Reject only targets the service API", () =>
        assertViolation(same(dps03IpFilter, (p) => (p.ipFilterRules![1].target = "serviceApi")), dps03IpFilter, /for all targets/));
    it("accepts a Reject without target (defaults to all) and lower-case actions", () =>
        assertPasses(same(dps03IpFilter, (p) => {
            delete p.ipFilterRules![1].target;
            (p.ipFilterRules![1] as Record<string, unknown>).action = "reject";
        })));
    it("fails an unparseable mask", () =>
        assertViolation(same(dps03IpFilter, (p) => (p.ipFilterRules![0].ipMask = "300.1.1.1/24")), dps03IpFilter, /not an IPv4 address/));
    it("does not apply when public access is disabled", () =>
        assertPasses(same(dps03IpFilter, (p) => {
            p.publicNetworkAccess = "Disabled";
            p.ipFilterRules!.pop();
        })));
});

describe("DPS-07 least-privilege DPS SAS policies", () => {
    it("passes an empty list (typed and generic)", () => assertPasses(same(dps07SasPolicies)));
    it("fails when absent (provisioningserviceowner created)", () =>
        assertViolation(same(dps07SasPolicies, (p) => delete p.authorizationPolicies), dps07SasPolicies, /absent: Azure then creates provisioningserviceowner/));
    it("fails the owner policy", () =>
        assertSomeViolation(same(dps07SasPolicies, (p) => (p.authorizationPolicies = [{ keyName: "provisioningserviceowner", rights: "EnrollmentRead" }])), dps07SasPolicies, /owner policy/));
    it("fails all six rights", () =>
        assertSomeViolation(same(dps07SasPolicies, (p) => (p.authorizationPolicies = [{ keyName: "all", rights: "ServiceConfig, EnrollmentRead, EnrollmentWrite, DeviceConnect, RegistrationStatusRead, RegistrationStatusWrite" }])), dps07SasPolicies, /all six rights/));
    it("fails ServiceConfig (not in the default allow list)", () =>
        assertViolation(same(dps07SasPolicies, (p) => (p.authorizationPolicies = [{ keyName: "ops", rights: "ServiceConfig" }])), dps07SasPolicies, /outside the allow list.*ServiceConfig/));
    it("passes an allowed read-only policy", () =>
        assertPasses(same(dps07SasPolicies, (p) => (p.authorizationPolicies = [{ keyName: "reader", rights: "EnrollmentRead, RegistrationStatusRead" }]))));
});

describe("DPS-07 local auth off where the API version offers it", () => {
    it("passes the generic DPS at 2026-08-01 with disableLocalAuth true (also as the string \"true\")", () => {
        assertPasses(check(dps07LocalAuth, "dps", gdps(), generic));
        assertPasses(check(dps07LocalAuth, "dps", gdps((d) => (d.properties.disableLocalAuth = "True")), generic));
    });
    it("fails when absent (false, the API's default)", () =>
        assertViolation(check(dps07LocalAuth, "dps", gdps((d) => delete d.properties.disableLocalAuth), generic), dps07LocalAuth, /disableLocalAuth is absent \(false, the API's default\) at API 2026-08-01/));
    it("fails when false", () =>
        assertViolation(check(dps07LocalAuth, "dps", gdps((d) => (d.properties.disableLocalAuth = false)), generic), dps07LocalAuth, /disableLocalAuth is false at API 2026-08-01: the DPS service API accepts shared access keys/));
    it("applies from 2026-06-01-preview (DPSCreate_DisableLocalAuthTrue), not to older versions", () => {
        assertViolation(check(dps07LocalAuth, "dps", gdps((d) => { d.apiVersion = "2026-06-01-preview"; delete d.properties.disableLocalAuth; }), generic), dps07LocalAuth, /at API 2026-06-01-preview/);
        assertPasses(check(dps07LocalAuth, "dps", gdps((d) => { d.apiVersion = "2026-03-01-preview"; delete d.properties.disableLocalAuth; }), generic));
        assertPasses(check(dps07LocalAuth, "dps", gdps((d) => { d.apiVersion = "2022-12-12"; d.properties.disableLocalAuth = false; }), generic));
        assert.equal(dpsApiHasLocalAuthSwitch("2026-08-01"), true);
        assert.equal(dpsApiHasLocalAuthSwitch("2026-06-01-PREVIEW"), true);
        assert.equal(dpsApiHasLocalAuthSwitch("2026-04-01"), false);
        assert.equal(dpsApiHasLocalAuthSwitch("latest"), undefined);
    });
    it("does not apply to the typed class (API 2023-03-01-preview has no switch) nor its v2 alias", () => {
        assertPasses(check(dps07LocalAuth, "dps", dps()));
        assertPasses(check(dps07LocalAuth, "dps", dps(), { v2: true }));
    });
    it("fails an apiVersion that is not a version", () =>
        assertViolation(check(dps07LocalAuth, "dps", gdps((d) => (d.apiVersion = "latest")), generic), dps07LocalAuth, /apiVersion "latest" is not an ARM API version/));
    it("waits for an apiVersion unknown at preview", () =>
        assertCannotRun(check(dps07LocalAuth, "dps", gdps((d) => (d.apiVersion = unknown())), generic), /apiVersion/));
});

describe("DPS-04 every hub linked by managed identity", () => {
    const link = (f: (e: Record<string, unknown>) => void) => gdps((d) => f(d.properties.iotHubs[0]));
    const id = dpsIdentityId("prod");
    it("passes the user-assigned link of the generic DPS at 2026-08-01", () => assertPasses(check(dps04LinkedByIdentity, "dps", gdps(), generic)));
    it("passes a DPS that links no hub (typed or generic)", () => {
        assertPasses(check(dps04LinkedByIdentity, "dps", dps()));
        assertPasses(check(dps04LinkedByIdentity, "dps", gdps((d) => (d.properties.iotHubs = [])), generic));
    });
    it("fails the typed class's key link, and says the typed class cannot link by identity", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", dps((d) => (d.properties.iotHubs = keyLink("prod")))), dps04LinkedByIdentity, /iotHubs\[0\] .*links by key: it sets connectionString\..*typed IotDpsResource class \(API 2023-03-01-preview\) cannot link by identity/));
    it("fails the v2 alias token's key link", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", dps((d) => (d.properties.iotHubs = keyLink("prod"))), { v2: true }), dps04LinkedByIdentity, /links by key/));
    it("fails a connection string even with authenticationType UserAssigned", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", link((e) => (e.connectionString = keyLink("prod")[0].connectionString)), generic), dps04LinkedByIdentity, /links by key: it sets connectionString\. DPS must link every hub by managed identity/));
    it("fails a connection string unknown at preview (a set secret)", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", link((e) => (e.connectionString = UNKNOWN)), generic), dps04LinkedByIdentity, /a secret, unknown at preview/));
    it("passes an empty connection string (what the CLI leaves after switching to identity)", () =>
        assertPasses(check(dps04LinkedByIdentity, "dps", link((e) => (e.connectionString = "")), generic)));
    it("fails an absent authenticationType (KeyBased before 2026-03-01-preview)", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", link((e) => delete e.authenticationType), generic), dps04LinkedByIdentity, /authenticationType is absent \(KeyBased/));
    it("fails KeyBased in any casing", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", link((e) => (e.authenticationType = "keybased")), generic), dps04LinkedByIdentity, /links by key: authenticationType is "keybased"/));
    it("fails an unknown authentication type", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", link((e) => (e.authenticationType = "Password")), generic), dps04LinkedByIdentity, /authenticationType is "Password"; it must be "UserAssigned"/));
    it("fails UserAssigned without a selected identity", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", link((e) => delete e.selectedUserAssignedIdentityResourceId), generic), dps04LinkedByIdentity, /UserAssigned but no selectedUserAssignedIdentityResourceId/));
    it("fails a selected identity that is not one of the DPS's identities", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", link((e) => (e.selectedUserAssignedIdentityResourceId = id.replace("id-dps-link", "id-other"))), generic), dps04LinkedByIdentity, /selects identity '.*id-other-prod', which is not one of the DPS's identity\.userAssignedIdentities \(.*id-dps-link-prod\)/));
    it("compares identity ids as ARM does (case, trailing slash), and accepts ARM's dictionary form", () => {
        assertPasses(check(dps04LinkedByIdentity, "dps", link((e) => (e.selectedUserAssignedIdentityResourceId = `${id.toUpperCase()}/`)), generic));
        assertPasses(check(dps04LinkedByIdentity, "dps", gdps((d) => ((d.identity as Record<string, unknown>).userAssignedIdentities = { [id]: {} })), generic));
    });
    it("fails a user-assigned link when the DPS has only a system-assigned identity", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", gdps((d) => (d.identity = { type: "SystemAssigned" })), generic), dps04LinkedByIdentity, /identity\.type is "SystemAssigned": it has no user-assigned identity/));
    it("passes a user-assigned link with both identity types", () =>
        assertPasses(check(dps04LinkedByIdentity, "dps", gdps((d) => (d.identity!.type = "SystemAssigned, UserAssigned")), generic)));
    it("SystemAssigned links need a system-assigned identity on the DPS", () => {
        const system = (type: string) => gdps((d) => {
            d.properties.iotHubs[0].authenticationType = "SystemAssigned";
            delete d.properties.iotHubs[0].selectedUserAssignedIdentityResourceId;
            d.identity = { type: type as "SystemAssigned" };
        });
        assertPasses(check(dps04LinkedByIdentity, "dps", system("SystemAssigned"), generic));
        assertViolation(check(dps04LinkedByIdentity, "dps", system("UserAssigned"), generic), dps04LinkedByIdentity, /system-assigned identity, but identity\.type is "UserAssigned"/);
    });
    it("fails an identity link without hostName", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", link((e) => delete e.hostName), generic), dps04LinkedByIdentity, /has no hostName/));
    it("fails an entry that is not an object", () =>
        assertViolation(check(dps04LinkedByIdentity, "dps", gdps((d) => (d.properties.iotHubs = ["hub" as unknown as Record<string, unknown>])), generic), dps04LinkedByIdentity, /iotHubs\[0\] is "hub", not a linked hub/));
    it("waits for an authenticationType or identity id unknown at preview", () => {
        assertCannotRun(check(dps04LinkedByIdentity, "dps", link((e) => (e.authenticationType = UNKNOWN)), generic), /authenticationType/);
        assertCannotRun(check(dps04LinkedByIdentity, "dps", link((e) => (e.selectedUserAssignedIdentityResourceId = UNKNOWN)), generic), /selectedUserAssignedIdentityResourceId/);
        assertCannotRun(check(dps04LinkedByIdentity, "dps", gdps((d) => (d.identity!.userAssignedIdentities = [UNKNOWN])), generic), /userAssignedIdentities/);
    });
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
const identityProps = (principalId: unknown = DPS_PRINCIPAL_ID) => ({ ...identityArgs("prod", "id-dps-link"), principalId });
const role = (name: string, guid: string, f: (r: ReturnType<typeof dpsLinkRoleArgs>) => void = () => {}, deps: Record<string, string[]> = { principalId: ["dps-identity"], scope: ["hub"] }): StackInput =>
    ({ type: T.roleAssignment[0], name, props: mutate(dpsLinkRoleArgs("prod", guid), f), propertyDependencies: deps });
const ROLES = [role("role-registry", IOT_HUB_REGISTRY_CONTRIBUTOR), role("role-twin", IOT_HUB_TWIN_CONTRIBUTOR)];

/** The keyless link: generic DPS, its user-assigned identity, the hub, and the identity's two data roles on the hub. */
function linkStack(o: {
    hub?: (h: ReturnType<typeof hubArgs>) => void;
    dps?: (d: ReturnType<typeof genericDpsArgs>) => void;
    dpsDeps?: Record<string, string[]>;
    hubDeps?: Record<string, string[]>;
    identity?: unknown;
    roles?: StackInput[];
    extra?: StackInput[];
} = {}): StackInput[] {
    return [
        { type: T.resourceGroup[0], name: "rg", props: resourceGroupArgs("prod") },
        { type: T.resourceGroup[0], name: "rg-other", props: { ...resourceGroupArgs("prod"), resourceGroupName: "rg-other" } },
        { type: T.userAssignedIdentity[0], name: "dps-identity", props: o.identity ?? identityProps(), propertyDependencies: { resourceGroupName: ["rg"] } },
        { type: T.userAssignedIdentity[0], name: "api-identity", props: { ...identityArgs("prod", "id-api"), principalId: "33333333-aaaa-4bbb-8ccc-000000000004" }, propertyDependencies: { resourceGroupName: ["rg"] } },
        { type: T.iotHub[0], name: "hub", props: mutate(hubArgs("prod"), o.hub ?? (() => {})), propertyDependencies: o.hubDeps ?? { resourceGroupName: ["rg"] } },
        { type: T.genericResource[0], name: "dps", props: mutate(genericDpsArgs("prod"), o.dps ?? (() => {})), propertyDependencies: o.dpsDeps ?? { resourceGroupName: ["rg"], identity: ["dps-identity"], properties: ["dps-identity"] } },
        ...(o.roles ?? ROLES),
        ...(o.extra ?? []),
    ];
}

/** Today's key link: the typed DPS with the hub's dps-link connection string (read from the hub). */
function keyLinkStack(o: { dps?: (d: ReturnType<typeof dpsArgs>) => void; dpsDeps?: Record<string, string[]> } = {}): StackInput[] {
    return [
        { type: T.resourceGroup[0], name: "rg", props: resourceGroupArgs("prod") },
        { type: T.iotHub[0], name: "hub", props: hubArgs("prod"), propertyDependencies: { resourceGroupName: ["rg"] } },
        { type: T.dps[0], name: "dps", props: mutate(dpsArgs("prod"), (d) => { d.properties.iotHubs = keyLink("prod"); (o.dps ?? (() => {}))(d); }), propertyDependencies: o.dpsDeps ?? { resourceGroupName: ["rg"], properties: ["hub"] } },
    ];
}
const unknownConnectionString = (d: ReturnType<typeof dpsArgs>) => (d.properties.iotHubs![0].connectionString = unknown());
const rgScope = `/subscriptions/${SUB}/resourceGroups/rg-secure-iot-prod`;

describe("DPS-04 the link identity holds a data role on exactly the hub (stack)", () => {
    const p = dps04LinkIdentityRole;
    it("passes Registry Contributor + Twin Contributor scoped to the hub (values known after deployment)", () => assertPasses(checkStack(p, linkStack())));
    it("passes at preview: principal id and scope unknown, followed through propertyDependencies", () =>
        assertPasses(checkStack(p, linkStack({ identity: identityProps(UNKNOWN), roles: ROLES.map((r) => mutate(r, (x) => { (x.props as Record<string, unknown>).principalId = UNKNOWN; (x.props as Record<string, unknown>).scope = UNKNOWN; })) }))));
    it("passes IoT Hub Data Contributor alone (the role the linked-hub article names)", () =>
        assertPasses(checkStack(p, linkStack({ roles: [role("role-data", IOT_HUB_DATA_CONTRIBUTOR)] }))));
    it("passes known principal ids without dependencies", () =>
        assertPasses(checkStack(p, linkStack({ roles: ROLES.map((r) => ({ ...r, propertyDependencies: {} })) }))));
    it("fails Registry Contributor alone (DPS cannot set the initial twin)", () =>
        assertViolation(checkStack(p, linkStack({ roles: [ROLES[0]] })), p, /DPS 'dps' iotHubs\[0\] links hub 'hub' with user-assigned identity 'dps-identity', which holds only IoT Hub Registry Contributor on the hub; it needs IoT Hub Registry Contributor \+ IoT Hub Twin Contributor, or IoT Hub Data Contributor scoped to the hub/));
    it("fails without any role assignment", () =>
        assertViolation(checkStack(p, linkStack({ roles: [] })), p, /which holds no role on the hub/));
    it("fails when the roles are granted to another identity (by dependency or by known principal id)", () => {
        assertViolation(checkStack(p, linkStack({ roles: ROLES.map((r) => ({ ...r, propertyDependencies: { principalId: ["api-identity"], scope: ["hub"] } })) })), p, /holds no role/);
        assertViolation(checkStack(p, linkStack({ roles: ROLES.map((r) => mutate({ ...r, propertyDependencies: {} }, (x) => ((x.props as Record<string, unknown>).principalId = "44444444-aaaa-4bbb-8ccc-000000000005"))) })), p, /holds no role/);
    });
    it("fails a control-plane role of the link identity on the hub", () =>
        assertViolation(checkStack(p, linkStack({ roles: [...ROLES, role("role-owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635")] })), p, /role assignment 'role-owner' \(Owner for user-assigned identity 'dps-identity'\) on hub 'hub' is not a role the link needs .*; it is a control-plane role/));
    it("fails an extra data role the link does not need", () =>
        assertViolation(checkStack(p, linkStack({ roles: [...ROLES, role("role-reader", IOT_HUB_DATA_READER)] })), p, /'role-reader' \(IoT Hub Data Reader .*\) on hub 'hub' is not a role the link needs/));
    it("fails a role scoped to the hub's resource group or subscription", () => {
        assertViolation(checkStack(p, linkStack({ roles: [...ROLES, role("role-rg", IOT_HUB_DATA_CONTRIBUTOR, (r) => (r.scope = rgScope), { principalId: ["dps-identity"] })] })), p, /'role-rg' \(IoT Hub Data Contributor .*\) is scoped to scope '\/subscriptions\/.*\/resourceGroups\/rg-secure-iot-prod', which contains hub 'hub' and more/);
        assertViolation(checkStack(p, linkStack({ roles: [...ROLES, role("role-sub", IOT_HUB_DATA_CONTRIBUTOR, (r) => (r.scope = `/subscriptions/${SUB}/`), { principalId: ["dps-identity"] })] })), p, /'role-sub' .* is scoped to scope '\/subscriptions\/[^/]+\/', which contains hub 'hub'/);
        assertViolation(checkStack(p, linkStack({ roles: [...ROLES, role("role-rg", IOT_HUB_DATA_CONTRIBUTOR, (r) => (r.scope = UNKNOWN), { principalId: ["dps-identity"], scope: ["rg"] })] })), p, /is scoped to a scope computed from the hub's resource group/);
    });
    it("only the roles on exactly the hub count: the roles scoped to the resource group leave the hub without one", () =>
        assertSomeViolation(checkStack(p, linkStack({ roles: ROLES.map((r) => mutate({ ...r, propertyDependencies: { principalId: ["dps-identity"] } }, (x) => ((x.props as Record<string, unknown>).scope = rgScope))) })), p, /holds no role on the hub/));
    it("ignores the identity's roles on other resources, and a scope under the hub", () => {
        const other = `/subscriptions/${SUB}/resourceGroups/rg-secure-iot-prod/providers/Microsoft.Devices/IotHubs/another-hub`;
        assertPasses(checkStack(p, linkStack({ roles: [...ROLES, role("role-other", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", (r) => (r.scope = other), { principalId: ["dps-identity"] })] })));
        assertViolation(checkStack(p, linkStack({ roles: ROLES.map((r) => mutate({ ...r, propertyDependencies: { principalId: ["dps-identity"] } }, (x) => ((x.props as Record<string, unknown>).scope = `${hubId("prod")}/certificates/x`))) })), p, /holds no role/);
    });
    it("fails a principalType other than ServicePrincipal", () =>
        assertViolation(checkStack(p, linkStack({ roles: [role("role-registry", IOT_HUB_REGISTRY_CONTRIBUTOR, (r) => (r.principalType = "User")), ROLES[1]] })), p, /principalType "User"; a managed identity is a ServicePrincipal/));
    it("checks the system-assigned identity of the DPS when the link uses it", () => {
        const system = (d: ReturnType<typeof genericDpsArgs>) => {
            d.properties.iotHubs[0].authenticationType = "SystemAssigned";
            delete d.properties.iotHubs[0].selectedUserAssignedIdentityResourceId;
            d.identity = { type: "SystemAssigned" };
        };
        assertPasses(checkStack(p, linkStack({ dps: system, roles: ROLES.map((r) => ({ ...r, propertyDependencies: { principalId: ["dps"], scope: ["hub"] } })) })));
        assertViolation(checkStack(p, linkStack({ dps: system })), p, /with the system-assigned identity of DPS 'dps', which holds no role/);
    });
    it("uses the only identity the DPS depends on when the selected id is unknown at preview", () =>
        assertViolation(checkStack(p, linkStack({ dps: (d) => (d.properties.iotHubs[0].selectedUserAssignedIdentityResourceId = UNKNOWN), roles: [] })), p, /user-assigned identity 'dps-identity', which holds no role/));
    it("finds the hub by its device host name too", () =>
        assertViolation(checkStack(p, linkStack({ dps: (d) => (d.properties.iotHubs[0].hostName = "iot-secure-prod.device.azure-devices.net"), dpsDeps: {}, roles: [] })), p, /links hub 'hub'/));
    it("fails an identity or a hub not declared in the program, unless external links are allowed", () => {
        const otherIdentity = (d: ReturnType<typeof genericDpsArgs>) => {
            const other = dpsIdentityId("prod").replace("id-dps-link", "id-elsewhere");
            d.properties.iotHubs[0].selectedUserAssignedIdentityResourceId = other;
            d.identity!.userAssignedIdentities = [other];
        };
        assertViolation(checkStack(p, linkStack({ dps: otherIdentity })), p, /links with identity '.*id-elsewhere-prod', which is not declared in this program/);
        assertPasses(checkStack(p, linkStack({ dps: otherIdentity }), { allowExternal: true }));
        const otherHub = (d: ReturnType<typeof genericDpsArgs>) => (d.properties.iotHubs[0].hostName = "elsewhere.azure-devices.net");
        assertViolation(checkStack(p, linkStack({ dps: otherHub })), p, /links a hub that is not declared in this program/);
        assertPasses(checkStack(p, linkStack({ dps: otherHub }), { allowExternal: true }));
    });
    it("accepts only the configured role sets", () =>
        assertSomeViolation(checkStack(p, linkStack(), { acceptedRoleSets: [IOT_HUB_DATA_CONTRIBUTOR] }), p, /IoT Hub Registry Contributor for user-assigned identity 'dps-identity'\) on hub 'hub' is not a role the link needs \(IoT Hub Data Contributor\)/));
    it("waits when an assignment cannot be placed yet (principal or role unknown with no dependency)", () => {
        assertCannotRun(checkStack(p, linkStack({ roles: [role("role-data", IOT_HUB_DATA_CONTRIBUTOR, (r) => (r.principalId = UNKNOWN), { scope: ["hub"] })] })), /principalId/);
        assertCannotRun(checkStack(p, linkStack({ identity: identityProps(UNKNOWN), roles: ROLES.map((r) => ({ ...r, propertyDependencies: {} })) })), /principalId/);
        assertCannotRun(checkStack(p, linkStack({ roles: [role("role-data", IOT_HUB_DATA_CONTRIBUTOR, (r) => (r.roleDefinitionId = UNKNOWN))] })), /roleDefinitionId/);
    });
    it("does not wait for an unrelated assignment whose principal is another identity's", () =>
        assertPasses(checkStack(p, linkStack({ extra: [role("api-reads-hub", IOT_HUB_DATA_READER, (r) => (r.principalId = UNKNOWN), { principalId: ["api-identity"], scope: ["hub"] })] }))));
    it("leaves key links to dps-04-linked-hubs-by-identity", () => assertPasses(checkStack(p, keyLinkStack())));
    it("role definition ids may be bare GUIDs in any case", () =>
        assertPasses(checkStack(p, linkStack({ roles: [role("role-data", IOT_HUB_DATA_CONTRIBUTOR, (r) => (r.roleDefinitionId = IOT_HUB_DATA_CONTRIBUTOR.toUpperCase()))] }))));
    it("matches a role definition id of the subscription's form", () => assert.equal(roleDefinition(IOT_HUB_DATA_CONTRIBUTOR).endsWith(`/roleDefinitions/${IOT_HUB_DATA_CONTRIBUTOR}`), true));
});

describe("DPS-05 same resource group and region (stack)", () => {
    it("passes DPS and hub in the same group and region", () => assertPasses(checkStack(dps05SameGroup, linkStack())));
    it("passes the typed DPS's key link too", () => assertPasses(checkStack(dps05SameGroup, keyLinkStack())));
    it("passes at preview: the group is followed through propertyDependencies, names unknown", () =>
        assertPasses(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.resourceGroupName = UNKNOWN), hub: (h) => (h.resourceGroupName = UNKNOWN) }))));
    it("fails different resource groups (by dependency)", () =>
        assertViolation(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.resourceGroupName = "rg-other"), dpsDeps: { resourceGroupName: ["rg-other"], properties: ["dps-identity"] } })), dps05SameGroup, /different resource groups/));
    it("fails different resource groups (by literal name)", () =>
        assertViolation(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.resourceGroupName = "rg-literal"), dpsDeps: { properties: ["dps-identity"] }, hubDeps: {} })), dps05SameGroup, /different resource groups/));
    it("fails different regions", () =>
        assertSomeViolation(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.location = "North Europe") })), dps05SameGroup, /DPS 'dps' is in northeurope but its linked hub 'hub' is in westeurope/));
    it("passes different regions when not required", () =>
        assertPasses(checkStack(dps05SameGroup, linkStack({ dps: (d) => { d.location = "northeurope"; d.properties.iotHubs[0].location = "northeurope"; } }), { requireSameRegion: false })));
    it("fails an iotHubs[].location that differs from the hub", () =>
        assertViolation(checkStack(dps05SameGroup, linkStack({ dps: (d) => (d.properties.iotHubs[0].location = "eastus") })), dps05SameGroup, /iotHubs\[0\]\.location is eastus/));
});

describe("DPS-06 link keys read from the hub (stack)", () => {
    it("passes an identity link: no connection string, no dependency on the hub needed", () => assertPasses(checkStack(dps06SecretLinks, linkStack())));
    it("passes a key link's connection string computed from the hub", () => assertPasses(checkStack(dps06SecretLinks, keyLinkStack())));
    it("passes at preview", () => assertPasses(checkStack(dps06SecretLinks, keyLinkStack({ dps: unknownConnectionString }))));
    it("fails a pasted connection string (no dependency on a hub)", () =>
        assertViolation(checkStack(dps06SecretLinks, keyLinkStack({ dpsDeps: { resourceGroupName: ["rg"] } })), dps06SecretLinks, /by connection string but its properties do not depend on any IoT hub/));
    it("passes an external hub when allowed", () =>
        assertPasses(checkStack(dps06SecretLinks, keyLinkStack({ dpsDeps: {} }), { allowExternalHubs: true })));
    it("fails a literal key on a DPS policy (generic DPS)", () =>
        assertViolation(checkStack(dps06SecretLinks, linkStack({ dps: (d) => (d.properties.authorizationPolicies = [{ keyName: "reader", rights: "EnrollmentRead", primaryKey: "a2V5" }]) })), dps06SecretLinks, /policy 'reader' sets a key/));
});
