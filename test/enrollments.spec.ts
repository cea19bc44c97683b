/**
 * Enrollment records as code, through the real program under mocks and the real configuration edge:
 * what each stack registers (records, their links to DPS, hub and CAs, the deployer's data role,
 * secrets), what the offline plan prints, and every configuration a stack may not deploy, each
 * rejected before anything is registered with the key, the element and the fix.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { parseConfig } from "../config/schema";
import { renderPlan } from "../tools/plan";
import { compareRuns, renderChanges } from "../tools/offline/compare";
import { runStack } from "../tools/offline/runStack";
import { readStackConfig } from "../tools/offline/stackConfig";
import type { CapturedResource, StackRun } from "../tools/offline/types";
import { CONTOSO_CA_2024, all, isSecretWire, one, plainOccurrences, reveal, stackRun, unknownPaths } from "./support";
import { secretLikeName, secretLikeValue } from "../policies/lib/secretLike";
import { ruleFamilies } from "../policies/policies";
import { runPack, type StackInput } from "../policies/test/runPolicies";
import { problems, raw, rejects } from "./configCases";

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const CERT = "azure-native:deviceprovisioningservices:DpsCertificate";
const DPS = "azure-native:resources:Resource";
const ROLE = "azure-native:authorization:RoleAssignment";
const PROD_CA = "contoso-iot-device-root-ca-2026-e2ce08b1";
const TPM_EK = Buffer.concat([Buffer.from("0001000b000300b20020", "hex"), Buffer.alloc(300, 5)]).toString("base64");

const runs: Record<string, StackRun> = {};
before(async () => {
    runs.devPreview = await stackRun("dev");
    runs.prodPreview = await stackRun("prod");
    runs.devUp = await stackRun("dev", false);
});

const groups = (run: StackRun) => all(run, DYNAMIC).filter((r) => reveal(r.inputs).kind === "azure-iot-dps:EnrollmentGroup");
const byUrn = (run: StackRun, urns: string[] | undefined) => (urns ?? []).map((u) => run.resources.find((r) => r.urn === u)).filter((r): r is CapturedResource => r !== undefined);


const x509Group = (caNames: string[], extra: Record<string, unknown> = {}) => ({ id: "fleet-x509", attestation: { type: "x509", caNames }, ...extra });

describe("enrollment groups in the program", () => {
    it("dev: the generated CA's X.509 group and a symmetric-key test group; prod: the supplied CA's group", () => {
        assert.deepEqual(groups(runs.devPreview).map((g) => [reveal(g.inputs).enrollmentGroupId, reveal(g.inputs).attestation.type]).sort(), [["dev-symmetric-test", "symmetricKey"], ["dev-x509-devices", "x509"]]);
        const prod = groups(runs.prodPreview);
        assert.deepEqual(prod.map((g) => reveal(g.inputs).enrollmentGroupId), ["fleet-x509"]);
        assert.deepEqual(reveal(prod[0].inputs).attestation, { type: "x509", x509: { caReferences: { primary: PROD_CA } } });
        assert.deepEqual(all(runs.prodPreview, "random:index/randomBytes:RandomBytes"), [], "no symmetric keys in prod");
    });

    it("are dynamic resources the policy pack recognises by kind, with IoT Edge off and DPS's re-provisioning defaults", () => {
        for (const g of [...groups(runs.devPreview), ...groups(runs.prodPreview)]) {
            const i = reveal(g.inputs);
            assert.equal(g.type, DYNAMIC);
            assert.equal(i.apiVersion, "2026-11-01");
            assert.deepEqual(i.capabilities, { iotEdge: false });
            assert.equal(i.provisioningStatus, "enabled");
            assert.equal(typeof i.__provider, "string", "the serialized provider travels with the resource");
            assert.ok(g.additionalSecretOutputs.includes("primaryKey") && g.additionalSecretOutputs.includes("secondaryKey"));
        }
        assert.deepEqual(reveal(groups(runs.prodPreview)[0].inputs).reprovisionPolicy, { updateHubAssignment: true, migrateDeviceData: true });
    });

    it("link to their DPS, the hub and the CA certificates they trust, and wait for the deployer's data role", () => {
        for (const run of [runs.devPreview, runs.prodPreview]) {
            const dps = one(run, DPS);
            const hub = one(run, "azure-native:iothub:IotHubResource");
            const role = one(run, ROLE, "deployer-DpsDataContributor");
            for (const g of groups(run)) {
                const i = reveal(g.inputs);
                assert.equal(i.provisioningServiceName, reveal(dps.inputs).resourceName);
                assert.equal(i.serviceHostName, `${reveal(dps.inputs).resourceName}.azure-devices-provisioning.net`);
                assert.deepEqual(byUrn(run, g.propertyDependencies.provisioningServiceName), [dps]);
                assert.deepEqual(i.iotHubs, [`${reveal(hub.inputs).resourceName}.azure-devices.net`]);
                assert.deepEqual(byUrn(run, g.propertyDependencies.iotHubs), [hub]);
                assert.ok(g.dependencies.includes(role.urn) && g.dependencies.includes(dps.urn));
                if (i.attestation.type === "x509") {
                    const certs = byUrn(run, g.propertyDependencies.attestation);
                    assert.deepEqual(certs.map((c) => [c.type, reveal(c.inputs).certificateName, reveal(c.inputs).properties.isVerified]), [[CERT, i.attestation.x509.caReferences.primary, true]]);
                }
            }
        }
    });

    it("the deploying identity gets Device Provisioning Service Data Contributor on this DPS only", () => {
        const role = reveal(one(runs.devUp, ROLE, "deployer-DpsDataContributor").inputs);
        assert.equal(role.roleDefinitionId.split("/").pop(), "dfce44e4-17b7-4bd1-a6d1-04996ec95633");
        assert.match(role.scope, /\/providers\/Microsoft\.Devices\/provisioningServices\/dps-fleet-dev-[0-9a-f]{6}$/);
        assert.match(role.principalId, /^[0-9a-f-]{36}$/);
    });

    it("every input is known at preview, except the generated keys", () => {
        for (const g of [...groups(runs.devPreview), ...groups(runs.prodPreview)]) {
            const { __provider: _p, ...inputs } = g.inputs;
            const unknown = unknownPaths(inputs);
            if (reveal(inputs).attestation.type === "symmetricKey") assert.deepEqual(unknown, ["attestation.symmetricKey.primaryKey", "attestation.symmetricKey.secondaryKey"]);
            else assert.deepEqual(unknown, [], g.name);
        }
    });

    it("symmetric keys are secret inputs, secret outputs and a secret stack output, plain nowhere", () => {
        const g = one(runs.devUp, DYNAMIC, "group-dev-symmetric-test");
        const sk = (g.inputs.attestation as { symmetricKey: Record<string, unknown> }).symmetricKey;
        assert.ok(isSecretWire(sk.primaryKey) && isSecretWire(sk.secondaryKey));
        const keys = reveal(runs.devUp.outputs).enrollmentGroupKeys["dev-symmetric-test"];
        assert.equal(Buffer.from(keys.primaryKey, "base64").length, 64, "64 bytes, the DPS maximum");
        assert.ok(isSecretWire(runs.devUp.outputs.enrollmentGroupKeys));
        for (const key of [keys.primaryKey, keys.secondaryKey]) {
            assert.deepEqual(plainOccurrences(runs.devUp.outputs, key), []);
            for (const r of runs.devUp.resources) assert.deepEqual(plainOccurrences(r.inputs, key), [], `${r.type} ${r.name}`);
        }
    });

    it("the stack output lists every record with its attestation and CAs", () => {
        assert.deepEqual(reveal(runs.prodPreview.outputs).enrollmentGroups, [
            { id: "fleet-x509", attestation: "x509", caNames: [PROD_CA], iotHubs: ["iot-fleet-prod-436743.azure-devices.net"], provisioningStatus: "enabled" },
        ]);
    });

    it("the offline plan prints every group with its attestation and the CA it trusts", () => {
        const dev = renderPlan(runs.devPreview);
        assert.match(dev, /\+ pulumi-nodejs:dynamic:Resource {2}group-dev-x509-devices\n\s+kind: DPS enrollment group \(azure-iot-dps:EnrollmentGroup, DPS service API 2026-11-01\)\n\s+id: dev-x509-devices on dps-fleet-dev-[0-9a-f]{6}\n\s+attestation: x509 through CA dev-root-1 \(DpsCertificate ca-dev-root-1, verified\)/);
        assert.match(dev, /group-dev-symmetric-test\n(.*\n){2}\s+attestation: symmetricKey, keys \[secret\] \(secret outputs primaryKey, secondaryKey\)/);
        const prod = renderPlan(runs.prodPreview);
        assert.match(prod, new RegExp(`attestation: x509 through CA ${PROD_CA} \\(DpsCertificate ca-${PROD_CA}, verified\\)`));
        assert.match(prod, /iotHubs: iot-fleet-prod-436743\.azure-devices\.net\n\s+provisioningStatus: enabled\n\s+reprovision: updateHubAssignment true, migrateDeviceData true\n\s+iotEdge: false\n\s+initialTwin: tags \{"environment":"prod","fleet":"production"\}; desired \{"telemetryIntervalSeconds":300\}/);
    });

    /** dev during a rotation: a second generated CA, trusted second by the X.509 group; the test group unchanged. */
    const devGroups = () => JSON.parse(readStackConfig("dev").values["secure-iot-platform:enrollmentGroups"]) as { id: string; attestation: { caNames?: string[] } }[];
    const rotating = (caNames: string[]) => ({ caGeneratedNames: ["dev-root-1", "dev-root-2"], enrollmentGroups: devGroups().map((g) => (g.id === "dev-x509-devices" ? { ...g, attestation: { type: "x509", caNames } } : g)) });
    const variants: Record<string, StackRun> = {};
    before(async () => {
        variants.rotation = await runStack("dev", { config: rotating(["dev-root-1", "dev-root-2"]) });
        // prod with TPM devices, and its group adopted from DPS instead of created.
        variants.prodTpmImport = await runStack("prod", {
            config: {
                deviceAttestation: ["x509", "tpm"],
                enrollmentGroups: [{ ...(JSON.parse(readStackConfig("prod").values["secure-iot-platform:enrollmentGroups"]) as object[])[0], import: true }],
                individualEnrollments: [{ registrationId: "tpm-0042", deviceId: "sensor-0042", attestation: { type: "tpm", endorsementKey: TPM_EK } }],
            },
        });
    });

    it("a CA rotation is a change of the group: both CAs trusted, then the new one only", () => {
        const both = variants.rotation;
        const g = one(both, DYNAMIC, "group-dev-x509-devices");
        assert.deepEqual(reveal(g.inputs).attestation.x509.caReferences, { primary: "dev-root-1", secondary: "dev-root-2" });
        assert.deepEqual(byUrn(both, g.propertyDependencies.attestation).map((c) => reveal(c.inputs).certificateName).sort(), ["dev-root-1", "dev-root-2"]);
        assert.match(renderPlan(both), /attestation: x509 through CA dev-root-1 \(DpsCertificate ca-dev-root-1, verified\) and dev-root-2 \(DpsCertificate ca-dev-root-2, verified\) \(rotation: both trusted\)/);
        assert.deepEqual(parseConfig(raw("dev", rotating(["dev-root-2"]))).enrollments.groups[0].attestation, { type: "x509", caNames: ["dev-root-2"] });
    });

    it("the offline comparison shows a rotation as new CA registrations and an in-place update of the group", () => {
        const changes = compareRuns(runs.devPreview, variants.rotation);
        assert.deepEqual(changes.map((c) => `${c.op} ${c.resource.type} ${c.resource.name} ${c.properties.join(",")}`).sort(), [
            "create azure-native:deviceprovisioningservices:DpsCertificate ca-dev-root-2 ",
            "create azure-native:iothub:Certificate ca-dev-root-2 ",
            "create tls:index/privateKey:PrivateKey dev-root-2-key ",
            "create tls:index/selfSignedCert:SelfSignedCert dev-root-2-cert ",
            "update pulumi-nodejs:dynamic:Resource group-dev-x509-devices attestation",
        ]);
        const lookup = (run: StackRun) => (urn: string) => run.resources.find((r) => r.urn === urn);
        assert.match(renderChanges(changes, lookup(runs.devPreview), lookup(variants.rotation), "before.yaml"), /~ pulumi-nodejs:dynamic:Resource {2}group-dev-x509-devices {2}update: attestation\n {10}attestation: x509 through CA dev-root-1 \(DpsCertificate ca-dev-root-1, verified\)\n {7}-> attestation: x509 through CA dev-root-1 .* and dev-root-2 .*\(rotation: both trusted\)/);
        // Another attestation kind under the same id is a new group (the provider's diff decides).
        const after: StackRun = structuredClone(runs.devPreview);
        const g = after.resources.find((r) => r.name === "group-dev-x509-devices");
        assert.ok(g);
        g.inputs.attestation = { type: "symmetricKey", symmetricKey: { primaryKey: "a2V5a2V5a2V5a2V5a2V5aw==", secondaryKey: "a2V5a2V5a2V5a2V5a2V5aw==" } };
        assert.deepEqual(compareRuns(runs.devPreview, after).map((c) => `${c.op} ${c.resource.name} ${c.properties.join(",")}`), ["replace group-dev-x509-devices attestation"]);
    });

    it("import: true adopts an existing group through the import resource option", () => {
        const g = one(variants.prodTpmImport, DYNAMIC, "group-fleet-x509");
        assert.match(g.importId ?? "", /^dps-fleet-prod-[0-9a-f]{6}\.azure-devices-provisioning\.net\/enrollmentGroups\/fleet-x509$/);
        assert.equal(one(runs.prodPreview, DYNAMIC, "group-fleet-x509").importId, undefined);
        assert.match(renderPlan(variants.prodTpmImport), /import: adopts the existing record dps-fleet-prod-[0-9a-f]{6}\.azure-devices-provisioning\.net\/enrollmentGroups\/fleet-x509/);
    });

    it("TPM devices get individual enrollments where the stack allows TPM", () => {
        const run = variants.prodTpmImport;
        const e = all(run, DYNAMIC).filter((r) => reveal(r.inputs).kind === "azure-iot-dps:IndividualEnrollment");
        assert.equal(e.length, 1);
        assert.deepEqual(reveal(e[0].inputs).attestation, { type: "tpm", tpm: { endorsementKey: TPM_EK } });
        assert.equal(reveal(e[0].inputs).deviceId, "sensor-0042");
        assert.match(renderPlan(run), /kind: DPS individual enrollment .*\n\s+id: tpm-0042 on dps-fleet-prod-[0-9a-f]{6}, device id sensor-0042\n\s+attestation: tpm, endorsement key sha256 [0-9a-f]{16}/);
    });
});

describe("enrollment configuration that cannot be deployed", () => {
    it("a group that names a CA the stack does not register", () => {
        rejects("dev", { enrollmentGroups: [x509Group(["dev-root-2"])] }, "enrollmentGroups", /\[0\] 'fleet-x509': attestation\.caNames\[0\] "dev-root-2" is not a CA this stack registers on DPS \(it registers: dev-root-1\); register it first through caGeneratedNames/);
        rejects("prod", { enrollmentGroups: [x509Group(["Contoso IoT Device Root CA 2026"])] }, "enrollmentGroups", new RegExp(`it registers: ${PROD_CA}\\); register it first through caCertificatePems \\(the derived names the plan prints under DpsCertificate\\)`));
        rejects("dev", { enrollmentGroups: [x509Group([])] }, "enrollmentGroups", /caNames must list one CA, or two during a rotation/);
        rejects("dev", { enrollmentGroups: [x509Group(["dev-root-1", "dev-root-1"])] }, "enrollmentGroups", /lists a CA twice/);
    });

    it("accepts the next CA once the stack registers it (a rotation)", () => {
        const pems = [...(JSON.parse(readStackConfig("prod").values["secure-iot-platform:caCertificatePems"]) as string[]), CONTOSO_CA_2024];
        const c = parseConfig(raw("prod", { caCertificatePems: pems }));
        const names = c.ca.source === "pem" ? c.ca.certificates.map((x) => x.name) : [];
        assert.equal(names.length, 2);
        const rotated = parseConfig(raw("prod", { caCertificatePems: pems, enrollmentGroups: [x509Group(names)] }));
        assert.deepEqual(rotated.enrollments.groups[0].attestation, { type: "x509", caNames: names });
    });

    it("an attestation the stack's devices may not use", () => {
        rejects("prod", { enrollmentGroups: [{ id: "test-keys", attestation: { type: "symmetricKey" } }] }, "enrollmentGroups", /\[0\] 'test-keys': uses symmetricKey attestation, which this stack's devices may not use \(deviceAttestation: x509\); add symmetricKey to deviceAttestation/);
        rejects("dev", { individualEnrollments: [{ registrationId: "tpm-1", attestation: { type: "tpm", endorsementKey: TPM_EK } }] }, "individualEnrollments", /\[0\] 'tpm-1': uses tpm attestation, which this stack's devices may not use/);
        rejects("prod", { deviceAttestation: ["x509", "tpm"], enrollmentGroups: [{ id: "tpm-group", attestation: { type: "tpm" } }] }, "enrollmentGroups", /enrollment groups cannot use TPM attestation; list each TPM device under individualEnrollments/);
        rejects("prod", { deviceAttestation: ["x509", "tpm"], individualEnrollments: [{ registrationId: "tpm-1", attestation: { type: "tpm", endorsementKey: "short" } }] }, "individualEnrollments", /endorsementKey must be the TPM's endorsement key/);
    });

    it("a hub this stack's DPS does not link", () => {
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { iotHubs: ["iot-other-hub.azure-devices.net"] })] }, "enrollmentGroups", /iotHubs\[0\] "iot-other-hub\.azure-devices\.net" is not a hub this stack's DPS links \(it links iot-fleet-prod-436743\.azure-devices\.net\)/);
        rejects("prod", { dpsEnabled: false }, "enrollmentGroups", /lists enrollments while dpsEnabled is false/);
    });

    it("secrets in the initial twin, by name or by value", () => {
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { initialTwin: { desired: { wifi: { wifiPassword: "hunter2" } } } })] }, "enrollmentGroups", /initialTwin\.desired\.wifi\.wifiPassword looks like a secret \(its name "wifiPassword" says password\); the initial twin is stored in DPS and in the Pulumi state in plain text/);
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { initialTwin: { tags: { backend: "HostName=x.azure-devices.net;SharedAccessKeyName=a;SharedAccessKey=abc=" } } })] }, "enrollmentGroups", /initialTwin\.tags\.backend looks like a secret \(it holds a connection string or SAS token\)/);
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { initialTwin: { tags: { apiKey: "x" } } })] }, "enrollmentGroups", /tags\.apiKey looks like a secret \(its name "apiKey" says api key\)/);
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { initialTwin: { desired: { blob: Buffer.alloc(32, 200).toString("base64").replace(/=/g, "A") + "Aa1=" } } })] }, "enrollmentGroups", /looks like base64 key material/);
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { initialTwin: { desired: { version: 2 } } })] }, "enrollmentGroups", /"version" is used by DPS itself/);
        // Ordinary settings pass: a keyboard layout, a firmware hash.
        assert.doesNotThrow(() => parseConfig(raw("prod", { enrollmentGroups: [x509Group([PROD_CA], { initialTwin: { desired: { keyboardLayout: "de", firmwareSha256: "a".repeat(64) } } })] })));
    });

    it("IoT Edge, unknown settings, bad ids, duplicates and DPS's group limit", () => {
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { iotEdge: true })] }, "enrollmentGroups", /iotEdge must be false/);
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { iothubs: [] })] }, "enrollmentGroups", /"iothubs" is not a setting of an enrollment \(the settings are id, attestation, iotHubs/);
        rejects("prod", { enrollmentGroups: [{ ...x509Group([PROD_CA]), id: "-bad" }] }, "enrollmentGroups", /id must be 1-128 letters/);
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA]), { ...x509Group([PROD_CA]), id: "FLEET-X509" }] }, "enrollmentGroups", /\[1\] 'FLEET-X509': id is used by \[0\] too/);
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { reprovision: { updateHubAssignment: "yes" } })] }, "enrollmentGroups", /reprovision must be \{ updateHubAssignment/);
        rejects("prod", { enrollmentGroups: [x509Group([PROD_CA], { provisioningStatus: "paused" })] }, "enrollmentGroups", /provisioningStatus must be enabled or disabled/);
        const many = Array.from({ length: 101 }, (_, i) => x509Group([PROD_CA], { id: `group-${i}` }));
        rejects("prod", { enrollmentGroups: many }, "enrollmentGroups", /lists 101 x509 groups; a DPS holds at most 100/);
        rejects("prod", { enrollmentGroups: { id: "not-a-list" } }, "enrollmentGroups", /must be a list of enrollments/);
        rejects("dev", { enrollmentGroups: [{ id: "keys", attestation: { type: "symmetricKey" }, import: true }] }, "enrollmentGroups", /import cannot adopt a symmetric-key group: Pulumi generates the group's keys/);
    });

    it("reports every enrollment problem at once, with the rest of the configuration's", () => {
        const found = problems("prod", { enrollmentGroups: [x509Group(["nope"], { iotEdge: true }), { id: "keys", attestation: { type: "symmetricKey" } }], alertEmailReceivers: [] });
        assert.equal(found.filter((p) => p.startsWith("enrollmentGroups: ")).length, 3, found.join("\n"));
        assert.ok(found.some((p) => p.startsWith("alertEmailReceivers: ")));
    });
});

describe("the enrollment policy rules over the real program", () => {
    const config = (env: string) => JSON.parse(readFileSync(path.join(__dirname, "..", "policies", "config", `${env}.json`), "utf8")) as Record<string, unknown>;
    /** A captured run as the pack sees it: props with secrets opened, unknowns kept, links by URN. */
    const asStack = (run: StackRun): StackInput[] =>
        run.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: reveal(r.inputs), propertyDependencies: r.propertyDependencies, dependencies: r.dependencies }));
    const brief = (run: StackRun, env: string) => runPack(ruleFamilies.enrollments!, asStack(run), config(env)).map((f) => `${f.level}/${f.kind} ${f.policy}: ${f.message}`);

    it("prod's group passes every rule at preview; dev only hears the advice against its symmetric-key test group", () => {
        assert.deepEqual(brief(runs.prodPreview, "prod"), []);
        assert.deepEqual(brief(runs.devPreview, "dev"), ["advisory/violation dps-21-no-symmetric-key-enrollments: DPS-21: enrollment group 'dev-symmetric-test' attests devices with a symmetric key; use X.509 through a verified CA, or TPM."]);
        assert.deepEqual(brief(runs.devUp, "dev").length, 1);
    });

    it("dev's program fails prod's policy on the symmetric-key group", () => {
        assert.deepEqual(brief(runs.devPreview, "prod"), ["mandatory/violation dps-21-no-symmetric-key-enrollments: DPS-21: enrollment group 'dev-symmetric-test' attests devices with a symmetric key; use X.509 through a verified CA, or TPM."]);
    });

    it("a program whose group trusts a CA the DPS does not register fails DPS-20", () => {
        const stack = asStack(runs.prodPreview).filter((r) => r.type !== "azure-native:deviceprovisioningservices:DpsCertificate");
        assert.deepEqual(runPack(ruleFamilies.enrollments!, stack, config("prod")).map((f) => f.policy), ["dps-20-enrollment-group-verified-ca"]);
    });

    it("one definition of what looks like a secret serves the configuration edge and the pack", () => {
        for (const n of ["wifiPassword", "apiKey", "api_key", "sasToken", "connectionString", "primaryKey", "key"]) assert.ok(secretLikeName(n), n);
        for (const n of ["keyboardLayout", "site", "monkey", "tokenizerMode"]) assert.equal(secretLikeName(n), undefined, n);
        for (const v of ["HostName=h;SharedAccessKey=abc=", "-----BEGIN RSA PRIVATE KEY-----", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "q0tX2bM9uC7wLz4YfR1kP8sJ3nD6vA5eH0gT9iU2oWc="]) assert.ok(secretLikeValue(v), v);
        for (const v of ["a".repeat(64), "plant-1"]) assert.equal(secretLikeValue(v), undefined, v);
        // The edge rejects what the pack would flag: a secret-looking twin property never reaches a plan.
        assert.ok(problems("dev", { enrollmentGroups: [x509Group(["dev-root-1"], { initialTwin: { desired: { wifiPassword: "x" } } })] }).some((p) => /wifiPassword/.test(p)));
    });
});
