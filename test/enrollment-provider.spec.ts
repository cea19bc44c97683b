/**
 * The enrollment provider (components/enrollments/provider.ts) against a fake of the DPS service
 * API on loopback HTTPS (test/fixtures/fakeDps.ts, written from the data-plane spec): create, read,
 * update with etags, delete, drift, import, retries, errors, secrets, Entra ID tokens, and the
 * provider serialized and evaluated the way Pulumi's dynamic-provider host does it. Backoff runs on
 * a fake clock, so nothing here waits.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
    backoffDelay,
    checkInputs,
    createEnrollmentProvider,
    diffEnrollment,
    httpsTransport,
    parseRetryAfter,
    type EnrollmentInputs,
    type EnrollmentProviderOptions,
} from "../components/enrollments/provider";
import { DPS_AUDIENCE, FakeDps } from "./fixtures/fakeDps";

const CA = "contoso-iot-device-root-ca-2026-e2ce08b1";
const NEXT_CA = "contoso-iot-device-root-ca-2027-4b1c9d20";
const HUB = "iot-fleet-test-0a1b2c.azure-devices.net";
const KEY_A = Buffer.alloc(64, 7).toString("base64");
const KEY_B = Buffer.alloc(64, 9).toString("base64");
/** A TPM 2.0 endorsement key's public area as DPS takes it (base64); public material. */
const EK = Buffer.concat([Buffer.from("0001000b000300b20020", "hex"), Buffer.alloc(300, 3)]).toString("base64");

let fake: FakeDps;
const clock = { t: 0, sleeps: [] as number[] };

function options(extra: Partial<EnrollmentProviderOptions> = {}): EnrollmentProviderOptions {
    return {
        credential: fake.credential(),
        transport: httpsTransport({ ca: fake.ca, lookup: fake.lookup, port: fake.listeningPort }),
        sleep: async (ms) => {
            clock.sleeps.push(ms);
            clock.t += ms;
        },
        now: () => clock.t,
        random: () => 0.5,
        ...extra,
    };
}

function group(id: string, over: Partial<EnrollmentInputs> = {}): EnrollmentInputs {
    return {
        kind: "azure-iot-dps:EnrollmentGroup",
        apiVersion: "2026-11-01",
        provisioningServiceName: fake.host.split(".")[0],
        serviceHostName: fake.host,
        enrollmentGroupId: id,
        attestation: { type: "x509", x509: { caReferences: { primary: CA } } },
        iotHubs: [HUB],
        provisioningStatus: "enabled",
        reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: true },
        capabilities: { iotEdge: false },
        initialTwin: { tags: { fleet: "test" }, properties: { desired: { telemetryIntervalSeconds: 60 } } },
        ...over,
    };
}

before(async () => {
    fake = await FakeDps.start();
    fake.verifiedCas.add(CA);
    fake.verifiedCas.add(NEXT_CA);
});
after(() => fake.close());

describe("enrollment provider: CRUD against the DPS service API", () => {
    it("creates a CA-backed group with the body the spec describes, over HTTPS with an Entra ID token for DPS", async () => {
        const p = createEnrollmentProvider(options());
        const before = fake.requests.length;
        const { id, outs } = await p.create(group("crud-x509"));
        assert.equal(id, `${fake.host}/enrollmentGroups/crud-x509`);
        const [probe, put] = fake.requests.slice(before);
        assert.equal(probe.method, "GET", "checks that the group does not exist before PUT (PUT would overwrite it)");
        assert.equal(put.method, "PUT");
        assert.equal(put.path, "/enrollmentGroups/crud-x509");
        assert.equal(put.query.get("api-version"), "2026-11-01");
        assert.equal(put.headers["if-match"], undefined);
        assert.deepEqual(put.body, {
            enrollmentGroupId: "crud-x509",
            attestation: { type: "x509", x509: { caReferences: { primary: CA } } },
            capabilities: { iotEdge: false },
            provisioningStatus: "enabled",
            reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: true },
            iotHubs: [HUB],
            initialTwin: { tags: { fleet: "test" }, properties: { desired: { telemetryIntervalSeconds: 60 } } },
        });
        assert.equal(put.claims?.aud, DPS_AUDIENCE, "the fake verified a signed token whose audience is DPS");
        assert.equal(outs.etag, fake.get("enrollmentGroups", "crud-x509")?.etag);
        assert.deepEqual(outs.attestation, { type: "x509", x509: { caReferences: { primary: CA } } });
        assert.deepEqual(outs.initialTwin, { tags: { fleet: "test" }, properties: { desired: { telemetryIntervalSeconds: 60 } } }, "DPS's version/count/metadata are not ours");
    });

    it("asks Entra ID for the DPS scope, and reuses the token", async () => {
        const credential = fake.credential();
        const p = createEnrollmentProvider(options({ credential }));
        await p.create(group("token-reuse"));
        await p.read(`${fake.host}/enrollmentGroups/token-reuse`, {});
        assert.deepEqual([...new Set(credential.scopes)], ["https://azure-devices-provisioning.net/.default"]);
        assert.equal(credential.scopes.length, 1);
    });

    it("reads a group back: outputs and program-shaped inputs; a missing group reads as gone", async () => {
        const p = createEnrollmentProvider(options());
        const created = await p.create(group("crud-read"));
        const r = await p.read(created.id, created.outs);
        assert.equal(r.id, created.id);
        assert.deepEqual(r.props, created.outs);
        assert.deepEqual(r.inputs, group("crud-read"), "the inputs describe the live group in the program's shape");
        assert.deepEqual(await p.read(`${fake.host}/enrollmentGroups/never-created`, {}), {});
    });

    it("updates with If-Match on the stored etag", async () => {
        const p = createEnrollmentProvider(options());
        const created = await p.create(group("crud-update"));
        const before = fake.requests.length;
        const { outs } = await p.update(created.id, created.outs, group("crud-update", { provisioningStatus: "disabled" }));
        const put = fake.requests.slice(before).find((r) => r.method === "PUT");
        assert.equal(put?.headers["if-match"], created.outs.etag);
        assert.equal(outs.provisioningStatus, "disabled");
        assert.notEqual(outs.etag, created.outs.etag);
        assert.equal(fake.get("enrollmentGroups", "crud-update")?.provisioningStatus, "disabled");
    });

    it("deletes with If-Match; a group already gone is no error", async () => {
        const p = createEnrollmentProvider(options());
        const created = await p.create(group("crud-delete"));
        const before = fake.requests.length;
        await p.delete(created.id, created.outs);
        const del = fake.requests.slice(before).find((r) => r.method === "DELETE");
        assert.equal(del?.headers["if-match"], created.outs.etag);
        assert.equal(fake.get("enrollmentGroups", "crud-delete"), undefined);
        await p.delete(created.id, created.outs);
    });

    it("refuses to overwrite a group that exists already, and says how to import it", async () => {
        fake.seed("enrollmentGroups", { enrollmentGroupId: "made-by-hand", attestation: { type: "x509", x509: { caReferences: { primary: CA } } } });
        const p = createEnrollmentProvider(options());
        await assert.rejects(p.create(group("made-by-hand")), /enrollment group 'made-by-hand' already exists on .*import: true.*import = "dps-fleet-test-0a1b2c\.azure-devices-provisioning\.net\/enrollmentGroups\/made-by-hand"/s);
    });

    it("individual TPM enrollments: the endorsement key is public and stays in the outputs", async () => {
        const p = createEnrollmentProvider(options());
        const inputs: EnrollmentInputs = {
            ...group("unused"),
            kind: "azure-iot-dps:IndividualEnrollment",
            enrollmentGroupId: undefined,
            registrationId: "tpm-device-0042",
            deviceId: "sensor-0042",
            attestation: { type: "tpm", tpm: { endorsementKey: EK } },
        };
        const { id, outs } = await p.create(inputs);
        assert.equal(id, `${fake.host}/enrollments/tpm-device-0042`);
        assert.deepEqual(outs.attestation, { type: "tpm", tpm: { endorsementKey: EK } });
        assert.equal(outs.deviceId, "sensor-0042");
        assert.equal(fake.get("enrollments", "tpm-device-0042")?.registrationId, "tpm-device-0042");
        await p.delete(id, outs);
        assert.equal(fake.get("enrollments", "tpm-device-0042"), undefined);
    });
});

describe("enrollment provider: etags, drift and import", () => {
    it("an update after someone changed the group fails on the etag (412), naming the group and the fix", async () => {
        const p = createEnrollmentProvider(options());
        const created = await p.create(group("etag-conflict"));
        fake.mutate("enrollmentGroups", "etag-conflict", (r) => (r.provisioningStatus = "disabled"));
        await assert.rejects(
            p.update(created.id, created.outs, group("etag-conflict", { iotHubs: [HUB] })),
            /DPS rejected the update of enrollment group 'etag-conflict' on .*HTTP 412, errorCode 412002, Precondition failed.*pulumi refresh/s,
        );
        await assert.rejects(p.delete(created.id, created.outs), /deletion of enrollment group 'etag-conflict'.*HTTP 412/s);
    });

    it("drift: a refresh reads the changed group and diff reports what the program would put back", async () => {
        const p = createEnrollmentProvider(options());
        const desired = group("drift");
        const created = await p.create(desired);
        assert.deepEqual(await p.diff(created.id, created.outs, desired), { changes: false, replaces: [], deleteBeforeReplace: false });
        fake.mutate("enrollmentGroups", "drift", (r) => {
            r.provisioningStatus = "disabled";
            r.attestation = { type: "x509", x509: { caReferences: { primary: CA, secondary: NEXT_CA } } };
            (r.initialTwin as { tags: Record<string, unknown> }).tags.owner = "someone";
        });
        const refreshed = await p.read(created.id, created.outs);
        assert.ok(refreshed.props);
        assert.equal(refreshed.props.provisioningStatus, "disabled");
        const d = diffEnrollment(refreshed.props, desired as unknown as Record<string, unknown>);
        assert.deepEqual(d.changed.sort(), ["attestation", "initialTwin", "provisioningStatus"]);
        assert.deepEqual(d.replaces, []);
        assert.deepEqual(await p.diff(created.id, refreshed.props, desired), { changes: true, replaces: [], deleteBeforeReplace: false });
        // The refreshed etag lets the update through.
        const { outs } = await p.update(created.id, refreshed.props, desired);
        assert.equal(outs.provisioningStatus, "enabled");
    });

    it("tells replace from update: a new id or attestation kind is a new group; CA, hubs, status, twin are updates", () => {
        const olds = { ...group("diff"), etag: "x" } as unknown as Record<string, unknown>;
        const d = (news: EnrollmentInputs) => diffEnrollment(olds, news as unknown as Record<string, unknown>);
        assert.deepEqual(d(group("diff-2")).replaces, ["enrollmentGroupId"]);
        assert.equal(d(group("diff-2")).deleteBeforeReplace, false, "a new id can be created before the old one goes");
        const sym = d(group("diff", { attestation: { type: "symmetricKey", symmetricKey: { primaryKey: KEY_A, secondaryKey: KEY_B } } }));
        assert.deepEqual(sym.replaces, ["attestation"]);
        assert.equal(sym.deleteBeforeReplace, true, "same id: the old record goes first");
        assert.deepEqual(d(group("diff", { attestation: { type: "x509", x509: { caReferences: { primary: CA, secondary: NEXT_CA } } } })), { changes: true, replaces: [], changed: ["attestation"], deleteBeforeReplace: false });
        assert.deepEqual(d(group("diff", { iotHubs: [HUB.toUpperCase()] })).changes, false, "host names compare case-insensitively");
        assert.deepEqual(d(group("diff", { provisioningStatus: "disabled" })).changed, ["provisioningStatus"]);
        assert.deepEqual(d(group("diff", { initialTwin: { tags: { fleet: "other" } } })).changed, ["initialTwin"]);
        assert.deepEqual(d(group("diff", { serviceHostName: "dps-other.azure-devices-provisioning.net" })).replaces, ["serviceHostName"]);
    });

    it("imports a group made by hand: read returns the inputs that match, so the import diff is empty", async () => {
        fake.seed("enrollmentGroups", {
            enrollmentGroupId: "imported",
            attestation: { type: "x509", x509: { caReferences: { primary: CA } } },
            iotHubs: [HUB],
            provisioningStatus: "enabled",
            reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: true },
            capabilities: { iotEdge: false },
            initialTwin: { tags: { fleet: "test" }, properties: { desired: { telemetryIntervalSeconds: 60 } } },
        });
        const p = createEnrollmentProvider(options());
        const program = group("imported");
        // The engine's import: Read(id, program inputs), then Diff(live state, program inputs).
        const r = await p.read(`${fake.host}/enrollmentGroups/imported`, program as unknown as Record<string, unknown>);
        assert.ok(r.props && r.inputs);
        assert.deepEqual((await p.diff(r.id ?? "", r.props, program)).changes, false);
        assert.deepEqual(r.inputs, program);
        // A program that does not describe the live group makes the import fail with a diff.
        assert.deepEqual(await p.diff(r.id ?? "", r.props, group("imported", { provisioningStatus: "disabled" })), { changes: true, replaces: [], deleteBeforeReplace: false });
    });
});

describe("enrollment provider: retries and errors", () => {
    it("429 with Retry-After: waits what DPS asks, then succeeds", async () => {
        const p = createEnrollmentProvider(options());
        clock.sleeps.length = 0;
        fake.inject({ status: 429, headers: { "retry-after": "2" }, times: 2 });
        const { outs } = await p.create(group("retry-429"));
        assert.deepEqual(clock.sleeps, [2000, 2000]);
        assert.ok(outs.etag);
    });

    it("Retry-After as an HTTP date, and backoff with full jitter, bounded", () => {
        assert.equal(parseRetryAfter("Wed, 21 Oct 2026 07:28:30 GMT", Date.parse("Wed, 21 Oct 2026 07:28:00 GMT")), 30_000);
        assert.equal(parseRetryAfter("soon", 0), undefined);
        assert.equal(backoffDelay(0, 0.999, 500, 30_000), 499);
        assert.equal(backoffDelay(3, 0.5, 500, 30_000), 2000);
        assert.equal(backoffDelay(20, 0.999, 500, 30_000), 29_970, "capped");
    });

    it("503 that persists: gives up after the attempt limit, in bounded time, naming the group", async () => {
        const p = createEnrollmentProvider(options({ maxAttempts: 4 }));
        clock.sleeps.length = 0;
        const start = clock.t;
        fake.inject({ status: 503, times: Infinity });
        try {
            await assert.rejects(p.create(group("retry-503")), /Gave up on the creation of enrollment group 'retry-503' on .* after 4 attempts in \d+ s: DPS rejected .*HTTP 503, errorCode 503001/s);
        } finally {
            fake.clearInjected();
        }
        assert.deepEqual(clock.sleeps, [250, 500, 1000], "exponential, full jitter (random 0.5 here)");
        assert.ok(clock.t - start < 120_000);
    });

    it("stops early when the next wait would pass the time budget", async () => {
        const p = createEnrollmentProvider(options({ maxElapsedMs: 5_000 }));
        clock.sleeps.length = 0;
        fake.inject({ status: 429, headers: { "retry-after": "10" }, times: 1 });
        await assert.rejects(p.create(group("retry-budget")), /after 1 attempt in 0 s: DPS rejected .*HTTP 429/s);
        assert.deepEqual(clock.sleeps, []);
    });

    it("a 4xx names the group and carries DPS's errorCode and message", async () => {
        const p = createEnrollmentProvider(options());
        await assert.rejects(
            p.create(group("unknown-ca", { attestation: { type: "x509", x509: { caReferences: { primary: "not-registered" } } } })),
            /DPS rejected the creation of enrollment group 'unknown-ca' on dps-fleet-test-0a1b2c\.azure-devices-provisioning\.net \(HTTP 400, errorCode 400004, The CA certificate 'not-registered' does not exist or is not verified, trackingId [0-9a-f-]+\)\. .*registered and verified/s,
        );
    });

    it("a token for another audience is refused by DPS (401): the error names the role and the IP filter", async () => {
        const p = createEnrollmentProvider(options({ credential: fake.credential({ audience: "https://management.azure.com" }) }));
        await assert.rejects(p.create(group("wrong-audience")), /creation of enrollment group 'wrong-audience'.*HTTP 401, errorCode 401002, The token was rejected.*Device Provisioning Service Data Contributor.*dpsAllowedIpRanges/s);
    });

    it("check names the group and the setting", () => {
        const failures = checkInputs({ ...group("Bad Id!"), attestation: { type: "tpm", tpm: { endorsementKey: EK } }, capabilities: {} } as unknown as Record<string, unknown>);
        assert.deepEqual(failures.map((f) => f.property).sort(), ["attestation", "capabilities", "enrollmentGroupId"]);
        assert.ok(failures.every((f) => f.reason.startsWith("enrollment group 'Bad Id!'")));
        assert.match(failures.find((f) => f.property === "attestation")?.reason ?? "", /do not support TPM attestation; create an individual enrollment/);
        assert.deepEqual(checkInputs({ ...group("ok"), provisioningServiceName: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } as unknown as Record<string, unknown>), [], "unknown at preview is not a failure");
    });
});

describe("enrollment provider: symmetric keys never reach the outputs in plain attestation", () => {
    it("keys given as (secret) inputs live only in primaryKey/secondaryKey outputs, and diff compares them there", async () => {
        const p = createEnrollmentProvider(options());
        const inputs = group("sym-keys", { attestation: { type: "symmetricKey", symmetricKey: { primaryKey: KEY_A, secondaryKey: KEY_B } } });
        const { id, outs } = await p.create(inputs);
        assert.deepEqual(outs.attestation, { type: "symmetricKey", symmetricKey: {} });
        assert.equal(outs.primaryKey, KEY_A);
        assert.equal(outs.secondaryKey, KEY_B);
        const elsewhere = (v: unknown, path: string): string[] =>
            typeof v === "string" ? ([KEY_A, KEY_B].includes(v) ? [path] : []) : v !== null && typeof v === "object" ? Object.entries(v).flatMap(([k, x]) => elsewhere(x, `${path}.${k}`)) : [];
        const { primaryKey: _p, secondaryKey: _s, ...rest } = outs;
        assert.deepEqual(elsewhere(rest, "outs"), []);
        // The fake answers GET with the keys, as the spec's example does: read keeps them out of attestation and inputs.
        assert.ok((fake.get("enrollmentGroups", "sym-keys")?.attestation as { symmetricKey: { primaryKey: string } }).symmetricKey.primaryKey === KEY_A);
        const r = await p.read(id, outs);
        assert.ok(r.props && r.inputs);
        assert.deepEqual(r.props.attestation, { type: "symmetricKey", symmetricKey: {} });
        assert.deepEqual(elsewhere(r.inputs, "inputs"), []);
        assert.equal(r.props.primaryKey, KEY_A, "read from attestationmechanism, for drift");
        assert.equal((await p.diff(id, r.props, inputs)).changes, false);
        fake.mutate("enrollmentGroups", "sym-keys", (rec) => ((rec.attestation as { symmetricKey: { primaryKey: string } }).symmetricKey.primaryKey = KEY_B));
        const drifted = await p.read(id, outs);
        assert.ok(drifted.props);
        assert.deepEqual(diffEnrollment(drifted.props, inputs as unknown as Record<string, unknown>).changed, ["attestation"]);
        // A reader without the attestation-mechanism action (Data Reader: the drift check) keeps the state's keys.
        fake.inject({ status: 403, path: /attestationmechanism$/ });
        fake.mutate("enrollmentGroups", "sym-keys", (rec) => (rec.provisioningStatus = "disabled"));
        const limited = await p.read(id, outs);
        assert.ok(limited.props);
        assert.equal(limited.props.primaryKey, KEY_A);
        assert.equal(limited.props.provisioningStatus, "disabled");
    });
});

describe("enrollment provider: serialized and evaluated as the dynamic-provider host does", () => {
    async function roundTrip(provider: object): Promise<{ text: string; copy: ReturnType<typeof createEnrollmentProvider> }> {
        const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        // cmd/dynamic-provider: requireFromString(__provider).handler()
        const requireFromString = require("require-from-string") as (code: string) => { handler: () => ReturnType<typeof createEnrollmentProvider> };
        return { text: sf.text, copy: requireFromString(sf.text).handler() };
    }

    it("the production provider's text requires only npm packages and Node built-ins, lazily, and works after evaluation", async () => {
        const { text, copy } = await roundTrip(createEnrollmentProvider());
        const required = [...new Set([...text.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]))].sort();
        assert.deepEqual(required, ["@azure/identity", "node:crypto", "node:https"]);
        assert.ok(!/components\/enrollments|\.ts["']/.test(text), "no local module is required");
        assert.ok(text.length < 40_000, `serialized provider is ${text.length} characters`);
        assert.deepEqual(await copy.diff("x", { ...group("s"), etag: "e" }, group("s", { provisioningStatus: "disabled" })), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.equal((await copy.check({}, { ...group("s"), enrollmentGroupId: "" })).failures[0].property, "enrollmentGroupId");
    });

    it("a serialized provider runs create, read and delete against DPS", async () => {
        const { copy } = await roundTrip(createEnrollmentProvider(options()));
        const created = await copy.create(group("serialized"));
        assert.equal(fake.get("enrollmentGroups", "serialized")?.etag, created.outs.etag);
        const r = await copy.read(created.id, created.outs);
        assert.equal(r.props?.etag, created.outs.etag);
        await copy.delete(created.id, created.outs);
        assert.equal(fake.get("enrollmentGroups", "serialized"), undefined);
    });
});
