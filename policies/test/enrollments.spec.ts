/**
 * DPS-20..24, the enrollment-record rules: a compliant stack, one violation each, the shapes the
 * rules must still recognise (the typed DPS with a key link, a record whose values are unknown at
 * preview), and resources the rules must leave alone (other dynamic resources).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ENROLLMENT_GROUP, INDIVIDUAL_ENROLLMENT, DYNAMIC_RESOURCE } from "../lib/enrollments";
import { TOKENS } from "../lib/tokens";
import { dps20VerifiedCa } from "../rules/dps/dps-20-enrollment-group-verified-ca";
import { dps21NoSymmetricKeys } from "../rules/dps/dps-21-no-symmetric-key-enrollments";
import { dps22NoSecretsInTwin } from "../rules/dps/dps-22-no-secrets-in-initial-twin";
import { dps23LinkedHubsOnly } from "../rules/dps/dps-23-enrollment-allocates-to-linked-hubs";
import { dps24GroupLimit } from "../rules/dps/dps-24-enrollment-group-limit";
import { dpsArgs, dpsCertificateArgs, hubArgs } from "./fixtures";
import { UNKNOWN, type StackInput } from "./runPolicies";
import { assertCannotRun, assertPasses, assertViolation, checkStack, mutate } from "./util";

const DPS_NAME = "dps-fleet-prod-436743";
const HUB_NAME = "iot-fleet-prod-436743";
const HUB_HOST = `${HUB_NAME}.azure-devices.net`;
const CA = "contoso-iot-device-root-ca-2026-e2ce08b1";

/** The platform's DPS: the generic ARM resource linking the hub by identity (components/provisioningService.ts). */
function genericDps(hubHost = HUB_HOST): StackInput {
    return {
        type: "azure-native:resources:Resource",
        name: "dps",
        props: {
            resourceProviderNamespace: "Microsoft.Devices",
            resourceType: "provisioningServices",
            parentResourcePath: "",
            resourceName: DPS_NAME,
            apiVersion: "2026-08-01",
            resourceGroupName: "rg-fleet-prod",
            properties: { iotHubs: [{ hostName: hubHost, location: "westeurope", authenticationType: "UserAssigned", selectedUserAssignedIdentityResourceId: "/subscriptions/x/id" }] },
        },
        propertyDependencies: { properties: ["hub"] },
    };
}

const hub: StackInput = { type: TOKENS.iotHub[0], name: "hub", props: mutate(hubArgs("prod"), (h) => (h.resourceName = HUB_NAME)) };

function cert(name = CA, verified = true, dps = "dps"): StackInput {
    return {
        type: TOKENS.dpsCertificate[0],
        name: `ca-${name}`,
        props: mutate(dpsCertificateArgs("prod"), (c) => {
            c.certificateName = name;
            c.provisioningServiceName = DPS_NAME;
            c.properties!.isVerified = verified;
        }),
        propertyDependencies: { provisioningServiceName: [dps] },
    };
}

/** An enrollment group as components/enrollments/resources.ts registers it. */
function group(id: string, over: Record<string, unknown> = {}, deps: Record<string, string[]> = {}): StackInput {
    return {
        type: DYNAMIC_RESOURCE,
        name: `group-${id}`,
        props: {
            __provider: "exports.handler = __f0; ...",
            kind: ENROLLMENT_GROUP,
            apiVersion: "2026-11-01",
            provisioningServiceName: DPS_NAME,
            serviceHostName: `${DPS_NAME}.azure-devices-provisioning.net`,
            enrollmentGroupId: id,
            attestation: { type: "x509", x509: { caReferences: { primary: CA } } },
            iotHubs: [HUB_HOST],
            provisioningStatus: "enabled",
            reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: true },
            capabilities: { iotEdge: false },
            initialTwin: { tags: { fleet: "production" }, properties: { desired: { telemetryIntervalSeconds: 300 } } },
            ...over,
        },
        propertyDependencies: { provisioningServiceName: ["dps"], serviceHostName: ["dps"], attestation: [`ca-${CA}`], iotHubs: ["hub"], ...deps },
    };
}

const stack = (...extra: StackInput[]): StackInput[] => [hub, genericDps(), cert(), ...extra];
const symmetric = { attestation: { type: "symmetricKey", symmetricKey: { primaryKey: "a2V5", secondaryKey: "a2V5" } } };

describe("DPS-20 CA-backed enrollment groups trust a verified CA of the same DPS", () => {
    it("passes a group referencing the verified DpsCertificate on its DPS", () => assertPasses(checkStack(dps20VerifiedCa, stack(group("fleet-x509")))));
    it("passes a rotation: both CAs registered and verified", () =>
        assertPasses(checkStack(dps20VerifiedCa, [...stack(cert("next-ca")), group("fleet-x509", { attestation: { type: "x509", x509: { caReferences: { primary: CA, secondary: "next-ca" } } } })])));
    it("fails a CA no DpsCertificate registers", () =>
        assertViolation(checkStack(dps20VerifiedCa, stack(group("fleet-x509", { attestation: { type: "x509", x509: { caReferences: { primary: "missing-ca" } } } }))), dps20VerifiedCa, /enrollment group 'fleet-x509' trusts CA 'missing-ca', which no DpsCertificate in this program registers on DPS 'dps-fleet-prod-436743'/));
    it("fails an unverified CA", () =>
        assertViolation(checkStack(dps20VerifiedCa, [hub, genericDps(), cert(CA, false), group("fleet-x509")]), dps20VerifiedCa, /whose DpsCertificate 'ca-contoso.*' is not verified \(properties\.isVerified false\)/));
    it("fails a CA registered on another DPS", () => {
        const other: StackInput = { ...genericDps(), name: "dps-other", props: { ...(genericDps().props as object), resourceName: "dps-other" } };
        const foreign = mutate(cert(CA, true, "dps-other"), (c) => ((c.props as { provisioningServiceName: string }).provisioningServiceName = "dps-other"));
        assertViolation(checkStack(dps20VerifiedCa, [hub, genericDps(), other, foreign, group("fleet-x509")]), dps20VerifiedCa, /the DpsCertificate of that name is registered on another DPS/);
    });
    it("fails a group that uploads its own signing certificate", () =>
        assertViolation(checkStack(dps20VerifiedCa, stack(group("fleet-x509", { attestation: { type: "x509", x509: { caReferences: { primary: CA }, signingCertificates: { primary: { certificate: "MII..." } } } } }))), dps20VerifiedCa, /uploads x509\.signingCertificates instead of referencing a verified CA/));
    it("leaves symmetric-key groups and other dynamic resources alone", () =>
        assertPasses(checkStack(dps20VerifiedCa, stack(group("keys", symmetric), { type: DYNAMIC_RESOURCE, name: "other", props: { kind: "something-else", attestation: { type: "x509" } } }))));
    it("waits for an attestation unknown at preview", () => assertCannotRun(checkStack(dps20VerifiedCa, stack(group("fleet-x509", { attestation: UNKNOWN }))), /attestation/));
});

describe("DPS-21 no symmetric-key enrollments", () => {
    it("passes X.509 groups and TPM individual enrollments", () =>
        assertPasses(checkStack(dps21NoSymmetricKeys, stack(group("fleet-x509"), { ...group("tpm-1"), props: { ...(group("tpm-1").props as object), kind: INDIVIDUAL_ENROLLMENT, registrationId: "tpm-1", attestation: { type: "tpm", tpm: { endorsementKey: "AToAAQ==" } } } }))));
    it("fails a symmetric-key group", () =>
        assertViolation(checkStack(dps21NoSymmetricKeys, stack(group("dev-symmetric-test", symmetric))), dps21NoSymmetricKeys, /enrollment group 'dev-symmetric-test' attests devices with a symmetric key; use X\.509 through a verified CA, or TPM/));
    it("the attestation type is read case-insensitively", () =>
        assertViolation(checkStack(dps21NoSymmetricKeys, stack(group("k", { attestation: { type: "SymmetricKey" } }))), dps21NoSymmetricKeys, /symmetric key/));
});

describe("DPS-22 no secrets in the initial twin", () => {
    it("passes ordinary tags and desired properties", () =>
        assertPasses(checkStack(dps22NoSecretsInTwin, stack(group("fleet-x509", { initialTwin: { tags: { keyboardLayout: "de", site: "plant-1" }, properties: { desired: { firmwareSha256: "ab".repeat(32), telemetry: { intervalSeconds: 60 } } } } })))));
    it("fails a secret by its name, nested", () =>
        assertViolation(checkStack(dps22NoSecretsInTwin, stack(group("fleet-x509", { initialTwin: { properties: { desired: { wifi: { wifiPassword: "hunter2" } } } } }))), dps22NoSecretsInTwin, /enrollment group 'fleet-x509': initialTwin\.properties\.desired\.wifi\.wifiPassword looks like a secret \(its name "wifiPassword" says password\)/));
    it("fails a connection string by its value", () =>
        assertViolation(checkStack(dps22NoSecretsInTwin, stack(group("fleet-x509", { initialTwin: { tags: { backend: "HostName=h.azure-devices.net;SharedAccessKeyName=s;SharedAccessKey=abc=" } } }))), dps22NoSecretsInTwin, /initialTwin\.tags\.backend looks like a secret \(it holds a connection string or SAS token\)/));
    it("fails a private key in a list", () =>
        assertViolation(checkStack(dps22NoSecretsInTwin, stack(group("fleet-x509", { initialTwin: { tags: { blobs: ["-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"] } } }))), dps22NoSecretsInTwin, /initialTwin\.tags\.blobs\[0\] looks like a secret \(it holds a private key\)/));
    it("waits for a twin value unknown at preview", () => assertCannotRun(checkStack(dps22NoSecretsInTwin, stack(group("fleet-x509", { initialTwin: { tags: { site: UNKNOWN } } }))), /site/));
});

describe("DPS-23 allocation only to linked hubs", () => {
    it("passes the linked hub", () => assertPasses(checkStack(dps23LinkedHubsOnly, stack(group("fleet-x509")))));
    it("passes a record that leaves iotHubs out (every linked hub)", () => assertPasses(checkStack(dps23LinkedHubsOnly, stack(group("fleet-x509", { iotHubs: undefined })))));
    it("fails a hub the DPS does not link", () =>
        assertViolation(checkStack(dps23LinkedHubsOnly, stack(group("fleet-x509", { iotHubs: ["iot-other.azure-devices.net"] }))), dps23LinkedHubsOnly, /enrollment group 'fleet-x509' allocates to hub iot-other\.azure-devices\.net, which DPS 'dps-fleet-prod-436743' does not link \(it links iot-fleet-prod-436743\.azure-devices\.net\)/));
    it("fails a record whose DPS the program does not declare", () =>
        assertViolation(checkStack(dps23LinkedHubsOnly, [hub, group("fleet-x509", { provisioningServiceName: "dps-elsewhere" }, { provisioningServiceName: [], serviceHostName: [] })]), dps23LinkedHubsOnly, /belongs to DPS 'dps-elsewhere', which this program does not declare/));
    it("reads a key link's HostName on the typed DPS (v2 alias too)", () => {
        const typed: StackInput = {
            type: TOKENS.dps[1],
            name: "dps",
            props: mutate(dpsArgs("prod"), (d) => {
                d.provisioningServiceName = DPS_NAME;
                d.properties.iotHubs = [{ connectionString: `HostName=${HUB_HOST};SharedAccessKeyName=dps-link;SharedAccessKey=x`, location: "westeurope" }];
            }),
        };
        assertPasses(checkStack(dps23LinkedHubsOnly, [hub, typed, group("fleet-x509")]));
        assertViolation(checkStack(dps23LinkedHubsOnly, [hub, typed, group("fleet-x509", { iotHubs: ["iot-other.azure-devices.net"] })]), dps23LinkedHubsOnly, /does not link/);
    });
    it("decides through the hub both depend on when the DPS link's host is unknown at preview", () =>
        assertPasses(checkStack(dps23LinkedHubsOnly, [hub, genericDps(UNKNOWN), cert(), group("fleet-x509")])));
});

describe("DPS-24 at most 100 enrollment groups of a kind per DPS", () => {
    const many = (n: number, over: Record<string, unknown> = {}) => Array.from({ length: n }, (_, i) => group(`g-${i}`, over));
    it("passes 100 X.509 and 100 symmetric-key groups (separate limits)", () => assertPasses(checkStack(dps24GroupLimit, stack(...many(100), ...many(100, symmetric).map((g, i) => ({ ...g, name: `sym-${i}` }))))));
    it("fails the 101st X.509 group, pointing at it", () => {
        const r = checkStack(dps24GroupLimit, stack(...many(101)));
        assertViolation(r, dps24GroupLimit, /DPS 'dps-fleet-prod-436743' would hold 101 X\.509 enrollment groups; it holds at most 100/);
        assert.match(r.violations[0].urn ?? "", /group-g-100$/);
    });
    it("fails over a configured lower limit", () =>
        assertViolation(checkStack(dps24GroupLimit, stack(...many(3, symmetric)), { maxSymmetricKeyGroups: 2 }), dps24GroupLimit, /3 symmetric-key enrollment groups; it holds at most 2/));
    it("counts per DPS", () => {
        const other = many(60).map((g) => ({ ...g, name: `${g.name}-b`, props: { ...(g.props as object), provisioningServiceName: "dps-b" }, propertyDependencies: {} }));
        assertPasses(checkStack(dps24GroupLimit, stack(...many(60), ...other)));
    });
});
