/**
 * The function's deployment storage (STG-01..05) and its Application Insights component (AI-01..03),
 * built from the compliant factories in fixtures.ts, one mutation per test.
 */
import { describe, it } from "node:test";
import { ai01LocalAuth } from "../rules/appInsights/ai-01-appinsights-local-auth-disabled";
import { ai02WorkspaceBased } from "../rules/appInsights/ai-02-appinsights-workspace-based";
import { ai03PublicIngestion } from "../rules/appInsights/ai-03-appinsights-public-ingestion";
import { stg01SharedKey } from "../rules/storage/stg-01-storage-shared-key-disabled";
import { stg02MinTls } from "../rules/storage/stg-02-storage-min-tls-12";
import { stg03NoPublicBlobAccess } from "../rules/storage/stg-03-storage-no-anonymous-blob-access";
import { stg04HttpsOnly } from "../rules/storage/stg-04-storage-https-only";
import { stg05NetworkClosed } from "../rules/storage/stg-05-storage-network-closed";
import { appInsightsArgs, blobContainerArgs, storageAccountArgs } from "./fixtures";
import { unknown } from "./runPolicies";
import { assertPasses, assertViolation, check, mutate } from "./util";

type Account = ReturnType<typeof storageAccountArgs>;
const account = (f: (a: Account) => void = () => {}, env: "dev" | "prod" = "prod") => mutate(storageAccountArgs(env), f);

describe("STG-01 shared key access off", () => {
    it("passes false", () => assertPasses(check(stg01SharedKey, "storageAccount", account())));
    it("fails when absent (null, treated as true)", () =>
        assertViolation(check(stg01SharedKey, "storageAccount", account((a) => delete a.allowSharedKeyAccess)), stg01SharedKey, /allowSharedKeyAccess is absent \(null, treated as true\)/));
    it("fails true", () => assertViolation(check(stg01SharedKey, "storageAccount", account((a) => (a.allowSharedKeyAccess = true))), stg01SharedKey, /allowSharedKeyAccess is true; it must be false/));
});

describe("STG-02 minimum TLS 1.2", () => {
    it("passes TLS1_2", () => assertPasses(check(stg02MinTls, "storageAccount", account())));
    it("fails when absent (TLS 1.0)", () =>
        assertViolation(check(stg02MinTls, "storageAccount", account((a) => delete a.minimumTlsVersion)), stg02MinTls, /minimumTlsVersion is absent \(the API then accepts TLS 1\.0\)/));
    it("fails TLS1_1", () => assertViolation(check(stg02MinTls, "storageAccount", account((a) => (a.minimumTlsVersion = "TLS1_1"))), stg02MinTls, /"TLS1_1"; it must be "TLS1_2"/));
    it("accepts lower-case enum values", () => assertPasses(check(stg02MinTls, "storageAccount", account((a) => (a.minimumTlsVersion = "tls1_2" as never)))));
});

describe("STG-03 no anonymous blob access", () => {
    it("passes the account with allowBlobPublicAccess false", () => assertPasses(check(stg03NoPublicBlobAccess, "storageAccount", account())));
    it("fails an absent allowBlobPublicAccess (Azure Policy flags it)", () =>
        assertViolation(check(stg03NoPublicBlobAccess, "storageAccount", account((a) => delete a.allowBlobPublicAccess)), stg03NoPublicBlobAccess, /allowBlobPublicAccess is absent; set it to false explicitly/));
    it("fails true", () => assertViolation(check(stg03NoPublicBlobAccess, "storageAccount", account((a) => (a.allowBlobPublicAccess = true))), stg03NoPublicBlobAccess, /allowBlobPublicAccess is true/));
    it("passes a private container", () => assertPasses(check(stg03NoPublicBlobAccess, "blobContainer", blobContainerArgs("prod"))));
    it("passes a container without publicAccess (None)", () => assertPasses(check(stg03NoPublicBlobAccess, "blobContainer", mutate(blobContainerArgs("prod"), (c) => delete c.publicAccess))));
    it("fails an anonymous container", () =>
        assertViolation(check(stg03NoPublicBlobAccess, "blobContainer", mutate(blobContainerArgs("prod"), (c) => (c.publicAccess = "Blob"))), stg03NoPublicBlobAccess, /container publicAccess is "Blob"; anonymous clients could read its blobs/));
});

describe("STG-04 HTTPS only", () => {
    it("passes when absent (true since API 2019-04-01)", () => assertPasses(check(stg04HttpsOnly, "storageAccount", account())));
    it("passes true", () => assertPasses(check(stg04HttpsOnly, "storageAccount", account((a) => (a.enableHttpsTrafficOnly = true)))));
    it("fails false", () => assertViolation(check(stg04HttpsOnly, "storageAccount", account((a) => (a.enableHttpsTrafficOnly = false))), stg04HttpsOnly, /enableHttpsTrafficOnly is false; the account would accept plain HTTP/));
});

describe("STG-05 network closed", () => {
    it("passes publicNetworkAccess Disabled (prod)", () => assertPasses(check(stg05NetworkClosed, "storageAccount", account())));
    it("passes a Deny ACL with a specific IP rule", () =>
        assertPasses(check(stg05NetworkClosed, "storageAccount", account((a) => { delete a.publicNetworkAccess; a.networkRuleSet = { defaultAction: "Deny", bypass: "AzureServices", ipRules: [{ iPAddressOrRange: "198.51.100.16/28" }] }; }))));
    it("fails the open dev account (no ACL: Allow)", () =>
        assertViolation(check(stg05NetworkClosed, "storageAccount", storageAccountArgs("dev")), stg05NetworkClosed, /publicNetworkAccess is absent \(Enabled\) and there is no networkRuleSet \(default action Allow\)/));
    it("fails an ACL without defaultAction (the SDK fills Allow)", () =>
        assertViolation(check(stg05NetworkClosed, "storageAccount", account((a) => { a.publicNetworkAccess = "Enabled"; a.networkRuleSet = { bypass: "AzureServices" } as never; })), stg05NetworkClosed, /networkRuleSet\.defaultAction is absent \(Allow\)/));
    it("fails an ACL that allows by default", () =>
        assertViolation(check(stg05NetworkClosed, "storageAccount", account((a) => { a.publicNetworkAccess = "Enabled"; a.networkRuleSet = { defaultAction: "Allow" }; })), stg05NetworkClosed, /defaultAction is "Allow": every network can reach the account/));
    it("fails an IP rule for the whole internet", () =>
        assertViolation(check(stg05NetworkClosed, "storageAccount", account((a) => { a.publicNetworkAccess = "Enabled"; a.networkRuleSet = { defaultAction: "Deny", ipRules: [{ iPAddressOrRange: "0.0.0.0/0" }] }; })), stg05NetworkClosed, /ipRules\[0\] allows 0\.0\.0\.0\/0 \(the whole internet\)/));
    it("fails an IP rule that is not an address", () =>
        assertViolation(check(stg05NetworkClosed, "storageAccount", account((a) => { a.publicNetworkAccess = "Enabled"; a.networkRuleSet = { defaultAction: "Deny", ipRules: [{ iPAddressOrRange: "not-an-ip" }] }; })), stg05NetworkClosed, /"not-an-ip" is not an IPv4 address/));
});

type Insights = ReturnType<typeof appInsightsArgs>;
const insights = (f: (c: Insights) => void = () => {}) => mutate(appInsightsArgs("prod"), f);

describe("AI-01 Entra ID-only ingestion", () => {
    it("passes disableLocalAuth true", () => assertPasses(check(ai01LocalAuth, "appInsights", insights())));
    it("fails when absent (local auth on)", () => assertViolation(check(ai01LocalAuth, "appInsights", insights((c) => delete c.disableLocalAuth)), ai01LocalAuth, /disableLocalAuth is absent \(local auth on\)/));
    it("matches the v2 alias token (azure-native:insights:Component)", () =>
        assertViolation(check(ai01LocalAuth, "appInsights", insights((c) => (c.disableLocalAuth = false)), { v2: true }), ai01LocalAuth, /disableLocalAuth is false/));
});

describe("AI-02 workspace-based", () => {
    it("passes a workspace id", () => assertPasses(check(ai02WorkspaceBased, "appInsights", insights())));
    it("passes a workspace id unknown at preview", () => assertPasses(check(ai02WorkspaceBased, "appInsights", insights((c) => (c.workspaceResourceId = unknown())))));
    it("fails a classic component", () => assertViolation(check(ai02WorkspaceBased, "appInsights", insights((c) => delete c.workspaceResourceId)), ai02WorkspaceBased, /workspaceResourceId is absent or empty; the component is classic/));
    it("fails an empty id", () => assertViolation(check(ai02WorkspaceBased, "appInsights", insights((c) => (c.workspaceResourceId = ""))), ai02WorkspaceBased, /absent or empty/));
});

describe("AI-03 public ingestion as configured", () => {
    it("passes public ingestion when the stack allows it", () => assertPasses(check(ai03PublicIngestion, "appInsights", insights(), { config: { allowPublicIngestion: true } })));
    it("fails public ingestion by default", () =>
        assertViolation(check(ai03PublicIngestion, "appInsights", insights()), ai03PublicIngestion, /publicNetworkAccessForIngestion is "Enabled"; the stack requires "Disabled"/));
    it("fails when absent (the SDK sends Enabled)", () =>
        assertViolation(check(ai03PublicIngestion, "appInsights", insights((c) => delete c.publicNetworkAccessForIngestion)), ai03PublicIngestion, /is absent \(Enabled\)/));
    it("passes Disabled", () => assertPasses(check(ai03PublicIngestion, "appInsights", insights((c) => (c.publicNetworkAccessForIngestion = "Disabled")))));
});
