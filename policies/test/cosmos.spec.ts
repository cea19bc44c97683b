import { describe, it } from "node:test";
import { TOKENS } from "../lib/tokens";
import { cos01LocalAuth } from "../rules/cosmos/cos-01-cosmos-local-auth-disabled";
import { cos02MetadataWrites } from "../rules/cosmos/cos-02-cosmos-key-metadata-writes-disabled";
import { cos10CustomerManagedKey } from "../rules/cosmos/cos-10-cosmos-customer-managed-key";
import { cos11ContinuousBackup } from "../rules/cosmos/cos-11-cosmos-continuous-backup";
import { cos17Throughput } from "../rules/cosmos/cos-17-cosmos-throughput-capped";
import { cos20Cors } from "../rules/cosmos/cos-20-cosmos-no-wildcard-cors";
import { cos21AccountName } from "../rules/cosmos/cos-21-cosmos-account-name-valid";
import { cos19DataPlaneRbac } from "../rules/cosmos/cos-19-cosmos-least-privilege-data-rbac";
import { cos03PublicAccess } from "../rules/cosmos/cos-03-cosmos-public-network-access-disabled";
import { cos04FirewallRules } from "../rules/cosmos/cos-04-cosmos-firewall-rules-exist";
import { cos05BroadIpRules } from "../rules/cosmos/cos-05-cosmos-no-broad-ip-rules";
import { cos06AclBypass } from "../rules/cosmos/cos-06-cosmos-network-acl-bypass-off";
import { cos09MinTls } from "../rules/cosmos/cos-09-cosmos-min-tls-12";
import { cos12FreeTier } from "../rules/cosmos/cos-12-cosmos-no-free-tier";
import { cos13ZoneRedundant } from "../rules/cosmos/cos-13-cosmos-zone-redundant";
import { cos14Failover } from "../rules/cosmos/cos-14-cosmos-automatic-failover-multi-region";
import { cos16Locations } from "../rules/cosmos/cos-16-cosmos-allowed-locations";
import { cosmosArgs, hubArgs, identityArgs, sqlContainerArgs, sqlDatabaseArgs, sqlRole, sqlRoleAssignmentArgs } from "./fixtures";
import { unknown, type StackInput } from "./runPolicies";
import { assertCannotRun, assertPasses, assertSomeViolation, assertViolation, check, checkStack, mutate } from "./util";

type Account = ReturnType<typeof cosmosArgs>;
const prod = (f: (a: Account) => void = () => {}) => mutate(cosmosArgs("prod"), f);
const dev = (f: (a: Account) => void = () => {}) => mutate(cosmosArgs("dev"), f);

describe("COS-01 local auth disabled", () => {
    it("passes", () => assertPasses(check(cos01LocalAuth, "cosmosAccount", prod())));
    it("fails when absent", () => assertViolation(check(cos01LocalAuth, "cosmosAccount", prod((a) => delete a.disableLocalAuth)), cos01LocalAuth, /disableLocalAuth is absent/));
    it("fails when false", () => assertViolation(check(cos01LocalAuth, "cosmosAccount", prod((a) => (a.disableLocalAuth = false))), cos01LocalAuth, /false/));
    it("exempts Mongo accounts as Azure Policy does", () =>
        assertPasses(check(cos01LocalAuth, "cosmosAccount", prod((a) => { delete a.disableLocalAuth; a.capabilities = [{ name: "EnableMongo" }]; }))));
    it("matches the v2 alias token (azure-native:documentdb:DatabaseAccount)", () =>
        assertViolation(check(cos01LocalAuth, "cosmosAccount", prod((a) => delete a.disableLocalAuth), { v2: true }), cos01LocalAuth, /absent/));
});

describe("COS-02 key-based metadata writes disabled", () => {
    it("passes", () => assertPasses(check(cos02MetadataWrites, "cosmosAccount", prod())));
    it("fails when absent", () => assertViolation(check(cos02MetadataWrites, "cosmosAccount", prod((a) => delete a.disableKeyBasedMetadataWriteAccess)), cos02MetadataWrites, /absent; it must be true/));
});

describe("COS-03 public network access disabled", () => {
    it("passes Disabled (any casing)", () => assertPasses(check(cos03PublicAccess, "cosmosAccount", prod((a) => (a.publicNetworkAccess = "DISABLED")))));
    it("fails when absent (Enabled)", () => assertViolation(check(cos03PublicAccess, "cosmosAccount", prod((a) => delete a.publicNetworkAccess)), cos03PublicAccess, /absent \(Enabled\)/));
    it("fails Enabled even with firewall rules (dev's accepted deviation)", () => assertViolation(check(cos03PublicAccess, "cosmosAccount", dev()), cos03PublicAccess, /"Enabled"/));
    it("fails SecuredByPerimeter", () => assertViolation(check(cos03PublicAccess, "cosmosAccount", prod((a) => (a.publicNetworkAccess = "SecuredByPerimeter"))), cos03PublicAccess, /SecuredByPerimeter/));
});

describe("COS-04 firewall rules exist when public", () => {
    it("passes a public account with IP rules", () => assertPasses(check(cos04FirewallRules, "cosmosAccount", dev())));
    it("passes a private account without rules", () => assertPasses(check(cos04FirewallRules, "cosmosAccount", prod())));
    it("passes virtual network filtering with a rule", () =>
        assertPasses(check(cos04FirewallRules, "cosmosAccount", dev((a) => { a.ipRules = []; a.isVirtualNetworkFilterEnabled = true; a.virtualNetworkRules = [{ id: "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s" }]; }))));
    it("fails public without rules", () => assertViolation(check(cos04FirewallRules, "cosmosAccount", dev((a) => (a.ipRules = []))), cos04FirewallRules, /no IP rules, no virtual network rules/));
    it("fails absent publicNetworkAccess without rules", () =>
        assertViolation(check(cos04FirewallRules, "cosmosAccount", prod((a) => delete a.publicNetworkAccess)), cos04FirewallRules, /every address can reach it/));
    it("fails virtual network filtering enabled without any rule", () =>
        assertViolation(check(cos04FirewallRules, "cosmosAccount", dev((a) => { a.ipRules = []; a.isVirtualNetworkFilterEnabled = true; })), cos04FirewallRules, /no IP rules/));
});

describe("COS-05 no all-datacenters or broad IP rules", () => {
    it("passes specific ranges", () => assertPasses(check(cos05BroadIpRules, "cosmosAccount", dev())));
    it("fails 0.0.0.0 (all Azure datacenters)", () =>
        assertViolation(check(cos05BroadIpRules, "cosmosAccount", dev((a) => a.ipRules!.push({ ipAddressOrRange: "0.0.0.0" }))), cos05BroadIpRules, /all Azure datacenters/));
    it("fails 0.0.0.0/0", () => assertViolation(check(cos05BroadIpRules, "cosmosAccount", dev((a) => a.ipRules!.push({ ipAddressOrRange: "0.0.0.0/0" }))), cos05BroadIpRules, /admits 0\.0\.0\.0\/0/));
    it("fails 128.0.0.0/1", () => assertViolation(check(cos05BroadIpRules, "cosmosAccount", dev((a) => a.ipRules!.push({ ipAddressOrRange: "128.0.0.0/1" }))), cos05BroadIpRules, /128\.0\.0\.0\/1/));
    it("fails an unparseable entry", () => assertViolation(check(cos05BroadIpRules, "cosmosAccount", dev((a) => a.ipRules!.push({ ipAddressOrRange: "example.com" }))), cos05BroadIpRules, /not an IPv4 address/));
    it("respects the configured prefix", () =>
        assertViolation(check(cos05BroadIpRules, "cosmosAccount", dev(), { config: { minPrefixLength: 30 } }), cos05BroadIpRules, /\/30 or narrower/));
});

describe("COS-06 network ACL bypass", () => {
    it("passes None", () => assertPasses(check(cos06AclBypass, "cosmosAccount", prod())));
    it("passes absent (service default None)", () => assertPasses(check(cos06AclBypass, "cosmosAccount", prod((a) => delete a.networkAclBypass))));
    it("passes AzureServices narrowed to resource ids", () =>
        assertPasses(check(cos06AclBypass, "cosmosAccount", prod((a) => { a.networkAclBypass = "AzureServices"; a.networkAclBypassResourceIds = ["/subscriptions/x/resourceGroups/r/providers/Microsoft.Synapse/workspaces/w"]; }))));
    it("fails AzureServices without resource ids", () =>
        assertViolation(check(cos06AclBypass, "cosmosAccount", prod((a) => (a.networkAclBypass = "AzureServices"))), cos06AclBypass, /"AzureServices" without explicit/));
});

describe("COS-09 minimum TLS", () => {
    it("passes Tls12", () => assertPasses(check(cos09MinTls, "cosmosAccount", prod())));
    it("fails Tls", () => assertViolation(check(cos09MinTls, "cosmosAccount", prod((a) => (a.minimalTlsVersion = "Tls"))), cos09MinTls, /"Tls"/));
    it("fails Tls11", () => assertViolation(check(cos09MinTls, "cosmosAccount", prod((a) => (a.minimalTlsVersion = "Tls11"))), cos09MinTls, /"Tls11"/));
    it("fails when absent", () => assertViolation(check(cos09MinTls, "cosmosAccount", prod((a) => delete a.minimalTlsVersion)), cos09MinTls, /absent/));
});

describe("COS-10 customer-managed key (configurable)", () => {
    it("passes without a key when not required (default)", () => assertPasses(check(cos10CustomerManagedKey, "cosmosAccount", prod())));
    it("fails without a key when required", () =>
        assertViolation(check(cos10CustomerManagedKey, "cosmosAccount", prod(), { config: { required: true } }), cos10CustomerManagedKey, /requires a customer-managed key/));
    it("passes with a key when required", () =>
        assertPasses(check(cos10CustomerManagedKey, "cosmosAccount", prod((a) => (a.keyVaultKeyUri = "https://kv.vault.azure.net/keys/cosmos")), { config: { required: true } })));
});

describe("COS-11 continuous backup", () => {
    it("passes Continuous", () => assertPasses(check(cos11ContinuousBackup, "cosmosAccount", prod())));
    it("fails when absent (periodic)", () => assertViolation(check(cos11ContinuousBackup, "cosmosAccount", prod((a) => delete a.backupPolicy)), cos11ContinuousBackup, /absent \(periodic backup\)/));
    it("fails Periodic", () => assertViolation(check(cos11ContinuousBackup, "cosmosAccount", prod((a) => (a.backupPolicy = { type: "Periodic" }))), cos11ContinuousBackup, /"Periodic"/));
});

describe("COS-12 no free tier", () => {
    it("passes", () => assertPasses(check(cos12FreeTier, "cosmosAccount", prod())));
    it("fails enableFreeTier", () => assertViolation(check(cos12FreeTier, "cosmosAccount", prod((a) => (a.enableFreeTier = true))), cos12FreeTier, /enableFreeTier is true/));
});

describe("COS-13 zone redundancy", () => {
    it("passes a zone-redundant primary", () => assertPasses(check(cos13ZoneRedundant, "cosmosAccount", prod())));
    it("finds the primary by failoverPriority, not position", () =>
        assertViolation(check(cos13ZoneRedundant, "cosmosAccount", prod((a) => { a.locations.reverse(); a.locations[1].isZoneRedundant = false; a.locations[0].isZoneRedundant = true; })), cos13ZoneRedundant, /primary region westeurope \(locations\[1\]\)/));
    it("fails when absent", () => assertViolation(check(cos13ZoneRedundant, "cosmosAccount", prod((a) => delete a.locations[0].isZoneRedundant)), cos13ZoneRedundant, /isZoneRedundant absent/));
    it("fails without locations", () => assertViolation(check(cos13ZoneRedundant, "cosmosAccount", prod((a) => (a.locations = []))), cos13ZoneRedundant, /no entry/));
});

describe("COS-14 automatic failover and regions", () => {
    it("passes two regions with automatic failover", () => assertPasses(check(cos14Failover, "cosmosAccount", prod())));
    it("fails a single region", () => assertViolation(check(cos14Failover, "cosmosAccount", prod((a) => a.locations.pop())), cos14Failover, /1 region\(s\); at least 2/));
    it("fails without automatic failover", () => assertViolation(check(cos14Failover, "cosmosAccount", prod((a) => delete a.enableAutomaticFailover)), cos14Failover, /enableAutomaticFailover is absent/));
    it("respects the configuration", () => assertPasses(check(cos14Failover, "cosmosAccount", dev(), { config: { minRegions: 1, requireAutomaticFailover: false } })));
});

describe("COS-16 allowed locations", () => {
    it("passes westeurope + northeurope", () => assertPasses(check(cos16Locations, "cosmosAccount", prod())));
    it("normalises display names", () => assertPasses(check(cos16Locations, "cosmosAccount", prod((a) => (a.locations[1].locationName = "North Europe")))));
    it("fails a region outside the list", () =>
        assertViolation(check(cos16Locations, "cosmosAccount", prod((a) => (a.locations[1].locationName = "eastus"))), cos16Locations, /'eastus' is not allowed/));
    it("respects the configured list", () =>
        assertViolation(check(cos16Locations, "cosmosAccount", prod(), { config: { allowedLocations: ["westeurope"] } }), cos16Locations, /northeurope/));
});

describe("COS-17 throughput capped", () => {
    it("passes a provisioned account with a limit", () => assertPasses(check(cos17Throughput, "cosmosAccount", prod())));
    it("passes a serverless account without a limit", () => assertPasses(check(cos17Throughput, "cosmosAccount", dev())));
    it("fails a provisioned account without a limit", () => assertViolation(check(cos17Throughput, "cosmosAccount", prod((a) => delete a.capacity)), cos17Throughput, /totalThroughputLimit is absent/));
    it("fails -1 (unlimited)", () => assertViolation(check(cos17Throughput, "cosmosAccount", prod((a) => (a.capacity = { totalThroughputLimit: -1 }))), cos17Throughput, /\(no limit\)/));
    it("fails a limit above throughputMax", () =>
        assertViolation(check(cos17Throughput, "cosmosAccount", prod(), { config: { throughputMax: 1000 } }), cos17Throughput, /4000 RU\/s, above the 1000/));
    it("passes a container within the cap", () => assertPasses(check(cos17Throughput, "cosmosSqlContainer", sqlContainerArgs("prod"))));
    it("fails a container autoscale above the cap", () =>
        assertViolation(check(cos17Throughput, "cosmosSqlContainer", sqlContainerArgs("prod"), { config: { throughputMax: 1000 } }), cos17Throughput, /autoscaleSettings\.maxThroughput is 4000/));
    it("fails a database manual throughput above the cap (number as string)", () =>
        assertViolation(check(cos17Throughput, "cosmosSqlDatabase", { ...sqlDatabaseArgs("prod"), options: { throughput: "20000" } }), cos17Throughput, /options\.throughput is 20000/));
});

describe("COS-20 CORS", () => {
    it("passes without CORS", () => assertPasses(check(cos20Cors, "cosmosAccount", prod())));
    it("passes explicit origins", () => assertPasses(check(cos20Cors, "cosmosAccount", prod((a) => (a.cors = [{ allowedOrigins: "https://app.contoso.com,https://admin.contoso.com" }])))));
    it("fails a wildcard origin", () => assertViolation(check(cos20Cors, "cosmosAccount", prod((a) => (a.cors = [{ allowedOrigins: "https://app.contoso.com, *" }]))), cos20Cors, /wildcards are not allowed/));
});

describe("COS-21 account name", () => {
    it("passes", () => assertPasses(check(cos21AccountName, "cosmosAccount", prod())));
    it("fails upper case", () => assertViolation(check(cos21AccountName, "cosmosAccount", prod((a) => (a.accountName = "Cosmos-Prod"))), cos21AccountName, /"Cosmos-Prod"/));
    it("fails a trailing hyphen", () => assertViolation(check(cos21AccountName, "cosmosAccount", prod((a) => (a.accountName = "cosmos-"))), cos21AccountName, /leading or trailing hyphen/));
    it("fails 45 characters", () => assertViolation(check(cos21AccountName, "cosmosAccount", prod((a) => (a.accountName = "a".repeat(45)))), cos21AccountName, /3-44/));
    it("checks the resource name when auto-named", () =>
        assertViolation(check(cos21AccountName, "cosmosAccount", prod((a) => delete a.accountName), { name: "Cosmos_Account" }), cos21AccountName, /resource name "Cosmos_Account"/));
});

// ---- COS-19 data-plane RBAC (stack) -------------------------------------------------------------

const T = TOKENS;
function rbacStack(o: { writer?: (x: ReturnType<typeof sqlRoleAssignmentArgs>) => void; reader?: (x: ReturnType<typeof sqlRoleAssignmentArgs>) => void; readerDeps?: Record<string, string[]>; writerDeps?: Record<string, string[]> } = {}): StackInput[] {
    return [
        { type: T.userAssignedIdentity[0], name: "hub-identity", props: identityArgs("prod") },
        { type: T.userAssignedIdentity[0], name: "api-identity", props: identityArgs("prod", "id-api") },
        { type: T.iotHub[0], name: "hub", props: hubArgs("prod"), propertyDependencies: { identity: ["hub-identity"] } },
        { type: T.cosmosAccount[0], name: "cosmos", props: cosmosArgs("prod") },
        { type: T.cosmosSqlDatabase[0], name: "db", props: sqlDatabaseArgs("prod") },
        { type: T.cosmosSqlContainer[0], name: "container", props: sqlContainerArgs("prod") },
        { type: T.cosmosSqlRoleAssignment[0], name: "writer", props: mutate(sqlRoleAssignmentArgs("prod", "contributor"), o.writer ?? (() => {})), propertyDependencies: o.writerDeps ?? { principalId: ["hub-identity"], scope: ["container"] } },
        { type: T.cosmosSqlRoleAssignment[0], name: "reader", props: mutate(sqlRoleAssignmentArgs("prod", "reader"), o.reader ?? (() => {})), propertyDependencies: o.readerDeps ?? { principalId: ["api-identity"], scope: ["db"] } },
    ];
}
const CONTRIBUTOR = sqlRole("prod", "00000000-0000-0000-0000-000000000002");

describe("COS-19 least-privilege data-plane RBAC (stack)", () => {
    it("passes: hub identity writes to the container, API identity reads the database", () => assertPasses(checkStack(cos19DataPlaneRbac, rbacStack())));
    it("passes at preview with principals and scopes unknown", () =>
        assertPasses(checkStack(cos19DataPlaneRbac, rbacStack({ writer: (w) => { w.principalId = unknown(); w.scope = unknown(); }, reader: (r) => { r.principalId = unknown(); r.scope = unknown(); } }))));
    it("fails Data Contributor for the API identity", () =>
        assertViolation(checkStack(cos19DataPlaneRbac, rbacStack({ reader: (r) => (r.roleDefinitionId = CONTRIBUTOR) })), cos19DataPlaneRbac, /'reader' grants a writing role to a principal that is not a writer/));
    it("fails an account-wide scope", () =>
        assertViolation(checkStack(cos19DataPlaneRbac, rbacStack({ reader: (r) => (r.scope = "/"), readerDeps: { principalId: ["api-identity"] } })), cos19DataPlaneRbac, /scoped to '\/' \(the whole account\)/));
    it("fails an account-id scope", () =>
        assertViolation(checkStack(cos19DataPlaneRbac, rbacStack({ writer: (w) => (w.scope = sqlRole("prod", "x").replace(/\/sqlRoleDefinitions\/x$/, "")) })), cos19DataPlaneRbac, /the whole account/));
    it("accepts a configured writer", () =>
        assertPasses(checkStack(cos19DataPlaneRbac, rbacStack({ reader: (r) => (r.roleDefinitionId = CONTRIBUTOR) }), { writerResourceNames: ["api-identity"] })));
    it("treats a custom role with write actions as a writing role", () => {
        const stack = rbacStack({ reader: (r) => (r.roleDefinitionId = sqlRole("prod", "custom-writer")) });
        stack.push({ type: T.cosmosSqlRoleDefinition[0], name: "custom", props: { roleDefinitionId: "custom-writer", permissions: [{ dataActions: ["Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/*"] }] } });
        assertViolation(checkStack(cos19DataPlaneRbac, stack), cos19DataPlaneRbac, /'reader' grants a writing role/);
    });
    it("accepts a custom read-only role for a reader", () => {
        const stack = rbacStack({ reader: (r) => (r.roleDefinitionId = sqlRole("prod", "custom-reader")) });
        stack.push({ type: T.cosmosSqlRoleDefinition[0], name: "custom", props: { roleDefinitionId: "custom-reader", permissions: [{ dataActions: ["Microsoft.DocumentDB/databaseAccounts/readMetadata", "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/read"] }] } });
        assertPasses(checkStack(cos19DataPlaneRbac, stack));
    });
    it("waits when a writing role's principal is unknown and not linked to any resource", () =>
        assertCannotRun(checkStack(cos19DataPlaneRbac, rbacStack({ writer: (w) => (w.principalId = unknown()), writerDeps: { scope: ["container"] } })), /principalId/));
    it("waits when the scope is unknown and computed from the account only", () =>
        assertCannotRun(checkStack(cos19DataPlaneRbac, rbacStack({ reader: (r) => (r.scope = unknown()), readerDeps: { principalId: ["api-identity"], scope: ["cosmos"] } })), /scope/));
    it("reports the known violations before waiting for an unknown value", () => {
        const r = checkStack(cos19DataPlaneRbac, rbacStack({ reader: (x) => (x.roleDefinitionId = CONTRIBUTOR), writer: (w) => (w.scope = unknown()), writerDeps: { principalId: ["hub-identity"] } }));
        assertSomeViolation({ violations: r.violations, cannotRun: [] }, cos19DataPlaneRbac, /not a writer/);
        assertCannotRun(r, /scope/);
    });
});
