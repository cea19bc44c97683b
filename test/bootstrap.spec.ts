/**
 * The bootstrap project (bootstrap/): what it deploys, run under the real Pulumi runtime with
 * mocks, and which configurations it rejects. The security properties a reviewer signs are
 * asserted on the inputs the SDK sends to the engine: no shared keys and no public blobs on the
 * state account, federated subjects pinned to the repository, every role assignment scoped to a
 * resource group / the state container / the state key, never Owner or User Access
 * Administrator, never at subscription scope.
 */
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import {
    BOOTSTRAP_CONFIG_KEYS,
    BOOTSTRAP_DEFAULTS,
    BootstrapConfigError,
    deriveSuffix,
    parseBootstrapConfig,
    type BootstrapConfig,
} from "../bootstrap/config";
import {
    ASSIGNABLE_DATA_PLANE_ROLES,
    AZURE_AD_TOKEN_EXCHANGE,
    BUILTIN_ROLES,
    FORBIDDEN_ROLES,
    GITHUB_OIDC_ISSUER,
    GRAPH_APPLICATION_READ_ALL,
    GRAPH_APPLICATION_READWRITE_OWNEDBY,
    LOCK_ACTIONS,
    MICROSOFT_GRAPH_APP_ID,
    PREVIEW_EXTRA_ACTIONS,
    bootstrapNames,
    deployBootstrap,
    type BootstrapOutputs,
} from "../bootstrap/program";
import { IOT_HUB_ROLES } from "../components/iotHub";

const ROOT = path.resolve(__dirname, "..");
const BOOTSTRAP = path.join(ROOT, "bootstrap");
const SUB = "0a1b2c3d-0000-4000-8000-00000000000a";
const TENANT = "7e57e57e-0000-4000-8000-00000000000b";
const GRAPH_SP_OBJECT_ID = "9a9a9a9a-0000-4000-8000-00000000000c";
const REPO = "contoso/secure-iot-platform";

// ------------------------------------------------------------------------------------------------
// Mocks: what ARM and Microsoft Graph answer after create (deterministic ids).

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
    id: string;
    state: Record<string, any>;
}

function uuid(seed: string): string {
    const h = createHash("sha256").update(seed).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function mocks(registered: Registered[], invokes: string[]): pulumi.runtime.Mocks {
    const sub = `/subscriptions/${SUB}`;
    return {
        newResource(args) {
            const i = args.inputs as Record<string, any>;
            let id = `${args.type}/${args.name}`;
            let extra: Record<string, unknown> = {};
            switch (args.type) {
                case "azure-native:resources:ResourceGroup":
                    id = `${sub}/resourceGroups/${i.resourceGroupName}`;
                    extra = { name: i.resourceGroupName };
                    break;
                case "azure-native:storage:StorageAccount":
                    id = `${sub}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${i.accountName}`;
                    extra = { name: i.accountName };
                    break;
                case "azure-native:storage:BlobContainer":
                    id = `${sub}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${i.accountName}/blobServices/default/containers/${i.containerName}`;
                    extra = { name: i.containerName };
                    break;
                case "azure-native:keyvault:Vault":
                    id = `${sub}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${i.vaultName}`;
                    extra = { name: i.vaultName };
                    break;
                case "azure-native:keyvault:Key":
                    id = `${sub}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${i.vaultName}/keys/${i.keyName}`;
                    extra = { name: i.keyName };
                    break;
                case "azure-native:authorization:RoleDefinition":
                    id = `${sub}/providers/Microsoft.Authorization/roleDefinitions/${i.roleDefinitionId}`;
                    break;
                case "azure-native:authorization:RoleAssignment":
                    id = `${i.scope}/providers/Microsoft.Authorization/roleAssignments/${uuid(args.name)}`;
                    break;
                case "azuread:index/applicationRegistration:ApplicationRegistration": {
                    const objectId = uuid(`${args.name}/object`);
                    id = `/applications/${objectId}`;
                    extra = { objectId, clientId: uuid(`${args.name}/client`) };
                    break;
                }
                case "azuread:index/servicePrincipal:ServicePrincipal": {
                    const objectId = uuid(`${args.name}/sp`);
                    id = `/servicePrincipals/${objectId}`;
                    extra = { objectId };
                    break;
                }
            }
            const state = { ...i, ...extra };
            registered.push({ type: args.type, name: args.name, inputs: i, id, state });
            return { id, state };
        },
        call(args) {
            invokes.push(args.token);
            switch (args.token) {
                case "azure-native:authorization:getClientConfig":
                    return { subscriptionId: SUB, tenantId: TENANT, clientId: uuid("admin/client"), objectId: uuid("admin/object") };
                case "azuread:index/getServicePrincipal:getServicePrincipal":
                    return { objectId: GRAPH_SP_OBJECT_ID, clientId: args.inputs.clientId, displayName: "Microsoft Graph" };
                default:
                    throw new Error(`unexpected invoke ${args.token}`);
            }
        },
    };
}

const waitForRPCs = () => (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

const baseRaw = {
    githubRepository: REPO,
    stacks: ["dev=rg-iot-dev-1a2b3c", "prod=rg-iot-prod-4d5e6f"],
    stateUsers: ["Group:3c1f9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"],
};

interface Run {
    cfg: BootstrapConfig;
    resources: Registered[];
    invokes: string[];
    out: BootstrapOutputs;
}

async function runBootstrap(raw: Record<string, unknown>): Promise<Run> {
    const resources: Registered[] = [];
    const invokes: string[] = [];
    await pulumi.runtime.setMocks(mocks(resources, invokes), "secure-iot-bootstrap", "org", false);
    const cfg = parseBootstrapConfig(raw);
    const out = deployBootstrap(cfg);
    await value(out.githubSetupCommands);
    await waitForRPCs();
    return { cfg, resources, invokes, out };
}

const ofType = (run: Run, type: string) => run.resources.filter((r) => r.type === type);
function one(run: Run, type: string, name?: string): Registered {
    const found = ofType(run, type).filter((r) => name === undefined || r.name === name);
    assert.equal(found.length, 1, `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    return found[0];
}
const roleGuid = (roleDefinitionId: string) => roleDefinitionId.split("/").pop()!;
const rgId = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;

// ------------------------------------------------------------------------------------------------
describe("bootstrap configuration", () => {
    test("Pulumi.yaml declares exactly the keys the program reads, with the same kinds and defaults", () => {
        const project = yaml.load(fs.readFileSync(path.join(BOOTSTRAP, "Pulumi.yaml"), "utf8")) as {
            name: string;
            main: string;
            runtime: { name: string };
            config: Record<string, { type: string; default?: unknown; description?: string }>;
        };
        assert.equal(project.name, "secure-iot-bootstrap");
        assert.equal(project.runtime.name, "nodejs");
        // Without an explicit main the Node.js host would take the root package.json's "main" (the platform).
        assert.equal(project.main, "index.ts");
        assert.ok(fs.existsSync(path.join(BOOTSTRAP, project.main)));
        assert.deepEqual(Object.keys(project.config).sort(), Object.keys(BOOTSTRAP_CONFIG_KEYS).sort());
        for (const [key, decl] of Object.entries(project.config)) {
            assert.equal(decl.type, BOOTSTRAP_CONFIG_KEYS[key as keyof typeof BOOTSTRAP_CONFIG_KEYS], `${key}: declared type`);
            assert.ok(decl.description && decl.description.length > 20, `${key}: has a description`);
            assert.deepEqual(decl.default, BOOTSTRAP_DEFAULTS[key as keyof typeof BOOTSTRAP_DEFAULTS], `${key}: default`);
        }
        // The two settings with no safe default must be given explicitly.
        assert.equal(project.config.githubRepository.default, undefined);
        assert.equal(project.config.stacks.default, undefined);
    });

    test("the example stack file is a valid configuration", () => {
        const doc = yaml.load(fs.readFileSync(path.join(BOOTSTRAP, "Pulumi.example.yaml"), "utf8")) as { config: Record<string, unknown> };
        const raw = Object.fromEntries(
            Object.entries(doc.config)
                .filter(([k]) => k.startsWith("secure-iot-bootstrap:"))
                .map(([k, v]) => [k.slice("secure-iot-bootstrap:".length), v]),
        );
        const cfg = parseBootstrapConfig(raw);
        assert.deepEqual(cfg.stacks.map((s) => s.name), ["dev", "prod"]);
    });

    test("names stay inside the services' limits for the longest prefix, and the suffix is stable", () => {
        const cfg = parseBootstrapConfig({ ...baseRaw, namePrefix: "abcdefgh" });
        const names = bootstrapNames(cfg);
        assert.match(names.storageAccount, /^[a-z0-9]{3,24}$/);
        assert.match(names.keyVault, /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/);
        assert.equal(cfg.nameSuffix, deriveSuffix(REPO, "abcdefgh"));
        assert.equal(parseBootstrapConfig({ ...baseRaw, namePrefix: "abcdefgh" }).nameSuffix, cfg.nameSuffix);
        assert.notEqual(deriveSuffix("contoso/other-repo", "abcdefgh"), cfg.nameSuffix);
        assert.equal(parseBootstrapConfig({ ...baseRaw, nameSuffix: "x1y2" }).nameSuffix, "x1y2");
    });

    const rejections: [string, Record<string, unknown>, string, RegExp][] = [
        ["a missing repository", { stacks: baseRaw.stacks }, "githubRepository", /owner\/repo/],
        ["a repository without an owner", { ...baseRaw, githubRepository: "secure-iot-platform" }, "githubRepository", /owner\/repo/],
        ["a wildcard repository", { ...baseRaw, githubRepository: "contoso/*" }, "githubRepository", /owner\/repo/],
        ["no stacks", { ...baseRaw, stacks: [] }, "stacks", /at least one stack/],
        ["a stack without a resource group", { ...baseRaw, stacks: ["dev"] }, "stacks", /stack=resourceGroupName/],
        ["an invalid stack name", { ...baseRaw, stacks: ["Dev Stack=rg-x"] }, "stacks", /GitHub environment/],
        ["a stack listed twice", { ...baseRaw, stacks: ["dev=rg-a", "dev=rg-b"] }, "stacks", /listed twice/],
        ["two stacks sharing a resource group", { ...baseRaw, stacks: ["dev=rg-a", "prod=RG-A"] }, "stacks", /its own/],
        ["a prefix too long for the Key Vault name", { ...baseRaw, namePrefix: "platformiot" }, "namePrefix", /2-8/],
        ["a prefix with a hyphen", { ...baseRaw, namePrefix: "io-t" }, "namePrefix", /letters or digits/],
        ["an unknown storage SKU", { ...baseRaw, stateStorageSku: "Premium_LRS" }, "stateStorageSku", /Standard_ZRS/],
        ["soft delete shorter than a week", { ...baseRaw, stateSoftDeleteDays: 1 }, "stateSoftDeleteDays", /at least 7/],
        ["Key Vault retention above 90 days", { ...baseRaw, keyVaultSoftDeleteDays: 120 }, "keyVaultSoftDeleteDays", /7-90/],
        ["an invalid CIDR", { ...baseRaw, allowedIpRanges: ["10.0.0.0/33"] }, "allowedIpRanges", /IPv4/],
        ["a state user without a type", { ...baseRaw, stateUsers: ["3c1f9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"] }, "stateUsers", /User:<object id> or Group:<object id>/],
        ["a non-boolean consent flag", { ...baseRaw, grantGraphAdminConsent: "yes" }, "grantGraphAdminConsent", /true or false/],
    ];
    for (const [what, raw, key, message] of rejections) {
        test(`rejects ${what}, naming ${key}`, () => {
            assert.throws(
                () => parseBootstrapConfig(raw),
                (e: unknown) => {
                    assert.ok(e instanceof BootstrapConfigError, `BootstrapConfigError, got ${String(e)}`);
                    const hit = e.problems.find((p) => p.key === key);
                    assert.ok(hit, `a problem for ${key} in ${e.message}`);
                    assert.match(hit.message, message);
                    assert.match(e.message, new RegExp(`secure-iot-bootstrap:${key}:`));
                    return true;
                },
            );
        });
    }

    test("rejects a misspelt key, and reports every problem at once", () => {
        try {
            parseBootstrapConfig({ stacks: ["dev"], namePrefix: "x", stateSoftDeleteDays: 0 }, ["githubRepo"]);
            assert.fail("expected a BootstrapConfigError");
        } catch (e) {
            assert.ok(e instanceof BootstrapConfigError);
            assert.deepEqual(
                [...new Set(e.problems.map((p) => p.key))].sort(),
                ["githubRepo", "githubRepository", "namePrefix", "stacks", "stateSoftDeleteDays"],
            );
            assert.match(e.message, /githubRepo: is not a setting of this project/);
        }
    });
});

// ------------------------------------------------------------------------------------------------
describe("bootstrap: what gets deployed", () => {
    let run: Run;
    before(async () => {
        run = await runBootstrap(baseRaw);
    });

    test("the state account takes Entra ID only: no shared keys, no public blobs, TLS 1.2, HTTPS only", () => {
        const sa = one(run, "azure-native:storage:StorageAccount").inputs;
        assert.equal(sa.allowSharedKeyAccess, false);
        assert.equal(sa.allowBlobPublicAccess, false);
        assert.equal(sa.minimumTlsVersion, "TLS1_2");
        assert.equal(sa.enableHttpsTrafficOnly, true);
        assert.equal(sa.defaultToOAuthAuthentication, true);
        assert.equal(sa.allowCrossTenantReplication, false);
        assert.equal(sa.isLocalUserEnabled, false);
        assert.equal(sa.isSftpEnabled, false);
        assert.equal(sa.encryption.requireInfrastructureEncryption, true);
        assert.equal(sa.sku.name, "Standard_ZRS");
        assert.equal(sa.resourceGroupName, "rg-iot-pulumi-state");
    });

    test("state blobs are versioned and soft-deleted; the container is private", () => {
        const svc = one(run, "azure-native:storage:BlobServiceProperties").inputs;
        assert.equal(svc.isVersioningEnabled, true);
        assert.deepEqual(svc.deleteRetentionPolicy, { enabled: true, days: 30, allowPermanentDelete: false });
        assert.deepEqual(svc.containerDeleteRetentionPolicy, { enabled: true, days: 30 });
        const c = one(run, "azure-native:storage:BlobContainer").inputs;
        assert.equal(c.publicAccess, "None");
        assert.equal(c.containerName, "pulumi-state");
        const lock = one(run, "azure-native:authorization:ManagementLockAtResourceGroupLevel").inputs;
        assert.equal(lock.level, "CanNotDelete");
        assert.equal(lock.resourceGroupName, "rg-iot-pulumi-state");
    });

    test("without allowedIpRanges the endpoints stay public (GitHub-hosted runners) but Entra-only; with them, deny by default", async () => {
        const sa = one(run, "azure-native:storage:StorageAccount").inputs;
        assert.equal(sa.networkRuleSet.defaultAction, "Allow");
        const restricted = await runBootstrap({ ...baseRaw, allowedIpRanges: ["203.0.113.0/24", "198.51.100.7/32"] });
        const rsa = one(restricted, "azure-native:storage:StorageAccount").inputs;
        assert.equal(rsa.networkRuleSet.defaultAction, "Deny");
        assert.deepEqual(rsa.networkRuleSet.ipRules.map((r: { iPAddressOrRange: string }) => r.iPAddressOrRange), ["203.0.113.0/24", "198.51.100.7"]);
        const kv = one(restricted, "azure-native:keyvault:Vault").inputs;
        assert.equal(kv.properties.networkAcls.defaultAction, "Deny");
        assert.deepEqual(kv.properties.networkAcls.ipRules, [{ value: "203.0.113.0/24" }, { value: "198.51.100.7/32" }]);
    });

    test("the Key Vault uses RBAC with purge protection and soft delete; the key never expires or rotates", () => {
        const kv = one(run, "azure-native:keyvault:Vault").inputs;
        assert.equal(kv.properties.enableRbacAuthorization, true);
        assert.equal(kv.properties.enablePurgeProtection, true);
        assert.equal(kv.properties.enableSoftDelete, true);
        assert.equal(kv.properties.softDeleteRetentionInDays, 90);
        assert.equal(kv.properties.accessPolicies, undefined);
        assert.equal(kv.properties.tenantId, TENANT);
        const key = one(run, "azure-native:keyvault:Key").inputs;
        assert.equal(key.properties.kty, "RSA");
        assert.ok(key.properties.keySize >= 3072);
        assert.deepEqual([...key.properties.keyOps].sort(), ["decrypt", "encrypt", "unwrapKey", "wrapKey"]);
        assert.equal(key.properties.rotationPolicy, undefined);
        assert.equal(key.properties.attributes.expires, undefined);
        assert.equal(key.properties.attributes.exportable, false);
    });

    test("one resource group per stack, with the configured names", () => {
        const rgs = ofType(run, "azure-native:resources:ResourceGroup").map((r) => r.inputs.resourceGroupName).sort();
        assert.deepEqual(rgs, ["rg-iot-dev-1a2b3c", "rg-iot-prod-4d5e6f", "rg-iot-pulumi-state"]);
    });

    test("federated credentials: GitHub's issuer and audience, subjects pinned to the repository's environments and pull requests", () => {
        const fics = ofType(run, "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential");
        for (const f of fics) {
            assert.equal(f.inputs.issuer, GITHUB_OIDC_ISSUER);
            assert.deepEqual(f.inputs.audiences, [AZURE_AD_TOKEN_EXCHANGE]);
            assert.ok(f.inputs.subject.startsWith(`repo:${REPO}:`), f.inputs.subject);
            assert.doesNotMatch(f.inputs.subject, /\*/);
        }
        assert.deepEqual(
            fics.map((f) => f.inputs.subject).sort(),
            [
                `repo:${REPO}:environment:dev`,
                `repo:${REPO}:environment:prod`,
                `repo:${REPO}:pull_request`,
                `repo:${REPO}:ref:refs/heads/main`,
            ],
        );
        // Each subject belongs to the right app: an environment's token signs in only as that stack's deploy app.
        const appId = (name: string) => one(run, "azuread:index/applicationRegistration:ApplicationRegistration", name).id;
        const subjectsOf = (name: string) => fics.filter((f) => f.inputs.applicationId === appId(name)).map((f) => f.inputs.subject).sort();
        assert.deepEqual(subjectsOf("deploy-dev"), [`repo:${REPO}:environment:dev`]);
        assert.deepEqual(subjectsOf("deploy-prod"), [`repo:${REPO}:environment:prod`]);
        assert.deepEqual(subjectsOf("preview"), [`repo:${REPO}:pull_request`, `repo:${REPO}:ref:refs/heads/main`]);
        for (const app of ofType(run, "azuread:index/applicationRegistration:ApplicationRegistration")) {
            assert.equal(app.inputs.signInAudience, "AzureADMyOrg");
        }
        // No secrets anywhere: no password or certificate credentials are created.
        assert.equal(run.resources.filter((r) => /Password|Certificate/.test(r.type)).length, 0);
    });

    test("no role assignment at subscription scope, and never Owner or User Access Administrator", () => {
        const ras = ofType(run, "azure-native:authorization:RoleAssignment");
        assert.ok(ras.length > 0);
        for (const ra of ras) {
            assert.match(ra.inputs.scope, /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/, `${ra.name} is scoped below a resource group`);
            assert.ok(!Object.values(FORBIDDEN_ROLES).includes(roleGuid(ra.inputs.roleDefinitionId) as never), `${ra.name} grants a forbidden role`);
        }
    });

    test("each deploy identity: Contributor, constrained RBAC administration and locks on its own group only; state and key", () => {
        const ras = ofType(run, "azure-native:authorization:RoleAssignment");
        const sp = (name: string) => one(run, "azuread:index/servicePrincipal:ServicePrincipal", name).state.objectId as string;
        const lockRoleId = one(run, "azure-native:authorization:RoleDefinition", "lock-operator").id;
        const container = one(run, "azure-native:storage:BlobContainer").id;
        const key = one(run, "azure-native:keyvault:Key").id;
        for (const [stack, rg, otherRg] of [["dev", "rg-iot-dev-1a2b3c", "rg-iot-prod-4d5e6f"], ["prod", "rg-iot-prod-4d5e6f", "rg-iot-dev-1a2b3c"]]) {
            const mine = ras.filter((r) => r.inputs.principalId === sp(`deploy-${stack}`));
            const grants = mine.map((r) => `${roleGuid(r.inputs.roleDefinitionId)}@${r.inputs.scope}`).sort();
            assert.deepEqual(grants, [
                `${BUILTIN_ROLES.Contributor}@${rgId(rg)}`,
                `${BUILTIN_ROLES.RoleBasedAccessControlAdministrator}@${rgId(rg)}`,
                `${BUILTIN_ROLES.StorageBlobDataContributor}@${container}`,
                `${BUILTIN_ROLES.KeyVaultCryptoUser}@${key}`,
                `${roleGuid(lockRoleId)}@${rgId(rg)}`,
            ].sort());
            assert.ok(mine.every((r) => !r.inputs.scope.startsWith(rgId(otherRg))), `deploy-${stack} reaches no other stack`);
            assert.ok(mine.every((r) => r.inputs.principalType === "ServicePrincipal"));
            const admin = mine.find((r) => roleGuid(r.inputs.roleDefinitionId) === BUILTIN_ROLES.RoleBasedAccessControlAdministrator)!;
            assert.equal(admin.inputs.conditionVersion, "2.0");
            const condition = admin.inputs.condition as string;
            const allowed = [...condition.matchAll(/GuidEquals \{([^}]*)\}/g)].map((m) => m[1].split(",").map((g) => g.trim()).sort());
            assert.equal(allowed.length, 2, "the condition constrains both write and delete");
            for (const set of allowed) assert.deepEqual(set, Object.values(ASSIGNABLE_DATA_PLANE_ROLES).sort());
            assert.match(admin.inputs.condition, /roleAssignments\/write/);
            assert.match(admin.inputs.condition, /roleAssignments\/delete/);
        }
    });

    test("the roles a deploy identity may assign cover every IoT Hub role the platform grants", () => {
        for (const [name, id] of Object.entries(IOT_HUB_ROLES)) {
            assert.ok(Object.values(ASSIGNABLE_DATA_PLANE_ROLES).includes(id as never), `${name} (${id}) is assignable`);
        }
    });

    test("the preview identity is read-only: Reader + key lister on the groups, blob reader on state, crypto user on the key", () => {
        const ras = ofType(run, "azure-native:authorization:RoleAssignment");
        const previewSp = one(run, "azuread:index/servicePrincipal:ServicePrincipal", "preview").state.objectId;
        const keyLister = one(run, "azure-native:authorization:RoleDefinition", "preview-key-lister").id;
        const container = one(run, "azure-native:storage:BlobContainer").id;
        const key = one(run, "azure-native:keyvault:Key").id;
        const grants = ras
            .filter((r) => r.inputs.principalId === previewSp)
            .map((r) => `${roleGuid(r.inputs.roleDefinitionId)}@${r.inputs.scope}`)
            .sort();
        assert.deepEqual(grants, [
            `${BUILTIN_ROLES.Reader}@${rgId("rg-iot-dev-1a2b3c")}`,
            `${BUILTIN_ROLES.Reader}@${rgId("rg-iot-prod-4d5e6f")}`,
            `${BUILTIN_ROLES.StorageBlobDataReader}@${container}`,
            `${BUILTIN_ROLES.KeyVaultCryptoUser}@${key}`,
            `${roleGuid(keyLister)}@${rgId("rg-iot-dev-1a2b3c")}`,
            `${roleGuid(keyLister)}@${rgId("rg-iot-prod-4d5e6f")}`,
            `${BUILTIN_ROLES.DeviceProvisioningServiceDataReader}@${rgId("rg-iot-dev-1a2b3c")}`,
            `${BUILTIN_ROLES.DeviceProvisioningServiceDataReader}@${rgId("rg-iot-prod-4d5e6f")}`,
        ].sort());
        const previewAccess = ofType(run, "azuread:index/applicationApiAccess:ApplicationApiAccess").filter(
            (a) => a.inputs.applicationId === one(run, "azuread:index/applicationRegistration:ApplicationRegistration", "preview").id,
        );
        assert.deepEqual(previewAccess.map((a) => a.inputs.roleIds), [[GRAPH_APPLICATION_READ_ALL]], "Graph: read only");
    });

    test("custom roles carry only their actions and are assignable only in the stacks' groups", () => {
        const defs = ofType(run, "azure-native:authorization:RoleDefinition");
        assert.equal(defs.length, 2);
        const byName = Object.fromEntries(defs.map((d) => [d.name, d.inputs]));
        assert.deepEqual(byName["lock-operator"].permissions[0].actions, LOCK_ACTIONS);
        assert.deepEqual(byName["preview-key-lister"].permissions[0].actions, PREVIEW_EXTRA_ACTIONS);
        for (const d of defs) {
            assert.deepEqual([...d.inputs.assignableScopes].sort(), [rgId("rg-iot-dev-1a2b3c"), rgId("rg-iot-prod-4d5e6f")]);
            assert.deepEqual(d.inputs.permissions[0].dataActions, []);
            for (const a of d.inputs.permissions[0].actions) assert.doesNotMatch(a, /^\*|roleAssignments|roleDefinitions/);
            assert.match(d.inputs.roleDefinitionId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        }
    });

    test("engineers listed in stateUsers get the state and the key, nothing else", () => {
        const ras = ofType(run, "azure-native:authorization:RoleAssignment").filter((r) => r.inputs.principalId === "3c1f9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b");
        assert.deepEqual(ras.map((r) => roleGuid(r.inputs.roleDefinitionId)).sort(), [BUILTIN_ROLES.KeyVaultCryptoUser, BUILTIN_ROLES.StorageBlobDataContributor].sort());
        assert.ok(ras.every((r) => r.inputs.principalType === "Group"));
    });

    test("each deploy app requests Application.ReadWrite.OwnedBy on Microsoft Graph; consent is left to an admin by default", () => {
        const deployAppIds = new Set(
            ofType(run, "azuread:index/applicationRegistration:ApplicationRegistration").filter((a) => a.name.startsWith("deploy-")).map((a) => a.id),
        );
        const access = ofType(run, "azuread:index/applicationApiAccess:ApplicationApiAccess").filter((a) => deployAppIds.has(a.inputs.applicationId));
        assert.equal(access.length, 2);
        for (const a of access) {
            assert.equal(a.inputs.apiClientId, MICROSOFT_GRAPH_APP_ID);
            assert.deepEqual(a.inputs.roleIds, [GRAPH_APPLICATION_READWRITE_OWNEDBY]);
            assert.equal(a.inputs.scopeIds, undefined);
        }
        assert.equal(ofType(run, "azuread:index/appRoleAssignment:AppRoleAssignment").length, 0);
        assert.ok(!run.invokes.includes("azuread:index/getServicePrincipal:getServicePrincipal"));
        assert.match(run.out.graphAdminConsent, /admin-consent/);
    });

    test("with grantGraphAdminConsent the app role is assigned on the Microsoft Graph service principal", async () => {
        const consent = await runBootstrap({ ...baseRaw, grantGraphAdminConsent: true });
        const assignments = ofType(consent, "azuread:index/appRoleAssignment:AppRoleAssignment");
        assert.equal(assignments.length, 3);
        const spId = (name: string) => one(consent, "azuread:index/servicePrincipal:ServicePrincipal", name).state.objectId;
        const granted = assignments.map((a) => {
            assert.equal(a.inputs.resourceObjectId, GRAPH_SP_OBJECT_ID);
            return `${a.inputs.principalObjectId}:${a.inputs.appRoleId}`;
        });
        assert.deepEqual(granted.sort(), [
            `${spId("deploy-dev")}:${GRAPH_APPLICATION_READWRITE_OWNEDBY}`,
            `${spId("deploy-prod")}:${GRAPH_APPLICATION_READWRITE_OWNEDBY}`,
            `${spId("preview")}:${GRAPH_APPLICATION_READ_ALL}`,
        ].sort());
    });

    test("outputs: the backend and secrets provider URLs, and the variables the workflows read", async () => {
        const suffix = deriveSuffix(REPO, "iot");
        assert.equal(await value(run.out.backendUrl), `azblob://pulumi-state?storage_account=stiotstate${suffix}`);
        assert.equal(await value(run.out.secretsProvider), `azurekeyvault://kv-iot-state-${suffix}.vault.azure.net/keys/pulumi-state`);
        const repoVars = await value(run.out.githubRepositoryVariables);
        const envVars = await value(run.out.githubEnvironmentVariables);
        assert.equal(repoVars.AZURE_TENANT_ID, TENANT);
        assert.equal(repoVars.AZURE_SUBSCRIPTION_ID, SUB);
        assert.deepEqual(Object.keys(envVars).sort(), ["dev", "prod"]);
        assert.equal(envVars.dev.AZURE_CLIENT_ID, one(run, "azuread:index/applicationRegistration:ApplicationRegistration", "deploy-dev").state.clientId);
        assert.equal(await value(run.out.stacks.prod.deployServicePrincipalObjectId), one(run, "azuread:index/servicePrincipal:ServicePrincipal", "deploy-prod").state.objectId);
        assert.equal(await value(run.out.stacks.dev.resourceGroupName), "rg-iot-dev-1a2b3c");

        // Every `vars.NAME` a workflow reads is produced by bootstrap, at repository or environment level.
        const provided = new Set([...Object.keys(repoVars), ...Object.values(envVars).flatMap((v) => Object.keys(v))]);
        const wfDir = path.join(ROOT, ".github", "workflows");
        const used = new Set<string>();
        for (const f of fs.readdirSync(wfDir).filter((n) => /\.ya?ml$/.test(n))) {
            for (const m of fs.readFileSync(path.join(wfDir, f), "utf8").matchAll(/\bvars\.([A-Za-z_][A-Za-z0-9_]*)/g)) used.add(m[1]);
        }
        assert.ok(used.size > 0, "the workflows read repository variables");
        assert.deepEqual([...used].filter((v) => !provided.has(v)), [], "variables the workflows read but bootstrap does not output");
        const commands = await value(run.out.githubSetupCommands);
        for (const v of provided) assert.match(commands, new RegExp(`gh variable set ${v} --repo ${REPO}`));
        assert.match(commands, /--env prod --body/);
    });
});

// ------------------------------------------------------------------------------------------------
describe("bootstrap/index.ts under the Pulumi runtime", () => {
    const load = async (config: Record<string, string>, inStack: boolean) => {
        const resources: Registered[] = [];
        await pulumi.runtime.setMocks(mocks(resources, []), "secure-iot-bootstrap", "org", false);
        pulumi.runtime.setAllConfig(config);
        const entry = require.resolve("../bootstrap/index");
        delete require.cache[entry];
        let outputs: Record<string, unknown> | undefined;
        let error: unknown;
        try {
            // As the engine runs it (stack outputs), or plainly (a config error throws while loading).
            outputs = inStack ? await pulumi.runtime.runInPulumiStack(async () => require(entry)) : require(entry);
        } catch (e) {
            error = e;
        }
        await waitForRPCs();
        return { resources, outputs, error };
    };

    test("exports the values the workflows and stacks need", async () => {
        const { outputs, error } = await load(
            {
                "secure-iot-bootstrap:githubRepository": REPO,
                "secure-iot-bootstrap:stacks": JSON.stringify(baseRaw.stacks),
            },
            true,
        );
        assert.equal(error, undefined);
        assert.ok(outputs);
        for (const k of ["tenantId", "subscriptionId", "backendUrl", "secretsProvider", "previewClientId", "stacks", "githubRepositoryVariables", "githubEnvironmentVariables", "githubSetupCommands", "graphAdminConsent"]) {
            assert.ok(k in outputs, `exports ${k}`);
        }
    });

    test("a bad configuration stops the program before any resource, listing every problem", async () => {
        const { resources, error } = await load(
            {
                "secure-iot-bootstrap:githubRepository": "not-a-repo",
                "secure-iot-bootstrap:stacks": "[]",
                "secure-iot-bootstrap:stateSoftDeleteDays": "3",
                "secure-iot-bootstrap:stateUser": "[]",
            },
            false,
        );
        assert.ok(error instanceof Error, `an error, got ${String(error)}`);
        assert.ok(pulumi.RunError.isInstance(error), "a RunError (printed without a stack trace)");
        for (const key of ["githubRepository", "stacks", "stateSoftDeleteDays", "stateUser"]) {
            assert.match(error.message, new RegExp(`secure-iot-bootstrap:${key}:`));
        }
        assert.equal(resources.length, 0);
    });
});
