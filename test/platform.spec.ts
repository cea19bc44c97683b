/**
 * What each stack deploys, read from the registrations the real program makes under mocks that
 * model `pulumi preview` (Azure-computed values unknown) and `pulumi up`.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { runStack } from "../tools/offline/runStack";
import { readStackConfig } from "../tools/offline/stackConfig";
import type { StackRun } from "../tools/offline/types";
import { all, isSecretWire, stackRun, one, plainOccurrences, reveal, unknownPaths } from "./support";

const HUB = "azure-native:iothub:IotHubResource";
/** DPS is the generic ARM resource at the API version that links hubs by identity. */
const DPS = "azure-native:resources:Resource";
const COSMOS = "azure-native:cosmosdb:DatabaseAccount";
const SQL_ROLE = "azure-native:cosmosdb:SqlResourceSqlRoleAssignment";
const ROLE = "azure-native:authorization:RoleAssignment";
const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";
const APP = "azuread:index/applicationRegistration:ApplicationRegistration";
const ROLE_IDS = {
    dataReader: "b447c946-2db7-41ec-983d-d8bf3b1c77e3",
    twinContributor: "494bdba2-168f-4f31-a0a1-191d2f7c028c",
    registryContributor: "4ea46cd5-c1b2-4a8e-910b-273211f9ce47",
    dataContributor: "4fc6c259-987e-4a07-842e-c321cc9d413f",
    dpsDataContributor: "dfce44e4-17b7-4bd1-a6d1-04996ec95633",
};
const roleOf = (r: { inputs: unknown }) => String(reveal(r.inputs).roleDefinitionId).split("/").pop();

const runs: Record<string, StackRun> = {};
before(async () => {
    // One process, one run at a time: the Pulumi runtime is global.
    runs.devPreview = await stackRun("dev");
    runs.prodPreview = await stackRun("prod");
    runs.devUp = await stackRun("dev", false);
    runs.prodUp = await stackRun("prod", false);
});

describe("IoT Hub", () => {
    it("is locked down the same way in both stacks", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            const p = reveal(one(run, HUB).inputs).properties;
            assert.equal(p.minTlsVersion, "1.2");
            assert.deepEqual(p.authorizationPolicies, [], "no SAS policy at all: no iothubowner, no defaults, no DPS link key");
            assert.equal(p.disableLocalAuth, true, "no hub-scoped SAS token is accepted");
            assert.equal(p.disableModuleSAS, true);
            assert.equal(p.networkRuleSets.defaultAction, "Deny");
            assert.equal(p.networkRuleSets.applyToBuiltInEventHubEndpoint, true);
            assert.equal(p.restrictOutboundNetworkAccess, true);
            const namespace = reveal(one(run, "azure-native:eventhub:Namespace").inputs).namespaceName;
            assert.deepEqual(p.allowedFqdnList, [`${namespace}.servicebus.windows.net`], "egress to the Event Hubs namespace only (plus what the stack adds)");
            // The stacks' files describe a first deployment: the hub exists before it routes (docs/TELEMETRY.md).
            assert.deepEqual(p.routing.endpoints.eventHubs, []);
            assert.deepEqual(p.routing.routes.map((r: { name: string; endpointNames: string[] }) => `${r.name} -> ${r.endpointNames}`), ["telemetry-to-builtin -> events"]);
            assert.deepEqual(p.routing.fallbackRoute.endpointNames, ["events"]);
            assert.equal(p.routing.endpoints.cosmosDBSqlContainers, undefined, "no Cosmos DB endpoint: the hub cannot reach a firewalled or private account");
            assert.equal(p.storageEndpoints, undefined, "no file upload endpoint with keys");
        }
    });
    it("dev allows symmetric-key test devices; prod is X.509 only", () => {
        assert.equal(reveal(one(runs.devPreview, HUB).inputs).properties.disableDeviceSAS, false);
        assert.equal(reveal(one(runs.prodPreview, HUB).inputs).properties.disableDeviceSAS, true);
    });
    it("filters by the stack's IP lists: allow rules only, split around the blocked ranges", () => {
        const dev = reveal(one(runs.devPreview, HUB).inputs).properties;
        // dev allows 203.0.113.0/24 and 198.51.100.0/24 and blocks 203.0.113.128/28.
        assert.deepEqual(dev.networkRuleSets.ipRules.map((r: { ipMask: string }) => r.ipMask), ["203.0.113.0/25", "203.0.113.144/28", "203.0.113.160/27", "203.0.113.192/26", "198.51.100.0/24"]);
        assert.ok(dev.networkRuleSets.ipRules.every((r: { action: string }) => r.action === "Allow"));
        assert.equal(dev.ipFilterRules, undefined, "the retired ipFilterRules is not sent");
        assert.equal(dev.publicNetworkAccess, "Enabled");
        const prod = reveal(one(runs.prodPreview, HUB).inputs).properties;
        assert.deepEqual(prod.networkRuleSets.ipRules.map((r: { ipMask: string }) => r.ipMask), ["198.51.100.0/24", "192.0.2.0/24"]);
    });
    it("has a system-assigned identity that holds Data Sender on the telemetry event hub (not the namespace)", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            const hub = one(run, HUB);
            assert.deepEqual(reveal(hub.inputs).identity, { type: "SystemAssigned" });
            const sender = one(run, ROLE, "routing-eventhubs-sender");
            assert.deepEqual(sender.propertyDependencies.principalId, [hub.urn], "the principal is the hub's own");
            const s = reveal(sender.inputs);
            assert.match(s.roleDefinitionId, /\/roleDefinitions\/2b629674-e913-4c01-ae53-ef4638d8f975$/, "Azure Event Hubs Data Sender");
            assert.match(s.scope, /\/providers\/Microsoft\.EventHub\/namespaces\/evhns-fleet-[a-z]+-[0-9a-f]{6}\/eventhubs\/telemetry$/);
            // The hub waits for its target, behind its firewall.
            for (const type of ["azure-native:eventhub:Namespace", "azure-native:eventhub:NamespaceNetworkRuleSet", "azure-native:eventhub:EventHub"]) {
                assert.ok(hub.dependencies.includes(one(run, type).urn), `the hub waits for the ${type}`);
            }
        }
        assert.deepEqual(all(runs.devPreview, IDENTITY).map((i) => i.name).sort(), ["api", "dps-link", "ingest"], "no user-assigned routing identity any more");
    });
    it("has SKU, units, partitions and consumer groups from config", () => {
        const prod = reveal(one(runs.prodPreview, HUB).inputs);
        assert.deepEqual(prod.sku, { name: "S2", capacity: 2 });
        assert.equal(prod.properties.eventHubEndpoints.events.partitionCount, 8);
        const groups = all(runs.prodPreview, "azure-native:iothub:IotHubResourceEventHubConsumerGroup").map((g) => reveal(g.inputs).name).sort();
        assert.deepEqual(groups, ["operations", "telemetry-api"]);
    });
    it("keeps every input known at preview, so policies on it stay mandatory", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            assert.deepEqual(unknownPaths(one(run, HUB).inputs), [], `${run.stack}: hub inputs unknown at preview`);
        }
    });
    it("gives each caller IoT Hub data-plane roles scoped to the hub, nothing more: the API, DPS's link identity, the operators", () => {
        const run = runs.prodUp;
        const hubName = reveal(one(run, HUB).inputs).resourceName;
        const hubRoles = all(run, ROLE).filter((r) => /\/IotHubs\//.test(reveal(r.inputs).scope));
        for (const r of hubRoles) assert.match(reveal(r.inputs).scope, new RegExp(`/providers/Microsoft\\.Devices/IotHubs/${hubName}$`));
        const api = one(run, IDENTITY, "api");
        const dpsLink = one(run, IDENTITY, "dps-link");
        const of = (pred: (r: (typeof hubRoles)[number]) => boolean) => hubRoles.filter(pred).map(roleOf).sort();
        // The API holds one custom role with exactly its data actions (test/api.spec.ts), no built-in one.
        const apiRoles = hubRoles.filter((r) => (r.propertyDependencies.principalId ?? []).includes(api.urn));
        assert.equal(apiRoles.length, 1);
        assert.ok(!(Object.values(ROLE_IDS) as (string | undefined)[]).includes(roleOf(apiRoles[0])), "not a built-in IoT Hub role");
        assert.deepEqual(of((r) => (r.propertyDependencies.principalId ?? []).includes(dpsLink.urn)), [ROLE_IDS.dataContributor], "the role Microsoft documents for an identity link");
        const groups = hubRoles.filter((r) => reveal(r.inputs).principalType === "Group");
        assert.deepEqual(groups.map((r) => reveal(r.inputs).principalId).sort(), ["2a6f8d31-9e4b-4c7a-8d15-b3e0f6c9a742", "7c3e1a9b-5d2f-4e8a-b6c4-1f0d9e2a3b57"]);
        assert.ok(groups.every((r) => roleOf(r) === ROLE_IDS.registryContributor), "operators manage devices only");
        assert.equal(hubRoles.length, 4, "one (custom) for the API, one for DPS, one per operator group");
        for (const r of hubRoles.filter((x) => reveal(x.inputs).principalType !== "Group")) assert.equal(reveal(r.inputs).principalType, "ServicePrincipal");
    });
});

describe("Device Provisioning Service", () => {
    it("sits in the hub's resource group and region", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            const hub = reveal(one(run, HUB).inputs);
            const dps = reveal(one(run, DPS).inputs);
            assert.equal(dps.resourceGroupName, hub.resourceGroupName);
            assert.equal(dps.location, hub.location);
            assert.equal(dps.properties.iotHubs[0].location, hub.location);
        }
    });
    it("is the DPS resource type at API 2026-08-01, which links hubs by identity", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            const dps = reveal(one(run, DPS).inputs);
            assert.equal(dps.resourceProviderNamespace, "Microsoft.Devices");
            assert.equal(dps.resourceType, "provisioningServices");
            assert.equal(dps.parentResourcePath, "");
            assert.equal(dps.apiVersion, "2026-08-01");
            assert.deepEqual(dps.sku, { name: "S1", capacity: 1 });
        }
    });
    it("links the hub by its user-assigned identity, with no connection string or key", () => {
        for (const run of [runs.devUp, runs.prodUp]) {
            const dps = reveal(one(run, DPS).inputs);
            const hubName = reveal(one(run, HUB).inputs).resourceName;
            const identityName = reveal(one(run, IDENTITY, "dps-link").inputs).resourceName;
            const [link] = dps.properties.iotHubs;
            assert.deepEqual(Object.keys(link).sort(), ["authenticationType", "hostName", "location", "selectedUserAssignedIdentityResourceId"]);
            assert.equal(link.authenticationType, "UserAssigned");
            assert.equal(link.hostName, `${hubName}.azure-devices.net`);
            assert.match(link.selectedUserAssignedIdentityResourceId, new RegExp(`/userAssignedIdentities/${identityName}$`));
            assert.deepEqual(dps.identity, { type: "UserAssigned", userAssignedIdentities: [link.selectedUserAssignedIdentityResourceId] });
            assert.equal(dps.properties.disableLocalAuth, true, "DPS's own SAS is off too");
        }
    });
    it("is created after its link identity holds its roles on the hub (DPS checks the link when it is saved)", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            const dps = one(run, DPS);
            const dpsLink = one(run, IDENTITY, "dps-link");
            const linkRoles = all(run, ROLE).filter((r) => (r.propertyDependencies.principalId ?? []).includes(dpsLink.urn));
            assert.equal(linkRoles.length, 1);
            for (const r of [dpsLink, ...linkRoles]) assert.ok(dps.dependencies.includes(r.urn), `${run.stack}: DPS waits for ${r.name}`);
            for (const r of linkRoles) assert.ok(r.dependencies.includes(one(run, HUB).urn), "the roles wait for the hub they are scoped to");
        }
    });
    it("keeps every input known at preview, so policies on it stay mandatory", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            assert.deepEqual(unknownPaths(one(run, DPS).inputs), [], `${run.stack}: DPS inputs unknown at preview`);
        }
    });
    it("keeps the state of the DPS the typed class created: an alias from its former type", () => {
        const dps = one(runs.prodPreview, DPS);
        assert.ok(
            (dps.aliases as { spec?: { type?: string } }[]).some((a) => a.spec?.type === "azure-native:deviceprovisioningservices:IotDpsResource"),
            `aliases: ${JSON.stringify(dps.aliases)}`,
        );
    });
    it("lets the operator groups manage enrollments through Entra ID, on this DPS only", () => {
        const run = runs.prodUp;
        const dpsName = reveal(one(run, DPS).inputs).resourceName;
        // (The deploying identity's own role, which writes the enrollment records, is checked in test/enrollments-program.spec.ts.)
        const dpsRoles = all(run, ROLE).filter((r) => /\/provisioningServices\//.test(reveal(r.inputs).scope) && r.name !== "deployer-DpsDataContributor").map((r) => reveal(r.inputs));
        assert.deepEqual(dpsRoles.map((r) => r.principalId).sort(), ["2a6f8d31-9e4b-4c7a-8d15-b3e0f6c9a742", "7c3e1a9b-5d2f-4e8a-b6c4-1f0d9e2a3b57"]);
        for (const r of dpsRoles) {
            assert.equal(r.principalType, "Group");
            assert.equal(r.roleDefinitionId.split("/").pop(), ROLE_IDS.dpsDataContributor);
            assert.match(r.scope, new RegExp(`/resourceGroups/[^/]+/providers/Microsoft\\.Devices/provisioningServices/${dpsName}$`));
        }
    });
    it("has no SAS policies, and an IP allow list closed by reject-all", () => {
        const p = reveal(one(runs.prodPreview, DPS).inputs).properties;
        assert.deepEqual(p.authorizationPolicies, []);
        assert.deepEqual(
            p.ipFilterRules.map((r: { action: string; ipMask: string }) => `${r.action} ${r.ipMask}`),
            ["Accept 198.51.100.0/24", "Accept 192.0.2.0/24", "Reject 0.0.0.0/0"],
        );
    });
    it("registers the device CA as verified on DPS and on the hub", () => {
        const prod = runs.prodPreview;
        const pem = (JSON.parse(readStackConfig("prod").values["secure-iot-platform:caCertificatePems"]) as string[])[0];
        for (const type of ["azure-native:deviceprovisioningservices:DpsCertificate", "azure-native:iothub:Certificate"]) {
            const cert = reveal(one(prod, type).inputs);
            assert.equal(cert.properties.isVerified, true);
            assert.equal(cert.properties.certificate, pem);
            assert.match(cert.certificateName, /^contoso-iot-device-root-ca-2026-[0-9a-f]{8}$/);
        }
        // dev generates its CA with @pulumi/tls.
        const ca = reveal(one(runs.devPreview, "tls:index/selfSignedCert:SelfSignedCert").inputs);
        assert.equal(ca.isCaCertificate, true);
        assert.deepEqual(ca.allowedUses.sort(), ["cert_signing", "crl_signing"]);
    });
});

describe("telemetry store", () => {
    it("is reached by Entra ID only, over TLS 1.2, with continuous backup and no bypass", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            const a = reveal(one(run, COSMOS).inputs);
            assert.equal(a.disableLocalAuth, true);
            assert.equal(a.disableKeyBasedMetadataWriteAccess, true);
            assert.equal(a.minimalTlsVersion, "Tls12");
            assert.equal(a.networkAclBypass, "None");
            assert.equal(a.backupPolicy.type, "Continuous");
            assert.notEqual(a.enableFreeTier, true);
        }
    });
    it("dev: serverless behind an IP firewall; prod: private, zone-redundant, capped, two regions", () => {
        const dev = reveal(one(runs.devPreview, COSMOS).inputs);
        assert.deepEqual(dev.capabilities, [{ name: "EnableServerless" }]);
        assert.equal(dev.publicNetworkAccess, "Enabled");
        assert.deepEqual(dev.ipRules, [{ ipAddressOrRange: "203.0.113.0/24" }]);
        const prod = reveal(one(runs.prodPreview, COSMOS).inputs);
        assert.equal(prod.publicNetworkAccess, "Disabled");
        assert.deepEqual(prod.ipRules, []);
        assert.equal(prod.capacity.totalThroughputLimit, 10000);
        assert.deepEqual(prod.locations.map((l: { locationName: string; isZoneRedundant: boolean }) => [l.locationName, l.isZoneRedundant]), [["westeurope", true], ["northeurope", false]]);
        assert.equal(prod.enableAutomaticFailover, true);
    });
    it("has a container partitioned like the route, with TTL from config", () => {
        const c = reveal(one(runs.prodPreview, "azure-native:cosmosdb:SqlResourceSqlContainer").inputs);
        assert.deepEqual(c.resource.partitionKey.paths, ["/partitionKey"]);
        assert.equal(c.resource.defaultTtl, 90 * 86400);
        assert.equal(c.options.autoscaleSettings.maxThroughput, 4000);
    });
    it("grants the ingest function Data Contributor and the API Data Reader, on the container only", () => {
        const run = runs.prodPreview;
        assert.deepEqual(all(run, SQL_ROLE).map((r) => r.name).sort(), ["reader-api", "writer-ingest"], "the hub no longer writes");
        const writer = one(run, SQL_ROLE, "writer-ingest");
        const reader = one(run, SQL_ROLE, "reader-api");
        assert.match(reveal(writer.inputs).roleDefinitionId, /\/sqlRoleDefinitions\/00000000-0000-0000-0000-000000000002$/);
        assert.match(reveal(reader.inputs).roleDefinitionId, /\/sqlRoleDefinitions\/00000000-0000-0000-0000-000000000001$/);
        for (const r of [writer, reader]) assert.match(reveal(r.inputs).scope, /\/databaseAccounts\/cosmos-fleet-prod-[0-9a-f]{6}\/dbs\/iot\/colls\/telemetry$/);
        assert.deepEqual(writer.propertyDependencies.principalId, [one(run, IDENTITY, "ingest").urn]);
        assert.deepEqual(reader.propertyDependencies.principalId, [one(run, IDENTITY, "api").urn]);
    });
});

describe("Entra ID applications", () => {
    it("the API is a single-tenant v2 API at api://<clientId> that requires assignment", () => {
        const run = runs.prodUp;
        const api = one(run, APP, "api");
        const a = reveal(api.inputs);
        assert.equal(a.signInAudience, "AzureADMyOrg");
        assert.equal(a.requestedAccessTokenVersion, 2);
        assert.equal(a.implicitAccessTokenIssuanceEnabled, false);
        assert.equal(reveal(one(run, "azuread:index/applicationIdentifierUri:ApplicationIdentifierUri").inputs).identifierUri, `api://${reveal(run.outputs).apiClientId}`);
        assert.equal(reveal(one(run, "azuread:index/servicePrincipal:ServicePrincipal").inputs).appRoleAssignmentRequired, true);
        const scopes = all(run, "azuread:index/applicationPermissionScope:ApplicationPermissionScope").map((s) => reveal(s.inputs));
        assert.deepEqual(scopes.map((s) => `${s.value}:${s.type}`).sort(), ["Devices.Manage:Admin", "Telemetry.Read:User"]);
        const scopeIds = new Set(scopes.map((s) => s.scopeId));
        assert.equal(scopeIds.size, 2, "scope ids are distinct random UUIDs");
    });
    it("the mobile app is a separate public client, pre-authorized for the API's scopes", () => {
        const run = runs.prodUp;
        const redirects = reveal(one(run, "azuread:index/applicationRedirectUris:ApplicationRedirectUris").inputs);
        assert.equal(redirects.type, "PublicClient");
        assert.deepEqual(redirects.redirectUris, ["msauth.com.contoso.iotfield://auth", "msauth://com.contoso.iotfield/Xo8WBi6jzSxKDVR4drqm84yr9iU%3D"]);
        const pre = reveal(one(run, "azuread:index/applicationPreAuthorized:ApplicationPreAuthorized").inputs);
        assert.equal(pre.authorizedClientId, reveal(run.outputs).mobileClientId);
        const scopeIds = all(run, "azuread:index/applicationPermissionScope:ApplicationPermissionScope").map((s) => reveal(s.inputs).scopeId).sort();
        assert.deepEqual([...pre.permissionIds].sort(), scopeIds);
    });
    it("both apps are owned by the configured people, and no credential exists anywhere", () => {
        const run = runs.prodPreview;
        const owners = all(run, "azuread:index/applicationOwner:ApplicationOwner").map((o) => reveal(o.inputs).ownerObjectId);
        assert.equal(owners.length, 4, "two owners on each of two apps");
        assert.deepEqual([...new Set(owners)].sort(), ["4f1d3c52-8a0e-4b6f-9d2a-6c1e7b3a9f10", "9b2e6d14-3c7a-4e58-a1f0-2d8c5b7e6a31"]);
        const credentials = run.resources.filter((r) => /Password|Certificate:|FederatedIdentityCredential|ServicePrincipalToken/i.test(r.type) && r.type.startsWith("azuread"));
        assert.deepEqual(credentials.map((r) => r.type), []);
    });
});

describe("creation order Azure needs", () => {
    it("every resource in the resource group waits for the group, and names stay known at preview", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            const rg = one(run, "azure-native:resources:ResourceGroup");
            const rgName = reveal(rg.inputs).resourceGroupName;
            const inRg = run.resources.filter((r) => r.type.startsWith("azure-native:") && r !== rg && "resourceGroupName" in r.inputs);
            assert.ok(inRg.length >= 10);
            for (const r of inRg) {
                assert.equal(reveal(r.inputs).resourceGroupName, rgName, `${r.type} ${r.name}`);
                assert.ok((r.propertyDependencies.resourceGroupName ?? []).includes(rg.urn), `${r.type} ${r.name} must wait for the resource group`);
            }
        }
    });
});

describe("stack outputs and secrets", () => {
    it("export the built-in endpoint's FQDN, which restricted egress must list after the first up", async () => {
        const fqdn = reveal(runs.prodUp.outputs).iotHubBuiltInEndpointFqdn;
        assert.match(fqdn, /^iothub-ns-[a-z0-9-]+\.servicebus\.windows\.net$/);
        assert.equal(unknownPaths(runs.prodPreview.outputs.iotHubBuiltInEndpointFqdn).length, 1, "unknown until Azure creates the hub");
        const second = await runStack("prod", { config: { iotHubAllowedFqdns: [fqdn] } });
        assert.ok(reveal(one(second, HUB).inputs).properties.allowedFqdnList.includes(fqdn));
    });
    it("export what clients and operators need", () => {
        const o = reveal(runs.prodUp.outputs);
        assert.match(o.iotHubHostName, /^iot-fleet-prod-[0-9a-f]{6}\.azure-devices\.net$/);
        assert.match(o.dpsIdScope, /^0ne[0-9A-F]{8}$/);
        assert.equal(o.dpsGlobalEndpoint, "global.azure-devices-provisioning.net");
        assert.match(o.apiClientId, /^[0-9a-f-]{36}$/);
        assert.match(o.mobileClientId, /^[0-9a-f-]{36}$/);
        assert.deepEqual(o.apiScopes, [`api://${o.apiClientId}/Telemetry.Read`, `api://${o.apiClientId}/Devices.Manage`]);
        assert.match(o.cosmosEndpoint, /^https:\/\/cosmos-fleet-prod-[0-9a-f]{6}\.documents\.azure\.com:443\/$/);
        assert.equal(o.deviceCaCertificates.length, 1);
    });
    it("no shared key anywhere: no SAS policy, no key or connection string in any input or output", () => {
        const KEY_TEXT = /SharedAccessKey(Name)?=|AccountKey=|SharedAccessSignature /i;
        const KEY_FIELDS = new Set(["primaryKey", "secondaryKey", "connectionString", "primaryConnectionString", "secondaryConnectionString", "authorizationPolicies"]);
        const findings = (v: unknown, path: string, out: string[]): string[] => {
            if (typeof v === "string" && KEY_TEXT.test(v)) out.push(path);
            else if (Array.isArray(v)) v.forEach((x, i) => findings(x, `${path}[${i}]`, out));
            else if (v !== null && typeof v === "object") {
                for (const [k, x] of Object.entries(v)) {
                    // An explicit empty policy list is how the hub and DPS say "none"; anything else is a key.
                    if (KEY_FIELDS.has(k) && !(Array.isArray(x) && x.length === 0)) out.push(`${path}.${k}`);
                    findings(x, `${path}.${k}`, out);
                }
            }
            return out;
        };
        for (const run of [runs.devPreview, runs.prodPreview, runs.devUp, runs.prodUp]) {
            for (const r of run.resources) {
                const inputs = reveal(r.inputs);
                // A symmetric-key enrollment group carries its group keys, as secrets (test/enrollments-program.spec.ts).
                if (inputs.kind === "azure-iot-dps:EnrollmentGroup" && inputs.attestation?.type === "symmetricKey") delete inputs.attestation.symmetricKey;
                assert.deepEqual(findings(inputs, "", []), [], `${run.stack} ${r.type} ${r.name}`);
            }
            const { devCaPrivateKeys: _devCaKeys, enrollmentGroupKeys: _groupKeys, ...outputs } = reveal(run.outputs);
            assert.deepEqual(findings(outputs, "", []), [], `${run.stack} outputs`);
            assert.deepEqual(reveal(one(run, HUB).inputs).properties.authorizationPolicies, []);
            assert.deepEqual(reveal(one(run, DPS).inputs).properties.authorizationPolicies, []);
        }
    });
    it("the generated dev CA key leaves only as a secret", () => {
        const outputs = runs.devUp.outputs;
        assert.ok(isSecretWire(outputs.devCaPrivateKeys));
        assert.match(reveal(outputs.devCaPrivateKeys)["dev-root-1"], /BEGIN PRIVATE KEY/);
        assert.deepEqual(plainOccurrences(outputs, "PRIVATE KEY"), []);
        for (const r of runs.devUp.resources) assert.deepEqual(plainOccurrences(r.inputs, "PRIVATE KEY"), [], `${r.type} ${r.name}`);
    });
    it("tags every taggable Azure resource with environment, managedBy and project", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            for (const r of run.resources.filter((x) => x.type.startsWith("azure-native:") && "tags" in x.inputs)) {
                const tags = reveal(r.inputs).tags;
                assert.equal(tags.environment, run.stack, `${r.type} ${r.name}`);
                assert.equal(tags.managedBy, "pulumi");
                assert.equal(tags.project, "secure-iot-platform");
            }
            const tagged = run.resources.filter((x) => "tags" in x.inputs).length;
            assert.ok(tagged >= 7, `${tagged} tagged resources`);
        }
    });
});

describe("variants a stack can choose", () => {
    it("deploys into the bootstrap-created resource group instead of creating one", async () => {
        const run = await runStack("prod", { config: { createResourceGroup: false } });
        assert.deepEqual(all(run, "azure-native:resources:ResourceGroup"), []);
        const expected = reveal(one(runs.prodPreview, "azure-native:resources:ResourceGroup").inputs).resourceGroupName;
        assert.equal(reveal(one(run, HUB).inputs).resourceGroupName, expected);
        assert.equal(reveal(one(run, COSMOS).inputs).resourceGroupName, expected);
        assert.deepEqual(unknownPaths(one(run, HUB).inputs), []);
    });
    it("without DPS: no DPS, no link identity, and the hub still keeps no SAS policy", async () => {
        const run = await runStack("prod", { config: { dpsEnabled: false, enrollmentGroups: [] } });
        assert.deepEqual(all(run, IDENTITY).map((i) => i.name).sort(), ["api", "ingest"]);
        const p = reveal(one(run, HUB).inputs).properties;
        assert.deepEqual(p.authorizationPolicies, []);
        assert.equal(p.disableLocalAuth, true);
        assert.deepEqual(all(run, DPS), []);
        assert.equal(run.outputs.dpsIdScope, undefined);
    });
    it("TPM attestation keeps device SAS on (DPS hands TPM devices a symmetric key)", async () => {
        const run = await runStack("prod", { config: { deviceAttestation: ["x509", "tpm"] } });
        assert.equal(reveal(one(run, HUB).inputs).properties.disableDeviceSAS, false);
    });
    it("a CA rotation holds the current and the next CA on both DPS and the hub", async () => {
        const run = await runStack("dev", { config: { caGeneratedNames: ["dev-root-1", "dev-root-2"] } });
        assert.deepEqual(all(run, "azure-native:deviceprovisioningservices:DpsCertificate").map((c) => reveal(c.inputs).certificateName).sort(), ["dev-root-1", "dev-root-2"]);
        assert.deepEqual(all(run, "azure-native:iothub:Certificate").map((c) => reveal(c.inputs).certificateName).sort(), ["dev-root-1", "dev-root-2"]);
    });
});
