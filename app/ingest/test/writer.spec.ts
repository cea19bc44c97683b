/**
 * The write path end to end over the network, on loopback: the function's handler with the real
 * @azure/cosmos client and the real ManagedIdentityCredential (App Service managed identity flow, as
 * on Azure Functions) against the fakes in fakeAzure.ts.
 */
import { strict as assert } from "node:assert";
import { after, before, beforeEach, describe, it } from "node:test";
import { InvocationContext, type LogLevel } from "@azure/functions";
import type { Container } from "@azure/cosmos";
import { ManagedIdentityCredential, type AccessToken, type TokenCredential } from "@azure/identity";
import { generateKeyPair, type CryptoKey } from "jose";
import { createContainerClient, RetryableWriteError } from "../src/cosmos";
import { createIngestHandler } from "../src/function";
import { ACCOUNT_HOST, startFakeCosmos, startTokenIssuer, type FakeCosmos, type TokenIssuer } from "./fakeAzure";
import { deviceMessage, triggerBatch, type FixtureEvent } from "./fixtures";

const DATABASE = "telemetry";
const CONTAINER = "messages";
const CLIENT_ID = "5b2a8d9e-0000-4000-8000-00000000c0de";

describe("ingest write path: Cosmos DB over HTTPS with Entra ID tokens (loopback fakes)", () => {
    let issuer: TokenIssuer;
    let cosmos: FakeCosmos;
    let container: Container;
    let foreignKey: CryptoKey;
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

    before(async () => {
        // The second key (for the forged-token case) is made alongside the issuer's: RSA key generation runs off the main thread.
        [issuer, { privateKey: foreignKey }] = await Promise.all([startTokenIssuer(), generateKeyPair("RS256")]);
        cosmos = await startFakeCosmos({ database: DATABASE, container: CONTAINER, publicJwk: issuer.publicJwk });
        // What Azure Functions sets for the app's managed identity endpoint.
        process.env.IDENTITY_ENDPOINT = issuer.endpoint;
        process.env.IDENTITY_HEADER = issuer.header;
        const credential = new ManagedIdentityCredential({ clientId: CLIENT_ID });
        container = createContainerClient({ endpoint: cosmos.endpoint, database: DATABASE, container: CONTAINER }, credential, cosmos.agent());
    });

    after(async () => {
        await cosmos?.close();
        await issuer?.close();
        if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
        else process.env.IDENTITY_ENDPOINT = saved.endpoint;
        if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
        else process.env.IDENTITY_HEADER = saved.header;
    });

    beforeEach(() => cosmos.reset());

    function invocation(events: FixtureEvent[]) {
        const { messages, triggerMetadata } = triggerBatch(events);
        const logs: { level: LogLevel; text: string }[] = [];
        const context = new InvocationContext({
            functionName: "telemetry-ingest",
            triggerMetadata,
            logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(" ") }),
        });
        return { messages, context, logs };
    }

    const handler = (c: () => Container = () => container) => createIngestHandler({ container: c, ttlSeconds: () => 86_400, concurrency: 8 });
    const docPosts = () => cosmos.requests.filter((r) => r.method === "POST");

    it("stores every document of a batch exactly once, keyless, with the partition key header and upsert", async () => {
        const events = Array.from({ length: 60 }, (_, i) => deviceMessage(i));
        const { messages, context, logs } = invocation(events);
        await handler()(messages, context);

        assert.equal(cosmos.documents.size, 60);
        assert.equal(docPosts().length, 60);
        assert.ok(docPosts().every((r) => r.status === 201));
        for (const r of cosmos.requests) {
            assert.match(String(r.headers.authorization), /^type=aad&ver=1\.0&sig=[\w-]+\.[\w-]+\.[\w-]+$/);
        }
        for (const r of docPosts()) {
            assert.equal(String(r.headers["x-ms-documentdb-is-upsert"]).toLowerCase(), "true");
            assert.match(String(r.headers["x-ms-documentdb-partitionkey"]), /^\["sensor-\d{3}-2026-03"\]$/);
        }
        const stored = [...cosmos.documents.values()].find((d) => d.messageId === "msg-5")!;
        assert.deepEqual(stored.body, { temperature: 20.5, humidity: 45, seq: 5 });
        assert.equal(stored.partitionKey, "sensor-005-2026-03");
        assert.equal(stored.ttl, 86_400);
        // The account was read at "/" and the container's partition key definition once.
        assert.ok(cosmos.requests.some((r) => r.method === "GET" && r.path === "/"));
        assert.equal(cosmos.requests.filter((r) => r.path === `/dbs/${DATABASE}/colls/${CONTAINER}`).length, 1);
        // The token was asked for the account's own audience, by the user-assigned identity.
        assert.ok(issuer.requests.length >= 1);
        assert.ok(issuer.requests.every((r) => r.resource === `https://${ACCOUNT_HOST}` && r.clientId === CLIENT_ID && r.apiVersion === "2019-08-01"));
        assert.ok(logs.some((l) => /stored: 60 of 60/.test(l.text)));
    });

    it("does not duplicate a redelivered batch", async () => {
        const events = Array.from({ length: 25 }, (_, i) => deviceMessage(i));
        const first = invocation(events);
        await handler()(first.messages, first.context);
        const again = invocation(events);
        await handler()(again.messages, again.context);
        assert.equal(cosmos.documents.size, 25);
        assert.equal(docPosts().length, 50);
        assert.equal(docPosts().filter((r) => r.status === 200).length, 25, "the second delivery replaced, not added");
    });

    it("retries a 429 after x-ms-retry-after-ms and stores the document", async () => {
        const events = Array.from({ length: 10 }, (_, i) => deviceMessage(i));
        const target = "msg-3";
        cosmos.fault = (doc, attempt) => (doc.messageId === target && attempt <= 2 ? { status: 429, headers: { "x-ms-retry-after-ms": "15", "x-ms-substatus": "3200" } } : undefined);
        const { messages, context } = invocation(events);
        const start = Date.now();
        await handler()(messages, context);
        assert.equal(cosmos.documents.size, 10);
        const attempts = docPosts().filter((r) => cosmos.documents.get(`sensor-003-2026-03|${r.docId}`)?.messageId === target);
        assert.deepEqual(attempts.map((r) => r.status), [429, 429, 201]);
        assert.ok(Date.now() - start >= 30, "the SDK waited x-ms-retry-after-ms between attempts");
    });

    it("throws, so the host redelivers the batch, when Cosmos DB keeps answering 503", async () => {
        cosmos.fault = () => ({ status: 503 });
        const events = Array.from({ length: 40 }, (_, i) => deviceMessage(i));
        const { messages, context, logs } = invocation(events);
        await assert.rejects(handler()(messages, context), (e: Error) => e instanceof RetryableWriteError && /503/.test(e.message));
        assert.equal(cosmos.documents.size, 0);
        assert.ok(docPosts().length < 40, "no new writes start once one failed for good");
        assert.ok(logs.some((l) => l.level === "error" && /will be redelivered/.test(l.text)));
    });

    it("logs and skips a document Cosmos DB rejects with 413, and stores the others", async () => {
        const secret = "do-not-log-this-payload";
        const events = Array.from({ length: 12 }, (_, i) => deviceMessage(i));
        events[4] = deviceMessage(4, { body: Buffer.from(JSON.stringify({ blob: `${secret}${"x".repeat(4000)}` })) });
        cosmos.maxDocumentBytes = 3000;
        const { messages, context, logs } = invocation(events);
        await handler()(messages, context);
        assert.equal(cosmos.documents.size, 11);
        assert.ok(![...cosmos.documents.values()].some((d) => d.messageId === "msg-4"));
        const warning = logs.find((l) => l.level === "warning" && /status 413/.test(l.text));
        assert.ok(warning, "the rejected document is logged");
        assert.match(warning.text, /deviceId sensor-004/);
        assert.match(warning.text, /messageId msg-4/);
        const all = logs.map((l) => l.text).join("\n");
        assert.ok(!all.includes(secret), "no body in the logs");
        assert.ok(!/sig=|eyJ/.test(all), "no token in the logs");
        assert.ok(logs.some((l) => /stored: 11 of 12 documents, 1 rejected/.test(l.text)));
    });

    it("skips one document refused with 400, but keeps (retries) a batch whose every document is refused", async () => {
        cosmos.fault = (doc) => (doc.messageId === "msg-2" ? { status: 400 } : undefined);
        const some = invocation(Array.from({ length: 5 }, (_, i) => deviceMessage(i)));
        await handler()(some.messages, some.context);
        assert.equal(cosmos.documents.size, 4);

        cosmos.reset();
        cosmos.fault = () => ({ status: 400 });
        const all = invocation(Array.from({ length: 5 }, (_, i) => deviceMessage(i)));
        await assert.rejects(handler()(all.messages, all.context), RetryableWriteError);
    });

    it("is refused (401) with a token the fake did not issue, and treats that as retryable", async () => {
        const forged: TokenCredential = {
            getToken: async (): Promise<AccessToken> => ({ token: await issuer.sign(`https://${ACCOUNT_HOST}`, foreignKey), expiresOnTimestamp: Date.now() + 3_600_000 }),
        };
        const agent = cosmos.agent();
        const other = createContainerClient({ endpoint: cosmos.endpoint, database: DATABASE, container: CONTAINER }, forged, agent);
        const { messages, context } = invocation([deviceMessage(1)]);
        await assert.rejects(handler(() => other)(messages, context), /401|telemetry batch not fully stored/);
        assert.equal(cosmos.documents.size, 0);
        assert.ok(cosmos.requests.every((r) => r.status === 401));
        agent.destroy();
    });
});
