/**
 * Configuration: what each stack resolves to, and every rejection a user can hit, with its
 * message naming the key and the fix. Problems are reported together, before any resource.
 */
import { X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CONFIG_EXAMPLES, CONFIG_KEYS, ConfigError, checkSetting, parseConfig, type ConfigKey } from "../config/schema";
import { configWarnings } from "../config/load";
import { CONTOSO_CA_2024 } from "./support";
import { readProjectFile, readStackConfig } from "../tools/offline/stackConfig";
import { runStack } from "../tools/offline/runStack";
import { problems, raw, rejects } from "./configCases";
import { caCert } from "../policies/test/certs";


describe("Pulumi.yaml declares exactly the settings the program reads", () => {
    const project = readProjectFile();
    it("every declared key is read, with the same type, and has a description", () => {
        const declared = Object.entries(project.config ?? {}).filter(([k]) => !k.includes(":"));
        assert.deepEqual(declared.map(([k]) => k).sort(), Object.keys(CONFIG_KEYS).sort());
        for (const [key, decl] of declared) {
            assert.ok(typeof decl === "object" && decl !== null, `${key} must be a structured declaration`);
            // A list of objects cannot be typed in Pulumi.yaml: such keys are declared without a type (config/enrollments.ts).
            const kind = CONFIG_KEYS[key as ConfigKey];
            assert.equal(decl.type, kind === "structured" ? undefined : kind, `${key} type`);
            assert.ok((decl.description ?? "").length > 20, `${key} needs a description`);
        }
    });
});

describe("the stacks' configuration", () => {
    it("dev: public with IP allow lists, symmetric keys allowed, generated CA, serverless Cosmos", () => {
        const c = parseConfig(raw("dev"));
        assert.equal(c.iotHub.publicNetworkAccess, "Enabled");
        assert.deepEqual(c.iotHub.allowedIpRanges, ["203.0.113.0/24", "198.51.100.0/24"]);
        assert.deepEqual(c.iotHub.attestation, ["x509", "symmetricKey"]);
        assert.equal(c.ca.source, "generated");
        assert.equal(c.cosmos.capacityMode, "serverless");
        assert.equal(c.iotHub.disableLocalAuth, true, "DPS links by identity: the hub keeps no key");
        assert.deepEqual(c.entra.operatorGroupIds, ["7c3e1a9b-5d2f-4e8a-b6c4-1f0d9e2a3b57"]);
    });
    it("prod: X.509 only, supplied CA, zone-redundant provisioned Cosmos with a second region, private Cosmos", () => {
        const c = parseConfig(raw("prod"));
        assert.deepEqual(c.iotHub.attestation, ["x509"]);
        assert.equal(c.ca.source, "pem");
        assert.ok(c.ca.source === "pem" && c.ca.certificates.length === 1 && /Contoso IoT Device Root CA/.test(c.ca.certificates[0].subject));
        assert.equal(c.cosmos.zoneRedundant, true);
        assert.deepEqual(c.cosmos.secondaryLocations, ["northeurope"]);
        assert.equal(c.cosmos.publicNetworkAccess, "Disabled");
    });
    it("names are deterministic, unique per stack and within each service's limits", () => {
        const dev = parseConfig(raw("dev"));
        assert.equal(dev.naming.suffix, parseConfig(raw("dev")).naming.suffix);
        assert.notEqual(dev.naming.suffix, parseConfig(raw("prod")).naming.suffix);
        assert.match(dev.naming.suffix, /^[0-9a-f]{6}$/);
        assert.equal(parseConfig(raw("dev", { nameSuffix: "team42" })).naming.suffix, "team42");
    });
    it("a CA held as a secret stays marked secret", () => {
        const pems = JSON.parse(readStackConfig("prod").values["secure-iot-platform:caCertificatePems"]) as string[];
        const c = parseConfig(raw("prod", { caCertificatePems: { secret: pems } }));
        assert.ok(c.ca.source === "pem" && c.ca.certificates[0].secret);
    });
});

describe("configuration rejections name the key and the fix", () => {
    it("unknown SKU, Basic tiers, and units out of range", () => {
        rejects("dev", { iotHubSku: "S9" }, "iotHubSku", /must be one of F1, S1, S2, S3/);
        rejects("dev", { iotHubSku: "B1" }, "iotHubSku", /Basic tier.*no device twins/);
        rejects("dev", { iotHubUnits: 0 }, "iotHubUnits", /out of range for S1 \(allowed 1-200\)/);
        rejects("dev", { iotHubSku: "S3", iotHubUnits: 11 }, "iotHubUnits", /allowed 1-10/);
        rejects("dev", { iotHubSku: "F1", iotHubUnits: 2 }, "iotHubUnits", /allowed 1-1/);
        rejects("dev", { iotHubUnits: "two" }, "iotHubUnits", /expected a whole number, got "two"; e\.g\. 1$/);
    });
    it("invalid CIDRs in every IP list", () => {
        rejects("dev", { iotHubAllowedIpRanges: ["10.0.0.300/24"] }, "iotHubAllowedIpRanges", /octet above 255/);
        rejects("dev", { iotHubAllowedIpRanges: ["10.0.0.5/24"] }, "iotHubAllowedIpRanges", /host bits set; write the network address 10\.0\.0\.0\/24/);
        rejects("dev", { iotHubAllowedIpRanges: ["0.0.0.0/0"] }, "iotHubAllowedIpRanges", /wider than \/8/);
        rejects("dev", { dpsAllowedIpRanges: ["not-an-ip"] }, "dpsAllowedIpRanges", /not an IPv4 address or CIDR range/);
        rejects("dev", { cosmosAllowedIpRanges: ["2001:db8::/32"] }, "cosmosAllowedIpRanges", /IPv6/);
        rejects("dev", { iotHubBlockedIpRanges: ["10.1.0.0/33"] }, "iotHubBlockedIpRanges", /invalid prefix length/);
        rejects("dev", { iotHubBlockedIpRanges: ["10.9.0.0/16"] }, "iotHubBlockedIpRanges", /outside every allowed range/);
    });
    it("public endpoints without an allow list", () => {
        rejects("dev", { iotHubAllowedIpRanges: [] }, "iotHubAllowedIpRanges", /is empty while iotHubPublicNetworkAccess is Enabled/);
        rejects("dev", { dpsAllowedIpRanges: [] }, "dpsAllowedIpRanges", /no default action/);
    });
    it("names that break a service's limits", () => {
        rejects("dev", { namePrefix: "Contoso" }, "namePrefix", /lower-case/);
        rejects("dev", { namePrefix: "contosoindustrialfleetab", environment: "staging", nameSuffix: "team4242" }, "namePrefix", /the cosmos name "cosmos-contosoindustrialfleetab-staging-team4242" is 48 characters; the limit is 3-44: shorten namePrefix or environment/);
        rejects("dev", { nameSuffix: "UPPER" }, "nameSuffix", /4-8 lower-case/);
    });
    it("TLS other than 1.2", () => {
        rejects("dev", { iotHubMinTlsVersion: "1.0" }, "iotHubMinTlsVersion", /must be "1\.2".*fixed at creation/);
        rejects("dev", { iotHubMinTlsVersion: "1.3" }, "iotHubMinTlsVersion", /must be "1\.2"/);
    });
    it("hub local auth back on: nothing may use a hub key any more", () => {
        rejects("dev", { iotHubDisableLocalAuth: false }, "iotHubDisableLocalAuth", /false is not accepted.*DPS links the hub by managed identity.*pulumi config rm iotHubDisableLocalAuth/);
        rejects("prod", { iotHubDisableLocalAuth: false, dpsEnabled: false, enrollmentGroups: [] }, "iotHubDisableLocalAuth", /false is not accepted/);
        assert.equal(parseConfig(raw("dev", { iotHubDisableLocalAuth: true })).iotHub.disableLocalAuth, true);
        assert.equal(parseConfig(raw("dev", { dpsEnabled: false, enrollmentGroups: [] })).iotHub.disableLocalAuth, true);
    });
    it("operator groups that are not group object ids, or listed twice", () => {
        rejects("prod", { operatorGroupIds: ["platform-operators"] }, "operatorGroupIds", /\[0\] "platform-operators" must be an Entra group object id.*az ad group show/);
        rejects("prod", { operatorGroupIds: ["7c3e1a9b-5d2f-4e8a-b6c4-1f0d9e2a3b57", "7C3E1A9B-5D2F-4E8A-B6C4-1F0D9E2A3B57"] }, "operatorGroupIds", /lists a group twice/);
        assert.deepEqual(parseConfig(raw("dev", { operatorGroupIds: [] })).entra.operatorGroupIds, []);
    });
    it("blocked ranges that swallow an allowed range, or split it into more rules than IoT Hub takes", () => {
        rejects("dev", { iotHubAllowedIpRanges: ["203.0.113.0/24", "198.51.100.0/25"], iotHubBlockedIpRanges: ["198.51.100.0/24"] }, "iotHubBlockedIpRanges", /"198\.51\.100\.0\/24" blocks all of the allowed range 198\.51\.100\.0\/25; remove 198\.51\.100\.0\/25 from iotHubAllowedIpRanges/);
        // Four /32 holes far apart in a /8 split it into 4 x 24 - (shared upper halves) rules: over 100.
        rejects(
            "dev",
            { iotHubAllowedIpRanges: ["10.0.0.0/8"], iotHubBlockedIpRanges: ["10.0.0.1/32", "10.64.0.1/32", "10.128.0.1/32", "10.192.0.1/32", "10.32.0.1/32"] },
            "iotHubBlockedIpRanges",
            /takes \d+ allow rules, over IoT Hub's limit of 100; block wider \(shorter-prefix\) ranges/,
        );
    });
    it("X.509-only attestation with no CA certificate", () => {
        rejects("prod", { caCertificatePems: [] }, "caCertificatePems", /is empty while devices attest with X\.509/);
        rejects("dev", { caGeneratedNames: [], deviceAttestation: ["x509"] }, "caGeneratedNames", /is empty while devices attest with X\.509/);
        rejects("prod", { caCertificatePems: ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"] }, "caCertificatePems", /not a PEM-encoded X\.509 certificate/);
        rejects("dev", { deviceAttestation: [] }, "deviceAttestation", /at least one attestation method/);
        rejects("dev", { deviceAttestation: ["password"] }, "deviceAttestation", /x509, tpm or symmetricKey/);
    });
    it("an empty owner list for the Entra apps, and malformed owners", () => {
        rejects("dev", { entraOwners: [] }, "entraOwners", /is empty: list at least one Entra object id/);
        rejects("dev", { entraOwners: ["alice@contoso.com"] }, "entraOwners", /must be an Entra object id \(a GUID\)/);
        rejects("prod", { entraOwners: undefined }, "entraOwners", /is not set; set it with `pulumi config set entraOwners/);
    });
    it("unsafe redirect URIs", () => {
        rejects("dev", { mobileRedirectUris: ["https://*.contoso.com/auth"] }, "mobileRedirectUris", /wildcard/);
        rejects("prod", { mobileRedirectUris: ["http://localhost:3000/auth"] }, "mobileRedirectUris", /allowed in dev only/);
        rejects("dev", { mobileRedirectUris: ["http://app.contoso.com/auth"] }, "mobileRedirectUris", /must be https/);
    });
    it("Cosmos DB combinations that cannot be deployed", () => {
        rejects("dev", { cosmosSecondaryLocations: ["northeurope"] }, "cosmosSecondaryLocations", /serverless accounts run in a single region/);
        rejects("prod", { cosmosContainerMaxThroughput: 20000 }, "cosmosContainerMaxThroughput", /exceeds cosmosTotalThroughputLimit/);
        rejects("prod", { cosmosPublicNetworkAccess: "Enabled" }, "cosmosAllowedIpRanges", /is empty while cosmosPublicNetworkAccess is Enabled/);
        rejects("dev", { location: "mars" }, "location", /not an Azure region/);
    });
    it("a misspelt key is reported with the key it probably meant", () => {
        const found = problems("dev", { iotHubSKU: "S1" });
        assert.ok(found.some((p) => /^iotHubSKU: is not a setting of this project; did you mean iotHubSku\?/.test(p)), found.join("\n"));
    });
    it("apiIotHubRoles is retired: a stack that still sets it is told what replaced it and how to remove it", () => {
        const found = problems("prod", { apiIotHubRoles: ["IoTHubDataReader", "IoTHubTwinContributor"] });
        assert.ok(
            found.some((p) => /^apiIotHubRoles: is no longer used: the API's identity holds a custom IoT Hub role with exactly the data actions .*`pulumi config rm apiIotHubRoles`/.test(p)),
            found.join("\n"),
        );
    });
    it("the API's hosting: its own subnet and scaling, the Azure CLI in dev only, daemons by client id", () => {
        const dev = parseConfig(raw("dev"));
        const prod = parseConfig(raw("prod"));
        assert.deepEqual(dev.api, { functionSubnet: "10.20.3.0/24", functionInstanceMemoryMB: 2048, functionMaximumInstances: 40 });
        assert.deepEqual(prod.api, { functionSubnet: "10.60.3.0/24", functionInstanceMemoryMB: 2048, functionMaximumInstances: 100 });
        assert.equal(dev.entra.azureCliAccess, true, "operators call the dev API with an Azure CLI token");
        assert.equal(prod.entra.azureCliAccess, false, "production callers are the mobile app and daemons");
        assert.deepEqual(prod.entra.appOnlyClientIds, []);
        assert.deepEqual(parseConfig(raw("prod", { apiAppOnlyClientIds: ["AAAAAAAA-1111-4222-8333-444444444444"] })).entra.appOnlyClientIds, ["aaaaaaaa-1111-4222-8333-444444444444"]);
        rejects("prod", { apiAppOnlyClientIds: ["my-daemon"] }, "apiAppOnlyClientIds", /client \(application\) id of a daemon app .* a GUID/);
        rejects("prod", { apiAppOnlyClientIds: ["aaaaaaaa-1111-4222-8333-444444444444", "AAAAAAAA-1111-4222-8333-444444444444"] }, "apiAppOnlyClientIds", /lists a client twice/);
        rejects("prod", { apiFunctionSubnet: "10.60.2.128/25" }, "apiFunctionSubnet", /overlaps ingestFunctionSubnet \(10\.60\.2\.0\/24\).*its own delegated subnet/);
        rejects("prod", { apiFunctionSubnet: "10.60.1.0/26" }, "apiFunctionSubnet", /overlaps privateEndpointSubnet/);
        rejects("prod", { apiFunctionSubnet: "10.61.3.0/24" }, "apiFunctionSubnet", /lies outside privateNetworkAddressSpace/);
        rejects("prod", { apiFunctionSubnet: "10.60.3.0/28" }, "apiFunctionSubnet", /too small.*\/27 or larger/);
        rejects("dev", { apiFunctionInstanceMemoryMB: 1024 }, "apiFunctionInstanceMemoryMB", /not a Flex Consumption instance size/);
        rejects("dev", { apiFunctionMaximumInstances: 20 }, "apiFunctionMaximumInstances", /at least 40/);
        rejects("dev", { apiAzureCliAccess: "yes" }, "apiAzureCliAccess", /expected true or false, got /);
    });
    it("reports every problem at once", () => {
        const found = problems("dev", { iotHubSku: "S9", entraOwners: [], iotHubMinTlsVersion: "1.0", dpsAllowedIpRanges: ["x"] });
        for (const key of ["iotHubSku", "iotHubMinTlsVersion", "dpsAllowedIpRanges", "entraOwners"]) assert.ok(found.some((p) => p.startsWith(`${key}:`)), `${key} missing from ${found.join("; ")}`);
    });
    it("a malformed setting does not hide the cross-setting problems of the others", () => {
        // A value of the wrong type plus an empty owner list: both, and the count says two.
        assert.deepEqual(problems("dev", { iotHubUnits: "two", entraOwners: [] }).map((p) => p.split(":")[0]), ["iotHubUnits", "entraOwners"]);
        // A misspelt key does not hide an expired CA.
        const expired = problems("prod", { caCertificatePems: [caCert(-400, -10, "Retired Root CA")], iotHubUntis: 2 });
        assert.ok(expired.some((p) => p.startsWith("iotHubUntis: is not a setting of this project; did you mean iotHubUnits?")), expired.join("\n"));
        assert.ok(expired.some((p) => /^caCertificatePems: \[0\] .* expired on /.test(p)), expired.join("\n"));
    });
    it("skips only the checks that read a malformed setting", () => {
        // The SKU is unreadable, so its units cannot be checked against it; the rest still are.
        const found = problems("dev", { iotHubSku: 5, alertsEnabled: true, alertEmailReceivers: [] });
        assert.ok(found.some((p) => p.startsWith("iotHubSku: ")));
        assert.ok(!found.some((p) => p.startsWith("iotHubUnits: ")), found.join("\n"));
        assert.ok(found.some((p) => p.startsWith("alertEmailReceivers: is empty while alertsEnabled is true")), found.join("\n"));
    });
});


describe("production posture: private network, observability, threat protection, protection", () => {
    it("prod gets all of it; dev gets logs only", () => {
        const prod = parseConfig(raw("prod"));
        assert.deepEqual(prod.privateNetwork, { enabled: true, addressSpace: "10.60.0.0/16", endpointSubnet: "10.60.1.0/24", services: ["iotHub", "dps", "cosmos", "eventHubs"] });
        assert.deepEqual(prod.observability, { diagnosticsEnabled: true, logRetentionDays: 365, alertsEnabled: true, alertEmails: ["platform-oncall@contoso.com", "iot-operations@contoso.com"] });
        assert.deepEqual(prod.threatProtection, { defenderForIot: true, defenderForCosmos: true });
        assert.deepEqual(prod.protection, { protectStatefulResources: true, lockStatefulResources: true });
        assert.equal(prod.ca.minimumValidityDays, 90);
        const dev = parseConfig(raw("dev"));
        assert.equal(dev.privateNetwork.enabled, false);
        assert.deepEqual(dev.privateNetwork.services, [], "no endpoints without the network");
        assert.deepEqual(dev.observability, { diagnosticsEnabled: true, logRetentionDays: 30, alertsEnabled: false, alertEmails: [] });
        assert.deepEqual(dev.threatProtection, { defenderForIot: false, defenderForCosmos: false });
        assert.deepEqual(dev.protection, { protectStatefulResources: false, lockStatefulResources: false });
    });
    it("a DPS endpoint is only planned when the stack deploys DPS", () => {
        const c = parseConfig(raw("prod", { dpsEnabled: false, enrollmentGroups: [] }));
        assert.deepEqual(c.privateNetwork.services, ["iotHub", "cosmos", "eventHubs"]);
    });
    it("rejects address ranges that are not private, malformed, or do not fit", () => {
        rejects("prod", { privateNetworkAddressSpace: "8.8.0.0/16" }, "privateNetworkAddressSpace", /not a private \(RFC 1918\) range/);
        rejects("prod", { privateNetworkAddressSpace: "10.60.0.5/16" }, "privateNetworkAddressSpace", /host bits set/);
        rejects("prod", { privateEndpointSubnet: "10.61.1.0/24" }, "privateEndpointSubnet", /lies outside privateNetworkAddressSpace \(10\.60\.0\.0\/16\)/);
        rejects("prod", { privateEndpointSubnet: "10.60.1.0/29" }, "privateEndpointSubnet", /too small.*use a \/28 or larger/);
    });
    it("rejects unknown, duplicate or missing private endpoint services", () => {
        rejects("prod", { privateEndpointServices: ["iotHub", "storage"] }, "privateEndpointServices", /iotHub, dps, cosmos or eventHubs/);
        rejects("prod", { privateEndpointServices: ["cosmos", "cosmos"] }, "privateEndpointServices", /lists a service twice/);
        rejects("prod", { privateEndpointServices: [], cosmosPublicNetworkAccess: "Enabled", cosmosAllowedIpRanges: ["198.51.100.0/24"] }, "privateEndpointServices", /is empty while privateNetworkEnabled is true/);
    });
    it("rejects a service with public access off that nothing could reach", () => {
        rejects("prod", { privateNetworkEnabled: false }, "cosmosPublicNetworkAccess", /is Disabled but the Cosmos DB account gets no private endpoint.*set privateNetworkEnabled to true with cosmos in privateEndpointServices/);
        rejects("prod", { iotHubPublicNetworkAccess: "Disabled", privateEndpointServices: ["dps", "cosmos"] }, "iotHubPublicNetworkAccess", /the IoT hub gets no private endpoint/);
        rejects("prod", { dpsPublicNetworkAccess: "Disabled", privateEndpointServices: ["iotHub", "cosmos"] }, "dpsPublicNetworkAccess", /the provisioning service gets no private endpoint/);
        // The same with the endpoint in place is a valid, fully private stack.
        assert.doesNotThrow(() => parseConfig(raw("prod", { iotHubPublicNetworkAccess: "Disabled", dpsPublicNetworkAccess: "Disabled" })));
    });
    it("rejects alerts nobody receives, malformed addresses and retention out of range", () => {
        rejects("prod", { alertEmailReceivers: [] }, "alertEmailReceivers", /is empty while alertsEnabled is true/);
        rejects("prod", { alertEmailReceivers: ["oncall"] }, "alertEmailReceivers", /must be an e-mail address/);
        rejects("prod", { alertEmailReceivers: ["a@contoso.com", "A@contoso.com"] }, "alertEmailReceivers", /lists an address twice/);
        rejects("dev", { logRetentionDays: 7 }, "logRetentionDays", /at least 30 days/);
        rejects("dev", { logRetentionDays: 1000 }, "logRetentionDays", /at most 730 days/);
        assert.doesNotThrow(() => parseConfig(raw("dev", { alertEmailReceivers: [] })), "no receivers needed without alerts");
    });
    it("rejects switches that are not booleans", () => {
        rejects("prod", { protectStatefulResources: "yes" }, "protectStatefulResources", /expected true or false, got /);
        rejects("prod", { lockStatefulResources: 1 }, "lockStatefulResources", /expected true or false, got /);
        rejects("prod", { defenderForIot: "on" }, "defenderForIot", /expected true or false, got /);
    });
});

describe("the telemetry path's settings", () => {
    it("each stack resolves them, with the route off until the second deployment", () => {
        assert.deepEqual(parseConfig(raw("dev")).telemetry, {
            routeEnabled: false,
            eventHubPartitions: 2,
            eventHubRetentionDays: 1,
            functionSubnet: "10.20.2.0/24",
            functionInstanceMemoryMB: 2048,
            functionMaximumInstances: 40,
        });
        assert.deepEqual(parseConfig(raw("prod")).telemetry, {
            routeEnabled: false,
            eventHubPartitions: 8,
            eventHubRetentionDays: 3,
            functionSubnet: "10.60.2.0/24",
            functionInstanceMemoryMB: 2048,
            functionMaximumInstances: 100,
        });
        assert.equal(parseConfig(raw("prod", { telemetryRouteEnabled: true })).telemetry.routeEnabled, true);
    });
    it("rejects a function subnet outside the network, over the endpoint subnet, too small or not private", () => {
        rejects("prod", { ingestFunctionSubnet: "10.61.2.0/24" }, "ingestFunctionSubnet", /lies outside privateNetworkAddressSpace \(10\.60\.0\.0\/16\).*every stack/);
        rejects("dev", { ingestFunctionSubnet: "10.30.2.0/24" }, "ingestFunctionSubnet", /lies outside privateNetworkAddressSpace \(10\.20\.0\.0\/16\)/);
        rejects("prod", { ingestFunctionSubnet: "10.60.1.0/25" }, "ingestFunctionSubnet", /overlaps privateEndpointSubnet \(10\.60\.1\.0\/24\).*Microsoft\.App\/environments/);
        rejects("prod", { ingestFunctionSubnet: "10.60.0.0/22" }, "ingestFunctionSubnet", /overlaps privateEndpointSubnet/);
        rejects("prod", { ingestFunctionSubnet: "10.60.2.0/28" }, "ingestFunctionSubnet", /too small.*\/27 or larger/);
        rejects("prod", { ingestFunctionSubnet: "8.8.8.0/24" }, "ingestFunctionSubnet", /not a private \(RFC 1918\) range/);
        // Without private endpoints there is no endpoint subnet to collide with.
        assert.doesNotThrow(() => parseConfig(raw("dev", { ingestFunctionSubnet: "10.20.1.0/24" })));
    });
    it("rejects Event Hubs and Flex Consumption values the services do not offer", () => {
        rejects("dev", { telemetryEventHubPartitions: 0 }, "telemetryEventHubPartitions", /at least 1/);
        rejects("dev", { telemetryEventHubPartitions: 33 }, "telemetryEventHubPartitions", /at most 32.*Standard/);
        rejects("dev", { telemetryEventHubRetentionDays: 8 }, "telemetryEventHubRetentionDays", /1-7 days/);
        rejects("dev", { ingestFunctionInstanceMemoryMB: 1024 }, "ingestFunctionInstanceMemoryMB", /^ingestFunctionInstanceMemoryMB: 1024 is not a Flex Consumption instance size \(MB\); use 512, 2048, 4096/);
        rejects("dev", { ingestFunctionMaximumInstances: 10 }, "ingestFunctionMaximumInstances", /at least 40/);
        rejects("dev", { ingestFunctionMaximumInstances: 1001 }, "ingestFunctionMaximumInstances", /at most 1000/);
        rejects("dev", { telemetryRouteEnabled: "yes" }, "telemetryRouteEnabled", /expected true or false, got /);
        rejects("prod", { privateEndpointServices: ["eventHubs", "eventHubs"] }, "privateEndpointServices", /lists a service twice/);
    });
    it("rejects names the new services would refuse", () => {
        // Storage account names are 3-24 lower-case letters and digits.
        rejects("dev", { namePrefix: "contosofleet", environment: "staging", nameSuffix: "team42" }, "namePrefix", /the functionStorage name "stcontosofleetstagingteam42" is 27 characters; the limit is 3-24/);
    });
});

describe("a problem with one setting shows the value received", () => {
    it("a number given as text: the value and a valid example", () => {
        rejects("dev", { iotHubPartitionCount: "four" }, "iotHubPartitionCount", /^iotHubPartitionCount: expected a whole number, got "four"; e\.g\. 4$/);
        rejects("dev", { caValidityDays: "1y" }, "caValidityDays", /got "1y"; e\.g\. 365$/);
    });
    it("a list given as text: the text and an example list", () => {
        rejects("dev", { tags: "owner=ops" }, "tags", /^tags: expected a JSON list, got "owner=ops"; e\.g\. \["costCenter=1234"\]$/);
        rejects("dev", { iotHubAllowedIpRanges: "203.0.113.0/24" }, "iotHubAllowedIpRanges", /^iotHubAllowedIpRanges: expected a JSON list, got "203\.0\.113\.0\/24"; e\.g\. \["203\.0\.113\.0\/24"\]$/);
    });
    it("a bad element of a list: its index and the element itself", () => {
        rejects("dev", { tags: ["team=iot", "env=dev", "owner"] }, "tags", /^tags: \[2\] "owner" must be key=value/);
        rejects("dev", { tags: ["team=iot", 7] }, "tags", /^tags: \[1\] 7 is not a string; e\.g\. "costCenter=1234"$/);
        rejects("dev", { deviceAttestation: ["x509", "password"] }, "deviceAttestation", /^deviceAttestation: \[1\] "password" must be x509, tpm or symmetricKey$/);
        // The CIDR parser's message starts with the entry: it is shown once.
        rejects("dev", { dpsAllowedIpRanges: ["203.0.113.0/24", "10.0.0.300/24"] }, "dpsAllowedIpRanges", /^dpsAllowedIpRanges: \[1\] "10\.0\.0\.300\/24" has an octet above 255$/);
        rejects("dev", { dpsAllowedIpRanges: ["203.0.113.0/24", "203.0.113.0/24"] }, "dpsAllowedIpRanges", /^dpsAllowedIpRanges: \[1\] "203\.0\.113\.0\/24" is listed twice$/);
    });
    it("a value out of range or of the wrong form, truncated when long", () => {
        rejects("dev", { iotHubSku: "S9" }, "iotHubSku", /^iotHubSku: "S9" must be one of/);
        const long = "x".repeat(200);
        const [p] = problems("dev", { environment: long }).filter((x) => x.startsWith("environment: "));
        assert.match(p, /^environment: "x{76}\.\.\. must be 2-8 lower-case/);
    });
    it("a value the stack holds as a secret is never echoed", () => {
        const pem = "-----BEGIN CERTIFICATE-----\nTOPSECRETBYTES\n-----END CERTIFICATE-----";
        for (const value of [pem, [pem, pem, pem]]) {
            const found = problems("prod", { caCertificatePems: { secret: value } }).filter((x) => x.startsWith("caCertificatePems: "));
            assert.ok(found.length > 0 && found.every((x) => x.includes("(a secret, not shown)") && !x.includes("TOPSECRET")), found.join("\n"));
        }
        const [entry] = problems("dev", { dpsAllowedIpRanges: { secret: ["10.0.0.300/24"] } }).filter((x) => x.startsWith("dpsAllowedIpRanges: "));
        assert.equal(entry, "dpsAllowedIpRanges: [0] (a secret, not shown) has an octet above 255");
    });
    it("every example is valid for its key and is the declared default where Pulumi.yaml has one", () => {
        const declared = readProjectFile().config ?? {};
        for (const [key, example] of Object.entries(CONFIG_EXAMPLES) as [ConfigKey, unknown][]) {
            assert.ok(checkSetting(key, example), `${key}: example ${JSON.stringify(example)} is not valid`);
            const d = (declared[key] as { default?: unknown } | undefined)?.default;
            if (d !== undefined && d !== "" && !(Array.isArray(d) && d.length === 0)) assert.deepEqual(example, d, `${key}: example differs from the Pulumi.yaml default`);
        }
    });
});

describe("CA validity window", () => {
    const daysLeft = (pem: string) => Math.floor((new Date(new X509Certificate(pem).validTo).getTime() - Date.now()) / 86_400_000);
    const current = (JSON.parse(readStackConfig("prod").values["secure-iot-platform:caCertificatePems"]) as string[])[0];
    // A window the previous CA is inside of and the current CA (valid two years longer) is not.
    const window = daysLeft(CONTOSO_CA_2024) + 100;
    it("the fixtures stay meaningful", () => {
        assert.ok(daysLeft(CONTOSO_CA_2024) > 0 && daysLeft(current) >= window && window <= 3650, "regenerate CONTOSO_CA_2024 if it no longer expires before the prod CA");
    });
    it("rejects a CA that expires too soon when it stands alone", () => {
        rejects(
            "prod",
            { caCertificatePems: [CONTOSO_CA_2024], caMinimumValidityDays: window },
            "caCertificatePems",
            new RegExp(`\\[0\\] \\(O=Contoso, CN=Contoso IoT Device Root CA 2024\\) expires on 2034-11-19, ${daysLeft(CONTOSO_CA_2024)} days from now, inside caMinimumValidityDays \\(${window}\\) and no successor is listed: add the next CA as a second entry`),
        );
    });
    it("accepts it during a rotation, next to its successor", () => {
        const c = parseConfig(raw("prod", { caCertificatePems: [CONTOSO_CA_2024, current], caMinimumValidityDays: window }));
        assert.ok(c.ca.source === "pem");
        assert.deepEqual(c.ca.certificates.map((x) => x.notAfter.toISOString().slice(0, 10)), ["2034-11-19", "2036-11-18"]);
    });
    it("rejects a window out of range, and one a generated CA would always be inside of", () => {
        rejects("prod", { caMinimumValidityDays: 0 }, "caMinimumValidityDays", /at least 1 day/);
        rejects("prod", { caMinimumValidityDays: 4000 }, "caMinimumValidityDays", /at most 3650 days/);
        rejects("dev", { caMinimumValidityDays: 365 }, "caMinimumValidityDays", /\(365\) must be below caValidityDays \(365\).*renewed on every update/);
    });
});

describe("configuration warnings", () => {
    it("restricted egress without the built-in endpoint's FQDN warns with the commands that fix it", () => {
        const [w] = configWarnings(parseConfig(raw("prod", { telemetryRouteEnabled: true })));
        assert.match(w, /iotHubAllowedFqdns does not list the hub's built-in endpoint.*pulumi stack output iotHubBuiltInEndpointFqdn/);
        const fixed = parseConfig(raw("prod", { telemetryRouteEnabled: true, iotHubAllowedFqdns: ["iothub-ns-iot-fleet-pr-4242424-0a1b2c3d4e.servicebus.windows.net"] }));
        assert.deepEqual(configWarnings(fixed), []);
        assert.deepEqual(configWarnings(parseConfig(raw("prod", { telemetryRouteEnabled: true, iotHubRestrictOutboundNetworkAccess: false }))), []);
    });
    it("a first deployment warns until the hub routes to Event Hubs, with the commands of the second step", () => {
        const warnings = configWarnings(parseConfig(raw("dev", { iotHubAllowedFqdns: ["iothub-ns-iot-fleet-de-4242424-0a1b2c3d4e.servicebus.windows.net"] })));
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /telemetryRouteEnabled is false.*system-assigned identity.*pulumi config set telemetryRouteEnabled true.*pulumi up/);
        assert.deepEqual(configWarnings(parseConfig(raw("dev", { telemetryRouteEnabled: true, iotHubAllowedFqdns: ["iothub-ns-iot-fleet-de-4242424-0a1b2c3d4e.servicebus.windows.net"] }))), []);
    });
});

describe("bad configuration stops the program before any resource is registered", () => {
    it("the run fails with all problems and registers nothing", async () => {
        const registered: string[] = [];
        await assert.rejects(
            runStack("dev", { config: { iotHubDisableLocalAuth: false, operatorGroupIds: ["ops"] }, onRegister: (r) => registered.push(r.type) }),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.match(e.message, /has 2 problems \(nothing was deployed\)/);
                assert.match(e.message, /secure-iot-platform:iotHubDisableLocalAuth: false is not accepted/);
                assert.match(e.message, /secure-iot-platform:operatorGroupIds: \[0\] "ops" must be an Entra group object id/);
                return true;
            },
        );
        assert.deepEqual(registered, []);
    });
});
