/**
 * The one-deploy provider (components/functionDeployment.ts), exercised the way the engine runs it:
 * its serialized form, taken from the program's own registration under mocks and loaded with the
 * engine's loader (require-from-string, as @pulumi/pulumi cmd/dynamic-provider does), against
 * loopback fakes of the SCM site and of an App Service managed identity endpoint
 * (test/fakes/kudu.ts). DefaultAzureCredential itself fetches the token: it is a real RS256 JWT,
 * and the fake SCM site refuses it unless its audience is the App Service audience.
 */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { APP_SERVICE_SCOPE, DEPLOYER, scmUrlOf, type FunctionDeploymentState } from "../components/functionDeployment";
import type * as deployment from "../components/functionDeployment";
import { FakeAppServiceIdentity, FakeKudu, APP_SERVICE_AUDIENCE } from "./fakes/kudu";
import type { CapturedResource, StackRun } from "../tools/offline/types";
import { all, reveal, stackRun } from "./support";

const TYPE = "pulumi-nodejs:dynamic/web:FunctionPackageDeployment";

/** The engine's own loader for serialized dynamic providers. */
function loadSerialized(text: string): pulumi.dynamic.ResourceProvider {
    const requireFromString = require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));
    return requireFromString(text).handler();
}

const ENV_KEYS = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET", "AZURE_TOKEN_CREDENTIALS", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME"];

let identity: FakeAppServiceIdentity;
let kudu: FakeKudu;
let run: StackRun;
let registered: CapturedResource;
let provider: pulumi.dynamic.ResourceProvider;
let inputs: FunctionDeploymentState;
const savedEnv: Record<string, string | undefined> = {};

before(async () => {
    run = await stackRun("dev");
    const deployments = all(run, TYPE);
    registered = deployments.find((d) => d.parent.includes("IngestFunction"))!;
    assert.ok(registered, "the ingest app's package deployment is registered");
    provider = loadSerialized(registered.inputs.__provider as string);
    identity = await FakeAppServiceIdentity.start();
    kudu = await FakeKudu.start(identity);
    for (const k of ENV_KEYS) savedEnv[k] = process.env[k];
    for (const k of ENV_KEYS) delete process.env[k];
    Object.assign(process.env, identity.environment());
    const r = reveal(registered.inputs);
    delete r.__provider;
    inputs = { ...r, scmUrl: kudu.url, pollIntervalSeconds: 0.01, timeoutSeconds: 5 };
});
after(async () => {
    for (const k of ENV_KEYS) {
        if (savedEnv[k] === undefined) delete process.env[k];
        else process.env[k] = savedEnv[k];
    }
    await kudu?.close();
    await identity?.close();
});
beforeEach(() => kudu.reset());

describe("one deploy of a function package (the serialized provider, against fakes of the SCM site and the identity endpoint)", () => {
    it("uploads the package to /api/publish with an App Service token, polls the Location until success, and keeps no secret", async () => {
        const result = await provider.create(inputs);
        assert.equal(kudu.publishes.length, 1);
        const post = kudu.publishes[0];
        assert.deepEqual(post.query, { RemoteBuild: "false", Deployer: DEPLOYER });
        assert.equal(post.contentType, "application/zip");
        assert.equal(post.sha256, inputs.packageSha256, "the zip the program registered, byte for byte");
        assert.equal(post.audience, APP_SERVICE_AUDIENCE);
        assert.ok(identity.resourcesRequested.every((r) => r === APP_SERVICE_SCOPE.replace("/.default", "")), String(identity.resourcesRequested));
        const polls = kudu.requests.filter((r) => r.method === "GET");
        assert.deepEqual(polls.map((p) => [p.path, p.query.deploymentId]), [["/api/deployments/latest", kudu.deploymentId], ["/api/deployments/latest", kudu.deploymentId]], "the Location Kudu returned");
        assert.equal(result.outs.deploymentId, kudu.deploymentId);
        assert.equal(result.outs.status, "Success (4)");
        assert.equal(result.outs.packageSha256, inputs.packageSha256);
        // Nothing the engine keeps carries the token.
        const tokens = kudu.requests.map((r) => r.authorization!.slice("Bearer ".length));
        for (const kept of [JSON.stringify(result), registered.inputs.__provider as string]) {
            for (const t of tokens) assert.ok(!kept.includes(t), "no token in the state or the serialized provider");
            assert.doesNotMatch(kept, /Bearer eyJ|"access_token"/);
        }
    });

    it("fails with the app's name and Kudu's status text when the deployment fails", async () => {
        kudu.statusAnswers = [kudu.record(1, "Building"), kudu.record(3, "Failed to mount the package")];
        await assert.rejects(provider.create(inputs), (e: Error) => {
            assert.equal(e.name, "FunctionDeploymentError");
            assert.match(e.message, new RegExp(`function app "${inputs.appName}" \\(resource group ${inputs.resourceGroupName}\\) failed: the deployment failed, status 3 \\(Failed to mount the package; OneDeploy\\)`));
            assert.match(e.message, /log: http:\/\/127\.0\.0\.1:\d+\/api\/deployments\/[0-9a-f-]+\/log/);
            return true;
        });
    });

    it("treats cancelled, conflicting and partially successful deployments as failures, as the Azure CLI does", async () => {
        for (const [status, words] of [[-1, /cancelled/], [5, /another one is in progress/], [6, /partially successful/]] as const) {
            kudu.reset();
            kudu.statusAnswers = [kudu.record(status, "x")];
            await assert.rejects(provider.create(inputs), words, String(status));
        }
    });

    it("retries a throttled (429) and an unavailable (503) publish with backoff, then succeeds", async () => {
        kudu.publishAnswers = [{ status: 429, headers: { "retry-after": "0" }, body: "Too Many Requests" }, { status: 503, body: "Service Unavailable" }, kudu.accepted()];
        kudu.statusAnswers = [{ status: 503 }, kudu.record(4, "Deployment successful.")];
        const result = await provider.create(inputs);
        assert.equal(kudu.publishes.length, 3, "two refused attempts and the accepted one");
        assert.equal(result.outs.status, "Success (4)");
    });

    it("gives up after a bounded number of attempts, naming the app and the last answer", async () => {
        kudu.publishAnswers = [{ status: 503, body: "Service Unavailable" }];
        await assert.rejects(provider.create(inputs), (e: Error) => {
            assert.match(e.message, new RegExp(`function app "${inputs.appName}".*POST /api/publish answered HTTP 503 Service Unavailable, 5 attempts`));
            return true;
        });
        assert.equal(kudu.publishes.length, 5);
    });

    it("the fake refuses a token for any other audience, and the provider says who must be allowed to publish", async () => {
        kudu.expectedAudience = "https://management.azure.com";
        await assert.rejects(provider.create(inputs), /refused the token \(HTTP 401\).*Microsoft\.Web\/sites\/publish\/action/);
        assert.match(kudu.publishes[0].refused!, /aud/, "refused for its audience");
    });

    it("a running deployment (409) is reported, not retried", async () => {
        kudu.publishAnswers = [{ status: 409, body: "Conflict" }];
        await assert.rejects(provider.create(inputs), /another deployment is in progress \(HTTP 409\)/);
        assert.equal(kudu.publishes.length, 1);
    });

    it("waits a bounded time for a final status", async () => {
        kudu.statusAnswers = [kudu.record(2, "Deploying")];
        await assert.rejects(provider.create({ ...inputs, timeoutSeconds: 0.2 }), /no final status within 0\.2 s \(last: status 2 \(Deploying; OneDeploy\)\)/);
    });

    it("accepts the end of the status record after 202s, as the Azure CLI does", async () => {
        kudu.statusAnswers = [{ status: 202, body: { status: 1 } }, { status: 404 }];
        const result = await provider.create(inputs);
        assert.match(result.outs.status, /^Success/);
    });

    it("refuses a zip that is missing or not the registered package, before any upload", async () => {
        await assert.rejects(provider.create({ ...inputs, zipPath: path.join(tmpdir(), "no-such-package.zip") }), /no-such-package\.zip does not exist.*npm run build:ingest/);
        const dir = mkdtempSync(path.join(tmpdir(), "deploy-test-"));
        const other = path.join(dir, "other.zip");
        writeFileSync(other, "not the package");
        await assert.rejects(provider.create({ ...inputs, zipPath: other }), /has SHA-256 [0-9a-f]{16}…, not the package the program registered/);
        assert.equal(kudu.requests.length, 0);
    });

    it("redeploys exactly when the package's SHA-256 (or the target app) changes", async () => {
        const created = await provider.create(inputs);
        const olds = created.outs;
        const diff = (news: Partial<FunctionDeploymentState>) => provider.diff!(created.id, olds, { ...inputs, ...news });
        assert.deepEqual(await diff({}), { changes: false });
        const dir = mkdtempSync(path.join(tmpdir(), "deploy-test-"));
        const moved = path.join(dir, "same.zip");
        copyFileSync(inputs.zipPath, moved);
        assert.deepEqual(await diff({ zipPath: moved, pollIntervalSeconds: 5, timeoutSeconds: 60, resourceGroupName: "rg-elsewhere" }), { changes: false }, "where the zip lies and how long to wait are not what was deployed");
        assert.deepEqual(await diff({ packageSha256: "0".repeat(64) }), { changes: true });
        assert.deepEqual(await diff({ scmUrl: scmUrlOf("func-other-app") }), { changes: true });
        // The engine calls update on a change: that is a new one deploy.
        kudu.reset();
        const updated = await provider.update!(created.id, olds, inputs);
        assert.equal(kudu.publishes.length, 1);
        assert.equal(updated.outs!.packageSha256, inputs.packageSha256);
    });

    it("check refuses what cannot be deployed safely", async () => {
        const failures = async (news: Partial<FunctionDeploymentState>) => ((await provider.check!({}, { ...inputs, ...news })).failures ?? []).map((f) => f.property);
        assert.deepEqual(await failures({}), []);
        assert.deepEqual(await failures({ scmUrl: "http://func-x.scm.azurewebsites.net" }), ["scmUrl"], "a bearer token over plain http");
        assert.deepEqual(await failures({ scmUrl: "https://func-x.scm.azurewebsites.net/api" }), ["scmUrl"]);
        assert.deepEqual(await failures({ packageSha256: "abc" }), ["packageSha256"]);
        assert.deepEqual(await failures({ pollIntervalSeconds: 0 }), ["pollIntervalSeconds"]);
    });

    it("serializes the same way under the compiler Pulumi runs TypeScript with (tsc through ts-node)", async () => {
        // Transpile the component as ts-node would (CommonJS, ES2022) and serialize its provider
        // with the engine's closure serializer: the module's `exports` must not be captured.
        const ts = await import("typescript");
        const source = path.join(__dirname, "..", "components", "functionDeployment.ts");
        const { outputText } = ts.transpileModule(readFileSync(source, "utf8"), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: source });
        const dir = mkdtempSync(path.join(__dirname, "..", "out", "tsc-"));
        try {
            const file = path.join(dir, "functionDeployment.js");
            writeFileSync(file, outputText);
            const compiled = require(file) as typeof deployment;
            const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
            const compiledProvider = compiled.functionDeploymentProvider;
            const { text } = (await serializeFunction(() => compiledProvider, { allowSecrets: true })) as { text: string };
            const body = text.replace(/^exports\.handler = __f0;/, "");
            assert.ok(!/exports\.|@pulumi\/pulumi|require\("\.\.?\//.test(body), "the serialized provider holds its own functions and constants only: no module exports, no SDK, no relative require");
            assert.ok(/require\("@azure\/identity"\)/.test(body), "the credential is required lazily, inside the provider");
            const p = loadSerialized(text);
            assert.deepEqual(await p.diff!("x", { ...inputs, deploymentId: "", status: "" }, inputs), { changes: false });
            const result = await p.create(inputs);
            assert.equal(result.outs.status, "Success (4)");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
