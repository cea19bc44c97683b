import type { AccessRights } from "@pulumi/azure-native/types/enums/iothub";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { iot05LocalAuth } from "../rules/iotHub/iot-05-hub-local-auth-disabled";
import { iot06DeviceSas } from "../rules/iotHub/iot-06-hub-device-sas-matches-attestation";
import { iot07ModuleSas } from "../rules/iotHub/iot-07-hub-module-sas-disabled";
import { iot08SasPolicies } from "../rules/iotHub/iot-08-hub-least-privilege-sas-policies";
import { iot10EndpointAuth } from "../rules/iotHub/iot-10-hub-endpoints-identity-auth";
import { iot11Identity } from "../rules/iotHub/iot-11-hub-managed-identity";
import { iot01MinTls } from "../rules/iotHub/iot-01-hub-min-tls-12";
import { iot02PublicAccess } from "../rules/iotHub/iot-02-hub-public-network-access";
import { iot04IpFilter } from "../rules/iotHub/iot-04-hub-ip-filter-default-deny";
import { iot09Outbound } from "../rules/iotHub/iot-09-hub-outbound-restricted";
import { iot15Sku } from "../rules/iotHub/iot-15-hub-sku-has-sla";
import type { PackResourcePolicy } from "../lib/define";
import { allPolicies } from "../policies";
import { hubArgs } from "./fixtures";
import { isStackPolicy } from "./runPolicies";
import { unknown } from "./runPolicies";
import { assertCannotRun, assertPasses, assertSomeViolation, assertViolation, check, mutate } from "./util";

const hub = (f: (h: ReturnType<typeof hubArgs>) => void = () => {}) => mutate(hubArgs("prod"), f);
/** The earlier shape (routing straight to Cosmos DB with a user-assigned identity), for endpoint fields only Cosmos DB has. */
const cosmosHub = (f: (h: ReturnType<typeof hubArgs>) => void = () => {}) => mutate(hubArgs("prod", "cosmos"), f);

describe("IOT-01 minimum TLS", () => {
    it("passes with 1.2", () => assertPasses(check(iot01MinTls, "iotHub", hub())));
    it("fails when absent (TLS 1.0 accepted)", () =>
        assertViolation(check(iot01MinTls, "iotHub", hub((h) => delete h.properties!.minTlsVersion)), iot01MinTls, /minTlsVersion is absent .*TLS 1\.0/));
    it("fails with 1.0", () => assertViolation(check(iot01MinTls, "iotHub", hub((h) => (h.properties!.minTlsVersion = "1.0"))), iot01MinTls, /"1\.0"; it must be "1\.2"/));
    it("fails when properties is missing entirely", () => assertViolation(check(iot01MinTls, "iotHub", hub((h) => delete h.properties)), iot01MinTls, /absent/));
    it("matches the v2 alias token (azure-native:devices:IotHubResource)", () =>
        assertViolation(check(iot01MinTls, "iotHub", hub((h) => (h.properties!.minTlsVersion = "1.1")), { v2: true }), iot01MinTls, /1\.1/));
    it("ignores other resource types", () => assertPasses(check(iot01MinTls, "dps", { properties: { minTlsVersion: "1.0" } })));
    it("at preview, an unknown properties object makes the rule wait (advisory in CrossGuard)", () =>
        assertCannotRun(check(iot01MinTls, "iotHub", hub((h) => (h.properties = unknown()))), /\.properties can't be known/));
});

describe("IOT-02 public network access", () => {
    it("passes when public but IP-filtered", () => assertPasses(check(iot02PublicAccess, "iotHub", hub())));
    it("passes when disabled (any casing), even without a filter", () =>
        assertPasses(check(iot02PublicAccess, "iotHub", hub((h) => {
            h.properties!.publicNetworkAccess = "disabled";
            delete h.properties!.networkRuleSets;
            delete h.properties!.ipFilterRules;
        }))));
    it("fails when absent (Enabled) and unfiltered", () =>
        assertViolation(check(iot02PublicAccess, "iotHub", hub((h) => {
            delete h.properties!.publicNetworkAccess;
            delete h.properties!.networkRuleSets;
            h.properties!.ipFilterRules = [];
        })), iot02PublicAccess, /absent \(Enabled\) and the hub has no IP filter/));
    it("fails when Enabled and unfiltered", () =>
        assertViolation(check(iot02PublicAccess, "iotHub", hub((h) => {
            delete h.properties!.networkRuleSets;
            delete h.properties!.ipFilterRules;
        })), iot02PublicAccess, /"Enabled" and the hub has no IP filter/));
});

describe("IOT-04 IP filter default deny", () => {
    const c = { minPrefixLength: 8 };
    it("passes the compliant filter", () => assertPasses(check(iot04IpFilter, "iotHub", hub(), { config: c })));
    it("does not apply when public access is disabled", () =>
        assertPasses(check(iot04IpFilter, "iotHub", hub((h) => {
            h.properties!.publicNetworkAccess = "Disabled";
            h.properties!.networkRuleSets!.defaultAction = "Allow";
        }))));
    it("fails with defaultAction Allow", () =>
        assertViolation(check(iot04IpFilter, "iotHub", hub((h) => (h.properties!.networkRuleSets!.defaultAction = "Allow"))), iot04IpFilter, /defaultAction is "Allow"/));
    it("fails when the built-in Event Hub endpoint is not covered", () =>
        assertViolation(check(iot04IpFilter, "iotHub", hub((h) => (h.properties!.networkRuleSets!.applyToBuiltInEventHubEndpoint = false))), iot04IpFilter, /applyToBuiltInEventHubEndpoint is false/));
    it("fails when an allow rule covers the internet", () =>
        assertViolation(check(iot04IpFilter, "iotHub", hub((h) => h.properties!.networkRuleSets!.ipRules.push({ filterName: "all", action: "Allow", ipMask: "0.0.0.0/0" }))), iot04IpFilter, /allows 0\.0\.0\.0\/0 \(the whole internet\)/));
    it("fails when an allow rule is wider than the configured prefix", () =>
        assertViolation(check(iot04IpFilter, "iotHub", hub((h) => h.properties!.networkRuleSets!.ipRules.push({ filterName: "wide", action: "Allow", ipMask: "10.0.0.0/7" })), { config: c }), iot04IpFilter, /10\.0\.0\.0\/7.*\/8 or longer/));
    it("fails with no specific allow rule", () =>
        assertViolation(check(iot04IpFilter, "iotHub", hub((h) => (h.properties!.networkRuleSets!.ipRules = []))), iot04IpFilter, /no specific Allow rule/));
    it("fails with an unparseable mask", () =>
        assertSomeViolation(check(iot04IpFilter, "iotHub", hub((h) => (h.properties!.networkRuleSets!.ipRules[0].ipMask = "not-an-ip"))), iot04IpFilter, /not an IPv4 address/));
    it("fails when a legacy ipFilterRules entry accepts 0.0.0.0/0", () =>
        assertViolation(check(iot04IpFilter, "iotHub", hub((h) => h.properties!.ipFilterRules!.push({ filterName: "any", action: "Accept", ipMask: "0.0.0.0/0" }))), iot04IpFilter, /ipFilterRules\[1\] accepts 0\.0\.0\.0\/0/));
    it("fails with only legacy rules that do not end with Reject 0.0.0.0/0", () =>
        assertViolation(check(iot04IpFilter, "iotHub", hub((h) => delete h.properties!.networkRuleSets)), iot04IpFilter, /without a final Reject of 0\.0\.0\.0\/0/));
    it("passes with only legacy rules ending with Reject 0.0.0.0/0", () =>
        assertPasses(check(iot04IpFilter, "iotHub", hub((h) => {
            delete h.properties!.networkRuleSets;
            h.properties!.ipFilterRules!.push({ filterName: "reject-all", action: "Reject", ipMask: "0.0.0.0/0" });
        }))));
});

describe("IOT-09 outbound restricted", () => {
    it("passes with restriction and the Event Hubs namespace host listed", () => assertPasses(check(iot09Outbound, "iotHub", hub())));
    it("passes the Cosmos DB route with the Cosmos host listed", () => assertPasses(check(iot09Outbound, "iotHub", cosmosHub())));
    it("fails when restriction is absent", () =>
        assertViolation(check(iot09Outbound, "iotHub", hub((h) => delete h.properties!.restrictOutboundNetworkAccess)), iot09Outbound, /restrictOutboundNetworkAccess is absent/));
    it("fails with an empty FQDN list", () =>
        assertViolation(check(iot09Outbound, "iotHub", hub((h) => (h.properties!.allowedFqdnList = []))), iot09Outbound, /allowedFqdnList is empty/));
    it("fails with a wildcard FQDN", () =>
        assertSomeViolation(check(iot09Outbound, "iotHub", hub((h) => (h.properties!.allowedFqdnList = ["*.documents.azure.com"]))), iot09Outbound, /not a fully qualified domain name/));
    it("fails when a routing endpoint host is not listed", () =>
        assertViolation(check(iot09Outbound, "iotHub", hub((h) => (h.properties!.allowedFqdnList = ["other.servicebus.windows.net"]))), iot09Outbound, /eventHubs\[0\] \("telemetry-eventhub"\) sends to evhns-secure-iot-prod\.servicebus\.windows\.net, which is not in allowedFqdnList/));
    it("fails when the Cosmos DB endpoint host is not listed", () =>
        assertViolation(check(iot09Outbound, "iotHub", cosmosHub((h) => (h.properties!.allowedFqdnList = ["other.documents.azure.com"]))), iot09Outbound, /sends to cosmos-secure-iot-prod\.documents\.azure\.com, which is not in allowedFqdnList/));
    it("skips the endpoint host check when the endpoint URI is unknown at preview", () =>
        assertPasses(check(iot09Outbound, "iotHub", hub((h) => (h.properties!.routing!.endpoints!.eventHubs![0].endpointUri = unknown())))));
});

describe("IOT-05 local auth off, no SAS policy, in every stack", () => {
    const linkPolicy = { keyName: "dps-link", rights: "RegistryWrite, ServiceConnect" as AccessRights };
    it("passes with local auth disabled and no policies", () => assertPasses(check(iot05LocalAuth, "iotHub", hub())));
    it("fails local auth on (what the key-linked DPS needed)", () =>
        assertViolation(check(iot05LocalAuth, "iotHub", hub((h) => (h.properties!.disableLocalAuth = false))), iot05LocalAuth, /disableLocalAuth is false; hub-scoped SAS keys are accepted/));
    it("fails when absent (local auth on)", () =>
        assertViolation(check(iot05LocalAuth, "iotHub", hub((h) => delete h.properties!.disableLocalAuth)), iot05LocalAuth, /absent \(local auth on\)/));
    it("fails any SAS policy, the former DPS-link policy included, whatever the config says", () => {
        assertViolation(check(iot05LocalAuth, "iotHub", hub((h) => (h.properties!.authorizationPolicies = [linkPolicy]))), iot05LocalAuth, /the hub has 1 SAS policy \("dps-link"\); a hub without local auth has none/);
        assertViolation(check(iot05LocalAuth, "iotHub", hub((h) => (h.properties!.authorizationPolicies = [linkPolicy])), { config: { allowDpsLinkException: true } }), iot05LocalAuth, /1 SAS policy/);
        assertViolation(check(iot05LocalAuth, "iotHub", hub((h) => (h.properties!.authorizationPolicies = [linkPolicy, { keyName: "service", rights: "ServiceConnect" }]))), iot05LocalAuth, /2 SAS policies \("dps-link", "service"\)/);
    });
    it("fails the former DPS-link exception shape with two findings", () => {
        const r = check(iot05LocalAuth, "iotHub", hub((h) => { h.properties!.disableLocalAuth = false; h.properties!.authorizationPolicies = [linkPolicy]; }));
        assert.equal(r.violations.length, 2);
    });
    it("fails when policies are absent (Azure's defaults)", () =>
        assertViolation(check(iot05LocalAuth, "iotHub", hub((h) => delete h.properties!.authorizationPolicies)), iot05LocalAuth, /absent: Azure then creates iothubowner and four more/));
    it("fails policies that are not a list", () =>
        assertViolation(check(iot05LocalAuth, "iotHub", hub((h) => ((h.properties as Record<string, unknown>).authorizationPolicies = "none"))), iot05LocalAuth, /"none", not a list/));
    it("counts a policy unknown at preview without reading it", () =>
        assertViolation(check(iot05LocalAuth, "iotHub", hub((h) => (h.properties!.authorizationPolicies = [unknown()]))), iot05LocalAuth, /1 SAS policy \(unknown at preview\)/));
    it("accepts the boolean as a string", () =>
        assertPasses(check(iot05LocalAuth, "iotHub", hub((h) => ((h.properties as Record<string, unknown>).disableLocalAuth = "TRUE")))));
});

describe("IOT-06 device SAS matches attestation", () => {
    it("passes X.509-only with device SAS disabled", () => assertPasses(check(iot06DeviceSas, "iotHub", hub())));
    it("fails X.509-only with device SAS enabled", () =>
        assertViolation(check(iot06DeviceSas, "iotHub", hub((h) => (h.properties!.disableDeviceSAS = false))), iot06DeviceSas, /disableDeviceSAS is false; devices attest with X\.509 only/));
    it("fails X.509-only with device SAS absent", () =>
        assertViolation(check(iot06DeviceSas, "iotHub", hub((h) => delete h.properties!.disableDeviceSAS)), iot06DeviceSas, /absent/));
    it("passes symmetric-key stacks with device SAS enabled", () =>
        assertPasses(check(iot06DeviceSas, "iotHub", hub((h) => (h.properties!.disableDeviceSAS = false)), { config: { symmetricKeyOrTpmAttestation: true } })));
    it("fails symmetric-key stacks with device SAS disabled (devices could not connect)", () =>
        assertViolation(check(iot06DeviceSas, "iotHub", hub(), { config: { symmetricKeyOrTpmAttestation: true } }), iot06DeviceSas, /could not connect/));
});

describe("IOT-07 module SAS", () => {
    it("passes when disabled", () => assertPasses(check(iot07ModuleSas, "iotHub", hub())));
    it("fails when false", () => assertViolation(check(iot07ModuleSas, "iotHub", hub((h) => (h.properties!.disableModuleSAS = false))), iot07ModuleSas, /disableModuleSAS is false/));
    it("fails when absent", () => assertViolation(check(iot07ModuleSas, "iotHub", hub((h) => delete h.properties!.disableModuleSAS)), iot07ModuleSas, /absent/));
});

describe("IOT-08 least-privilege SAS policies", () => {
    // Rights typed against the SDK enum; odd spellings are cast on purpose.
    const pol = (keyName: string, rights: string) => ({ keyName, rights: rights as AccessRights });
    // IOT-05 allows no policy at all; IOT-08 still judges any policy a hub has.
    const hub = (f: (h: ReturnType<typeof hubArgs>) => void = () => {}) =>
        mutate(hubArgs("prod"), (h) => { h.properties!.authorizationPolicies = [pol("dps-link", "RegistryWrite, ServiceConnect")]; f(h); });
    it("passes a RegistryWrite, ServiceConnect policy", () => assertPasses(check(iot08SasPolicies, "iotHub", hub())));
    it("passes an empty list (the keyless hub)", () => assertPasses(check(iot08SasPolicies, "iotHub", hubArgs("prod"))));
    it("fails when absent (Azure creates iothubowner)", () =>
        assertViolation(check(iot08SasPolicies, "iotHub", hub((h) => delete h.properties!.authorizationPolicies)), iot08SasPolicies, /absent: Azure then creates iothubowner/));
    it("fails on iothubowner", () =>
        assertSomeViolation(check(iot08SasPolicies, "iotHub", hub((h) => h.properties!.authorizationPolicies!.push(pol("iothubowner", "RegistryWrite, ServiceConnect")))), iot08SasPolicies, /owner policy/));
    it("fails on all four rights", () =>
        assertSomeViolation(check(iot08SasPolicies, "iotHub", hub((h) => h.properties!.authorizationPolicies!.push(pol("all", "RegistryRead, RegistryWrite, ServiceConnect, DeviceConnect"))), { config: { allowedRights: ["RegistryRead", "RegistryWrite", "ServiceConnect", "DeviceConnect"] } }), iot08SasPolicies, /all four rights/));
    it("fails DeviceConnect combined with ServiceConnect", () =>
        assertViolation(check(iot08SasPolicies, "iotHub", hub((h) => h.properties!.authorizationPolicies!.push(pol("gateway", "ServiceConnect, DeviceConnect"))), { config: { allowedRights: ["RegistryWrite", "ServiceConnect", "DeviceConnect"] } }), iot08SasPolicies, /combines DeviceConnect with ServiceConnect/));
    it("fails rights outside the allow list (casing and spacing normalised)", () =>
        assertViolation(check(iot08SasPolicies, "iotHub", hub((h) => h.properties!.authorizationPolicies!.push(pol("reader", " registryread ")))), iot08SasPolicies, /outside the allow list.*RegistryRead/));
    it("fails a literal key", () =>
        assertViolation(check(iot08SasPolicies, "iotHub", hub((h) => (h.properties!.authorizationPolicies![0].primaryKey = "bGl0ZXJhbA=="))), iot08SasPolicies, /sets a key in the program/));
    it("fails a key from another resource (unknown at preview) without waiting for it", () =>
        assertViolation(check(iot08SasPolicies, "iotHub", hub((h) => (h.properties!.authorizationPolicies![0].secondaryKey = unknown()))), iot08SasPolicies, /sets a key in the program/));
    it("fails a policy without rights", () =>
        assertSomeViolation(check(iot08SasPolicies, "iotHub", hub((h) => (h.properties!.authorizationPolicies![0].rights = "" as never))), iot08SasPolicies, /no rights/));
});

describe("IOT-10 endpoints authenticate with managed identity", () => {
    const endpoint = (h: ReturnType<typeof hubArgs>) => h.properties!.routing!.endpoints!.cosmosDBSqlContainers![0];
    it("passes identity-based endpoints", () => assertPasses(check(iot10EndpointAuth, "iotHub", hub())));
    it("passes the identity-based Cosmos DB endpoint", () => assertPasses(check(iot10EndpointAuth, "iotHub", cosmosHub())));
    it("fails when authenticationType is absent (keyBased)", () =>
        assertViolation(check(iot10EndpointAuth, "iotHub", hub((h) => delete h.properties!.routing!.endpoints!.eventHubs![0].authenticationType)), iot10EndpointAuth, /eventHubs\[0\] \("telemetry-eventhub"\) authenticationType is absent \(keyBased\)/));
    it("fails keyBased with a key", () =>
        assertSomeViolation(check(iot10EndpointAuth, "iotHub", cosmosHub((h) => {
            endpoint(h).authenticationType = "keyBased";
            endpoint(h).primaryKey = "a2V5";
        })), iot10EndpointAuth, /sets primaryKey/));
    it("fails an Event Hub endpoint with a connection string", () =>
        assertSomeViolation(check(iot10EndpointAuth, "iotHub", hub((h) => {
            h.properties!.routing!.endpoints!.eventHubs = [{ name: "eh", authenticationType: "identityBased", connectionString: "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b" }];
        })), iot10EndpointAuth, /eventHubs\[0\] \("eh"\) sets connectionString/));
    it("fails a file-upload storage endpoint with an account key", () =>
        assertSomeViolation(check(iot10EndpointAuth, "iotHub", hub((h) => {
            h.properties!.storageEndpoints = { $default: { authenticationType: "keyBased", connectionString: "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=b", containerName: "uploads" } };
        })), iot10EndpointAuth, /storageEndpoints\.\$default.connectionString contains an account key/));
    it("passes an identity-based file-upload endpoint", () =>
        assertPasses(check(iot10EndpointAuth, "iotHub", hub((h) => {
            h.properties!.storageEndpoints = { $default: { authenticationType: "identityBased", connectionString: "DefaultEndpointsProtocol=https;AccountName=a;EndpointSuffix=core.windows.net", containerName: "uploads" } };
        }))));
});

describe("IOT-11 managed identity", () => {
    it("passes UserAssigned with an identity", () => assertPasses(check(iot11Identity, "iotHub", cosmosHub())));
    it("passes SystemAssigned (the telemetry path's hub)", () => assertPasses(check(iot11Identity, "iotHub", hub())));
    it("passes the map form of userAssignedIdentities", () =>
        assertPasses(check(iot11Identity, "iotHub", cosmosHub((h) => ((h.identity as Record<string, unknown>).userAssignedIdentities = { "/subscriptions/x/id": {} })))));
    it("fails without identity", () => assertViolation(check(iot11Identity, "iotHub", hub((h) => delete h.identity)), iot11Identity, /identity\.type is absent/));
    it("fails with None", () => assertViolation(check(iot11Identity, "iotHub", hub((h) => (h.identity = { type: "None" }))), iot11Identity, /"None"/));
    it("fails UserAssigned without identities", () =>
        assertViolation(check(iot11Identity, "iotHub", cosmosHub((h) => (h.identity!.userAssignedIdentities = []))), iot11Identity, /userAssignedIdentities is empty/));
});

describe("IOT-15 SKU with an SLA", () => {
    it("passes S2", () => assertPasses(check(iot15Sku, "iotHub", hub())));
    it("fails F1", () => assertViolation(check(iot15Sku, "iotHub", hub((h) => (h.sku.name = "F1"))), iot15Sku, /"F1", a tier without an SLA/));
    it("fails a configured tier (case-insensitive)", () =>
        assertViolation(check(iot15Sku, "iotHub", hub((h) => (h.sku.name = "b1")), { config: { forbiddenSkus: ["F1", "B1"] } }), iot15Sku, /"b1"/));
    it("fails a missing SKU name", () => assertViolation(check(iot15Sku, "iotHub", hub((h) => ((h as Record<string, unknown>).sku = {}))), iot15Sku, /sku\.name is absent/));
});

describe("a generic hub (azure-native:resources:Resource of type Microsoft.Devices/IotHubs) is evaluated as the typed one", () => {
    const hubRules = allPolicies.filter((p): p is PackResourcePolicy => !isStackPolicy(p) && Array.isArray(p.appliesTo) && p.appliesTo.includes("iotHub"));
    const asGeneric = (h: ReturnType<typeof hubArgs>) => ({ resourceProviderNamespace: "Microsoft.Devices", resourceType: "IotHubs", parentResourcePath: "", apiVersion: "2023-06-30", ...h });
    const cases: Array<[string, (h: ReturnType<typeof hubArgs>) => void]> = [
        ["compliant", () => {}],
        ["TLS 1.0", (h) => (h.properties!.minTlsVersion = "1.0")],
        ["local auth on with a SAS policy", (h) => { h.properties!.disableLocalAuth = false; h.properties!.authorizationPolicies = [{ keyName: "dps-link", rights: "RegistryWrite, ServiceConnect" as AccessRights }]; }],
        ["no identity", (h) => delete h.identity],
        ["F1", (h) => (h.sku.name = "F1")],
        ["public and unfiltered", (h) => { delete h.properties!.networkRuleSets; delete h.properties!.ipFilterRules; }],
    ];
    it("covers every IoT Hub resource rule", () => assert.ok(hubRules.length >= 9));
    for (const [what, f] of cases) {
        it(`same verdicts: ${what}`, () => {
            for (const p of hubRules) {
                const typed = check(p, "iotHub", hub(f));
                const generic = check(p, "iotHub", asGeneric(hub(f)), { generic: true });
                assert.deepEqual(generic.violations.map((v) => v.message), typed.violations.map((v) => v.message), p.name);
                assert.equal(generic.cannotRun.length, typed.cannotRun.length, p.name);
            }
        });
    }
});
