/**
 * What an organisation creates once, before the platform's first pipeline run:
 *
 * - the team state backend: a Storage account and blob container for `azblob://` state
 *   (Entra ID only: no shared keys, no public blobs; versioning and soft delete on) and a Key
 *   Vault key for the `azurekeyvault://` secrets provider (RBAC, purge protection);
 * - one resource group per platform stack, so every CI role can be scoped to it;
 * - the CI identities, without secrets: per stack a deploy app signing in from the GitHub
 *   environment of that stack, plus one read-only app for pull-request previews and the drift
 *   check; each holds only the roles it needs, on its own resource group and on the state.
 *
 * Role design (who may do what):
 *
 * | identity      | scope                   | role                                                  | why |
 * |---------------|-------------------------|-------------------------------------------------------|-----|
 * | deploy-<s>    | resource group of <s>   | Contributor                                           | create the hub, DPS, Cosmos DB, identities |
 * | deploy-<s>    | resource group of <s>   | Role Based Access Control Administrator, conditioned  | assign only the IoT Hub and DPS data-plane roles the platform grants |
 * | deploy-<s>    | resource group of <s>   | custom: resource lock operator                        | delete locks on stateful resources (Contributor cannot) |
 * | deploy-<s>    | state container         | Storage Blob Data Contributor                         | read/write the checkpoint, history, locks |
 * | deploy-<s>    | state key               | Key Vault Crypto User                                 | encrypt/decrypt the stack's data key |
 * | deploy-<s>    | Microsoft Graph         | Application.ReadWrite.OwnedBy (admin consent)         | the platform's Entra apps (only the ones it owns) |
 * | preview       | every stack's group     | Reader + custom: IoT Hub key lister                   | preview reads, and the hub key invoke the program runs at preview |
 * | preview       | every stack's group     | Device Provisioning Service Data Reader               | the drift check's refresh reads the DPS enrollment records |
 * | preview       | state container         | Storage Blob Data Reader                              | a DIY-backend preview neither locks nor writes |
 * | preview       | state key               | Key Vault Crypto User                                 | decrypt secret config during preview |
 * | preview       | Microsoft Graph         | Application.Read.All (admin consent)                  | the drift check's refresh reads the platform's Entra apps |
 *
 * Nothing is granted at subscription scope; there is no Owner, no subscription Contributor and
 * no User Access Administrator anywhere.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import type { BootstrapConfig, StatePrincipal } from "./config";

/** Built-in Azure role definition ids (the same in every tenant). */
export const BUILTIN_ROLES = {
    Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    RoleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    StorageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    StorageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    KeyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
    DeviceProvisioningServiceDataReader: "10745317-c249-44a1-a5ce-3a4353c0bbd8",
} as const;

/** Roles that must never be granted by this project (checked by the tests). */
export const FORBIDDEN_ROLES = {
    Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    UserAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
} as const;

/**
 * The only roles a deploy identity may assign: the IoT Hub data-plane roles the platform grants
 * the API's managed identity (components/iotHub.ts IOT_HUB_ROLES; a test keeps them in step).
 * Cosmos DB data-plane grants are `sqlRoleAssignments`, covered by Contributor, not Azure RBAC.
 */
export const ASSIGNABLE_DATA_PLANE_ROLES = {
    IoTHubDataReader: "b447c946-2db7-41ec-983d-d8bf3b1c77e3",
    IoTHubTwinContributor: "494bdba2-168f-4f31-a0a1-191d2f7c028c",
    IoTHubRegistryContributor: "4ea46cd5-c1b2-4a8e-910b-273211f9ce47",
    IoTHubDataContributor: "4fc6c259-987e-4a07-842e-c321cc9d413f",
    // Operators and the deploying identity write DPS enrollment records with it (components/provisioningService.ts, deviceEnrollments.ts).
    DeviceProvisioningServiceDataContributor: "dfce44e4-17b7-4bd1-a6d1-04996ec95633",
} as const;

export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** Microsoft Graph application permission Application.ReadWrite.OwnedBy. */
export const GRAPH_APPLICATION_READWRITE_OWNEDBY = "18a4783c-866b-4cc7-a460-3d5e5662c884";
/** Microsoft Graph application permission Application.Read.All (the drift check refreshes the platform's Entra apps). */
export const GRAPH_APPLICATION_READ_ALL = "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30";

export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";
export const AZURE_AD_TOKEN_EXCHANGE = "api://AzureADTokenExchange";

/** Management-plane actions the program's preview needs beyond Reader: the DPS-link key invoke. */
export const PREVIEW_EXTRA_ACTIONS = [
    "Microsoft.Devices/iotHubs/IotHubKeys/listkeys/Action",
    "Microsoft.Devices/iotHubs/listkeys/Action",
];
export const LOCK_ACTIONS = ["Microsoft.Authorization/locks/read", "Microsoft.Authorization/locks/write", "Microsoft.Authorization/locks/delete"];

/** A GUID derived from a seed: known at preview and stable across runs (for role definition ids). */
export function stableGuid(seed: string): string {
    const h = createHash("sha256").update(seed).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function bootstrapNames(cfg: BootstrapConfig) {
    const p = cfg.namePrefix;
    const s = cfg.nameSuffix;
    const repoSlug = cfg.githubRepository.replace("/", "-").toLowerCase();
    return {
        stateResourceGroup: `rg-${p}-pulumi-state`,
        storageAccount: `st${p}state${s}`,
        keyVault: `kv-${p}-state-${s}`,
        keyName: "pulumi-state",
        deployApp: (stack: string) => `github-${repoSlug}-deploy-${stack}`,
        previewApp: `github-${repoSlug}-preview`,
        lockRoleName: `Pulumi resource lock operator (${cfg.githubRepository})`,
        keyListRoleName: `Pulumi preview IoT Hub key lister (${cfg.githubRepository})`,
    };
}

/** The federated-credential subjects, pinned to this repository. */
export function federatedSubjects(cfg: BootstrapConfig) {
    const repo = `repo:${cfg.githubRepository}`;
    return {
        deploy: Object.fromEntries(cfg.stacks.map((s) => [s.name, `${repo}:environment:${s.name}`])) as Record<string, string>,
        pullRequest: `${repo}:pull_request`,
        drift: `${repo}:ref:refs/heads/${cfg.driftBranch}`,
    };
}

/**
 * ABAC condition for the Role Based Access Control Administrator role: the holder may create and
 * delete role assignments of the listed roles only (so it cannot make itself or anyone Owner).
 */
export function constrainedRoleAssignmentCondition(roleIds: readonly string[]): string {
    const set = roleIds.join(", ");
    return [
        "(",
        " (",
        "  !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})",
        " )",
        " OR",
        " (",
        `  @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${set}}`,
        " )",
        ")",
        "AND",
        "(",
        " (",
        "  !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})",
        " )",
        " OR",
        " (",
        `  @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${set}}`,
        " )",
        ")",
    ].join("\n");
}

export interface StackOutputs {
    resourceGroupName: pulumi.Output<string>;
    githubEnvironment: string;
    deployClientId: pulumi.Output<string>;
    /** Add this object id to the stack's `entraOwners`: with Application.ReadWrite.OwnedBy the pipeline manages only apps it owns. */
    deployServicePrincipalObjectId: pulumi.Output<string>;
}

export interface BootstrapOutputs {
    tenantId: pulumi.Output<string>;
    subscriptionId: pulumi.Output<string>;
    stateResourceGroupName: pulumi.Output<string>;
    stateStorageAccountName: pulumi.Output<string>;
    stateContainerName: pulumi.Output<string>;
    backendUrl: pulumi.Output<string>;
    secretsProvider: pulumi.Output<string>;
    previewClientId: pulumi.Output<string>;
    stacks: Record<string, StackOutputs>;
    federatedSubjects: ReturnType<typeof federatedSubjects>;
    /** Repository-level GitHub Actions variables the workflows read (`vars.*`). */
    githubRepositoryVariables: pulumi.Output<Record<string, string>>;
    /** Environment-level GitHub Actions variables, one set per stack's environment. */
    githubEnvironmentVariables: pulumi.Output<Record<string, Record<string, string>>>;
    /** The `gh variable set` commands that store all of the above. */
    githubSetupCommands: pulumi.Output<string>;
    /** Whether the Graph permission was consented here; if not, an admin must grant it. */
    graphAdminConsent: string;
}

/** Registers every bootstrap resource; returns the values the workflows and the stacks need. */
export function deployBootstrap(cfg: BootstrapConfig): BootstrapOutputs {
    const names = bootstrapNames(cfg);
    const subjects = federatedSubjects(cfg);
    const client = authorization.getClientConfigOutput();
    const subscriptionId = client.subscriptionId;
    const tenantId = client.tenantId;
    const subscriptionScope = pulumi.interpolate`/subscriptions/${subscriptionId}`;
    const roleId = (guid: string) => pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
    const tags = { managedBy: "pulumi", project: "secure-iot-bootstrap", repository: cfg.githubRepository };
    const keep: pulumi.CustomResourceOptions = { protect: true };

    // --- Resource groups ----------------------------------------------------------------------
    const stateRg = new resources.ResourceGroup(
        "state-rg",
        { resourceGroupName: names.stateResourceGroup, location: cfg.location, tags: { ...tags, purpose: "pulumi-state" } },
        keep,
    );
    new authorization.ManagementLockAtResourceGroupLevel("state-rg-lock", {
        resourceGroupName: stateRg.name,
        lockName: "keep-pulumi-state",
        level: authorization.LockLevel.CanNotDelete,
        notes: "Holds the Pulumi state and its encryption key for every stack. Remove this lock deliberately, never as a side effect.",
    });
    const stackRgs = cfg.stacks.map(
        (s) =>
            [
                s,
                new resources.ResourceGroup(
                    `stack-rg-${s.name}`,
                    { resourceGroupName: s.resourceGroupName, location: cfg.location, tags: { ...tags, stack: s.name } },
                    // The platform stack tags its own resource group; bootstrap only guarantees it exists.
                    { ...keep, ignoreChanges: ["tags"] },
                ),
            ] as const,
    );

    // --- State: storage account + container ---------------------------------------------------
    const networkRules = cfg.allowedIpRanges.length > 0;
    const account = new storage.StorageAccount(
        "state",
        {
            accountName: names.storageAccount,
            resourceGroupName: stateRg.name,
            location: cfg.location,
            kind: storage.Kind.StorageV2,
            sku: { name: cfg.stateStorageSku },
            accessTier: storage.AccessTier.Hot,
            allowBlobPublicAccess: false,
            allowSharedKeyAccess: false,
            defaultToOAuthAuthentication: true,
            allowCrossTenantReplication: false,
            allowedCopyScope: storage.AllowedCopyScope.AAD,
            minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
            enableHttpsTrafficOnly: true,
            isLocalUserEnabled: false,
            isSftpEnabled: false,
            isHnsEnabled: false,
            publicNetworkAccess: storage.PublicNetworkAccess.Enabled,
            networkRuleSet: networkRules
                ? {
                      defaultAction: storage.DefaultAction.Deny,
                      bypass: storage.Bypass.None,
                      ipRules: cfg.allowedIpRanges.map((r) => ({ iPAddressOrRange: r.replace(/\/32$/, ""), action: storage.Action.Allow })),
                  }
                : { defaultAction: storage.DefaultAction.Allow, bypass: storage.Bypass.None },
            encryption: {
                keySource: storage.KeySource.Microsoft_Storage,
                requireInfrastructureEncryption: true,
                services: { blob: { enabled: true, keyType: storage.KeyType.Account } },
            },
            tags: { ...tags, purpose: "pulumi-state" },
        },
        keep,
    );
    const blobService = new storage.BlobServiceProperties(
        "state-blob-service",
        {
            accountName: account.name,
            resourceGroupName: stateRg.name,
            blobServicesName: "default",
            isVersioningEnabled: true,
            deleteRetentionPolicy: { enabled: true, days: cfg.stateSoftDeleteDays, allowPermanentDelete: false },
            containerDeleteRetentionPolicy: { enabled: true, days: cfg.stateSoftDeleteDays },
            changeFeed: { enabled: true, retentionInDays: cfg.stateSoftDeleteDays },
        },
        keep,
    );
    const container = new storage.BlobContainer(
        "state",
        {
            accountName: account.name,
            resourceGroupName: stateRg.name,
            containerName: cfg.stateContainerName,
            publicAccess: storage.PublicAccess.None,
        },
        { ...keep, dependsOn: [blobService] },
    );

    // --- Secrets provider: Key Vault + key ----------------------------------------------------
    const vault = new keyvault.Vault(
        "state",
        {
            vaultName: names.keyVault,
            resourceGroupName: stateRg.name,
            location: cfg.location,
            properties: {
                tenantId,
                sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: cfg.keyVaultSoftDeleteDays,
                enablePurgeProtection: true,
                enabledForDeployment: false,
                enabledForDiskEncryption: false,
                enabledForTemplateDeployment: false,
                publicNetworkAccess: "Enabled",
                networkAcls: networkRules
                    ? {
                          defaultAction: keyvault.NetworkRuleAction.Deny,
                          bypass: keyvault.NetworkRuleBypassOptions.None,
                          ipRules: cfg.allowedIpRanges.map((value) => ({ value })),
                      }
                    : { defaultAction: keyvault.NetworkRuleAction.Allow, bypass: keyvault.NetworkRuleBypassOptions.None },
            },
            tags: { ...tags, purpose: "pulumi-secrets" },
        },
        keep,
    );
    // No rotation policy and no expiry: the secrets provider URL names the key without a version,
    // and each stack's data key is encrypted under the version that was current at `stack init`.
    const key = new keyvault.Key(
        "state",
        {
            vaultName: vault.name,
            resourceGroupName: stateRg.name,
            keyName: names.keyName,
            properties: {
                kty: keyvault.JsonWebKeyType.RSA,
                keySize: 3072,
                keyOps: [keyvault.JsonWebKeyOperation.Encrypt, keyvault.JsonWebKeyOperation.Decrypt, keyvault.JsonWebKeyOperation.WrapKey, keyvault.JsonWebKeyOperation.UnwrapKey],
                attributes: { enabled: true, exportable: false },
            },
            tags: { ...tags, purpose: "pulumi-secrets" },
        },
        keep,
    );

    // --- Custom roles, assignable only in the stacks' resource groups -------------------------
    const stackScopes = stackRgs.map(([, rg]) => rg.id);
    const lockRole = new authorization.RoleDefinition("lock-operator", {
        scope: subscriptionScope,
        roleDefinitionId: stableGuid(`${cfg.githubRepository}/lock-operator`),
        roleName: names.lockRoleName,
        description: "Create and remove management locks (CanNotDelete on stateful platform resources). Contributor excludes Microsoft.Authorization writes.",
        permissions: [{ actions: LOCK_ACTIONS, notActions: [], dataActions: [], notDataActions: [] }],
        assignableScopes: stackScopes,
    });
    const keyListRole = new authorization.RoleDefinition("preview-key-lister", {
        scope: subscriptionScope,
        roleDefinitionId: stableGuid(`${cfg.githubRepository}/preview-key-lister`),
        roleName: names.keyListRoleName,
        description: "The IoT Hub key listing that `pulumi preview` of the platform performs (the DPS-link policy's key, read by an invoke).",
        permissions: [{ actions: PREVIEW_EXTRA_ACTIONS, notActions: [], dataActions: [], notDataActions: [] }],
        assignableScopes: stackScopes,
    });

    const assign = (
        name: string,
        principalId: pulumi.Input<string>,
        principalType: "ServicePrincipal" | "User" | "Group",
        roleDefinitionId: pulumi.Input<string>,
        scope: pulumi.Input<string>,
        description: string,
        condition?: string,
    ) =>
        new authorization.RoleAssignment(name, {
            principalId,
            principalType,
            roleDefinitionId,
            scope,
            description,
            ...(condition ? { condition, conditionVersion: "2.0" } : {}),
        });

    // --- Microsoft Graph (for admin consent) --------------------------------------------------
    const graphSp = cfg.grantGraphAdminConsent ? azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH_APP_ID }) : undefined;

    // --- Deploy identities: one per stack, signing in only from that stack's environment ------
    const stackOutputs: Record<string, StackOutputs> = {};
    for (const [s, rg] of stackRgs) {
        const app = new azuread.ApplicationRegistration(`deploy-${s.name}`, {
            displayName: names.deployApp(s.name),
            description: `Deploys the ${s.name} stack of ${cfg.githubRepository} from GitHub Actions (OIDC, no secrets).`,
            signInAudience: "AzureADMyOrg",
        });
        const sp = new azuread.ServicePrincipal(`deploy-${s.name}`, {
            clientId: app.clientId,
            description: `CI deploy identity for the ${s.name} stack`,
        });
        new azuread.ApplicationFederatedIdentityCredential(`deploy-${s.name}-github-environment`, {
            applicationId: app.id,
            displayName: `github-environment-${s.name}`,
            description: `GitHub Actions jobs of ${cfg.githubRepository} running in the '${s.name}' environment`,
            issuer: GITHUB_OIDC_ISSUER,
            audiences: [AZURE_AD_TOKEN_EXCHANGE],
            subject: subjects.deploy[s.name],
        });
        // The platform's Entra apps (API, mobile client) are created and updated by the pipeline:
        // Application.ReadWrite.OwnedBy lets it manage only the apps it owns. Needs admin consent.
        new azuread.ApplicationApiAccess(`deploy-${s.name}-graph`, {
            applicationId: app.id,
            apiClientId: MICROSOFT_GRAPH_APP_ID,
            roleIds: [GRAPH_APPLICATION_READWRITE_OWNEDBY],
        });
        if (graphSp) {
            new azuread.AppRoleAssignment(`deploy-${s.name}-graph-consent`, {
                appRoleId: GRAPH_APPLICATION_READWRITE_OWNEDBY,
                principalObjectId: sp.objectId,
                resourceObjectId: graphSp.objectId,
            });
        }

        assign(`deploy-${s.name}-contributor`, sp.objectId, "ServicePrincipal", roleId(BUILTIN_ROLES.Contributor), rg.id,
            `Create and update the ${s.name} platform resources`);
        assign(`deploy-${s.name}-rbac-admin`, sp.objectId, "ServicePrincipal", roleId(BUILTIN_ROLES.RoleBasedAccessControlAdministrator), rg.id,
            "Assign only the IoT Hub data-plane roles the platform grants (ABAC condition)",
            constrainedRoleAssignmentCondition(Object.values(ASSIGNABLE_DATA_PLANE_ROLES)));
        assign(`deploy-${s.name}-locks`, sp.objectId, "ServicePrincipal", lockRole.id, rg.id,
            "Delete locks on stateful resources");
        assign(`deploy-${s.name}-state`, sp.objectId, "ServicePrincipal", roleId(BUILTIN_ROLES.StorageBlobDataContributor), container.id,
            "Read and write Pulumi state");
        assign(`deploy-${s.name}-secrets`, sp.objectId, "ServicePrincipal", roleId(BUILTIN_ROLES.KeyVaultCryptoUser), key.id,
            "Encrypt and decrypt the stack's secrets data key");

        stackOutputs[s.name] = {
            resourceGroupName: rg.name,
            githubEnvironment: s.name,
            deployClientId: app.clientId,
            deployServicePrincipalObjectId: sp.objectId,
        };
    }

    // --- Preview identity: read-only, for pull requests and the drift check -------------------
    const previewApp = new azuread.ApplicationRegistration("preview", {
        displayName: names.previewApp,
        description: `Read-only previews of ${cfg.githubRepository}: pull requests from the repository's own branches and the scheduled drift check.`,
        signInAudience: "AzureADMyOrg",
    });
    const previewSp = new azuread.ServicePrincipal("preview", {
        clientId: previewApp.clientId,
        description: "CI preview identity (read-only)",
    });
    new azuread.ApplicationFederatedIdentityCredential("preview-github-pull-request", {
        applicationId: previewApp.id,
        displayName: "github-pull-request",
        description: `Pull-request workflows of ${cfg.githubRepository} (GitHub gives forks no OIDC token)`,
        issuer: GITHUB_OIDC_ISSUER,
        audiences: [AZURE_AD_TOKEN_EXCHANGE],
        subject: subjects.pullRequest,
    });
    new azuread.ApplicationFederatedIdentityCredential("preview-github-drift", {
        applicationId: previewApp.id,
        displayName: `github-branch-${cfg.driftBranch.replace(/[^A-Za-z0-9-]/g, "-")}`,
        description: `Scheduled drift check of ${cfg.githubRepository} on ${cfg.driftBranch}`,
        issuer: GITHUB_OIDC_ISSUER,
        audiences: [AZURE_AD_TOKEN_EXCHANGE],
        subject: subjects.drift,
    });
    new azuread.ApplicationApiAccess("preview-graph", {
        applicationId: previewApp.id,
        apiClientId: MICROSOFT_GRAPH_APP_ID,
        roleIds: [GRAPH_APPLICATION_READ_ALL],
    });
    if (graphSp) {
        new azuread.AppRoleAssignment("preview-graph-consent", {
            appRoleId: GRAPH_APPLICATION_READ_ALL,
            principalObjectId: previewSp.objectId,
            resourceObjectId: graphSp.objectId,
        });
    }
    for (const [s, rg] of stackRgs) {
        assign(`preview-${s.name}-reader`, previewSp.objectId, "ServicePrincipal", roleId(BUILTIN_ROLES.Reader), rg.id,
            `Preview the ${s.name} stack`);
        assign(`preview-${s.name}-key-lister`, previewSp.objectId, "ServicePrincipal", keyListRole.id, rg.id,
            "The hub key invoke the program runs during preview");
        assign(`preview-${s.name}-dps-reader`, previewSp.objectId, "ServicePrincipal", roleId(BUILTIN_ROLES.DeviceProvisioningServiceDataReader), rg.id,
            "Read the DPS enrollment records on refresh (drift check)");
    }
    assign("preview-state", previewSp.objectId, "ServicePrincipal", roleId(BUILTIN_ROLES.StorageBlobDataReader), container.id,
        "Read Pulumi state (a DIY-backend preview neither locks nor writes)");
    assign("preview-secrets", previewSp.objectId, "ServicePrincipal", roleId(BUILTIN_ROLES.KeyVaultCryptoUser), key.id,
        "Decrypt secret configuration during preview");

    // --- Engineers who run `pulumi up` against the team backend -------------------------------
    cfg.stateUsers.forEach((u: StatePrincipal) => {
        const id = u.objectId.slice(0, 8);
        assign(`state-user-${id}-state`, u.objectId, u.principalType, roleId(BUILTIN_ROLES.StorageBlobDataContributor), container.id,
            "Team member: Pulumi state");
        assign(`state-user-${id}-secrets`, u.objectId, u.principalType, roleId(BUILTIN_ROLES.KeyVaultCryptoUser), key.id,
            "Team member: Pulumi secrets provider");
    });

    // --- Outputs: exactly what the workflows and Pulumi.<stack>.yaml need ---------------------
    const backendUrl = pulumi.interpolate`azblob://${container.name}?storage_account=${account.name}`;
    const secretsProvider = pulumi.interpolate`azurekeyvault://${vault.name}.vault.azure.net/keys/${key.name}`;
    const githubRepositoryVariables = pulumi
        .all([tenantId, subscriptionId, previewApp.clientId, backendUrl, secretsProvider])
        .apply(([tenant, sub, preview, backend, secrets]): Record<string, string> => ({
            AZURE_TENANT_ID: tenant,
            AZURE_SUBSCRIPTION_ID: sub,
            AZURE_PREVIEW_CLIENT_ID: preview,
            PULUMI_BACKEND_URL: backend,
            PULUMI_SECRETS_PROVIDER: secrets,
        }));
    const envNames = Object.keys(stackOutputs);
    const githubEnvironmentVariables = pulumi
        .all(envNames.map((n) => stackOutputs[n].deployClientId))
        .apply((ids): Record<string, Record<string, string>> => Object.fromEntries(envNames.map((n, i) => [n, { AZURE_CLIENT_ID: ids[i] }])));
    const githubSetupCommands = pulumi.all([githubRepositoryVariables, githubEnvironmentVariables]).apply(([repoVars, envVars]) =>
        [
            ...Object.entries(repoVars).map(([k, v]) => `gh variable set ${k} --repo ${cfg.githubRepository} --body '${v}'`),
            ...Object.entries(envVars).flatMap(([env, vars]) =>
                Object.entries(vars).map(([k, v]) => `gh variable set ${k} --repo ${cfg.githubRepository} --env ${env} --body '${v}'`),
            ),
        ].join("\n"),
    );

    return {
        tenantId,
        subscriptionId,
        stateResourceGroupName: stateRg.name,
        stateStorageAccountName: account.name,
        stateContainerName: container.name,
        backendUrl,
        secretsProvider,
        previewClientId: previewApp.clientId,
        stacks: stackOutputs,
        federatedSubjects: subjects,
        githubRepositoryVariables,
        githubEnvironmentVariables,
        githubSetupCommands,
        graphAdminConsent: cfg.grantGraphAdminConsent
            ? "granted by this project (AppRoleAssignment on Microsoft Graph)"
            : "NOT granted: a Privileged Role Administrator must grant admin consent for Application.ReadWrite.OwnedBy on each deploy app and Application.Read.All on the preview app (az ad app permission admin-consent --id <clientId>)",
    };
}
