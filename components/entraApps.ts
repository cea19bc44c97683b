import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import * as random from "@pulumi/random";
import { API_ROLES, API_SCOPES } from "../app/api/src/settings";

/**
 * The Azure CLI's client (application) id, the same in every tenant: pre-authorized for the API's
 * scopes when a stack lets operators call the API with `az account get-access-token`
 * (app/api/README.md, "Calling it after deployment").
 */
export const AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/** A delegated permission the API exposes to signed-in users (through the mobile app). */
export interface ApiScope {
    value: string;
    adminConsentDisplayName: string;
    adminConsentDescription: string;
    userConsentDisplayName?: string;
    userConsentDescription?: string;
    /** "User" lets users consent for themselves; "Admin" requires an administrator. */
    consent: "User" | "Admin";
}

/** An app role the API checks in tokens (assigned to users/groups, or to daemon apps). */
export interface ApiAppRole {
    value: string;
    displayName: string;
    description: string;
    allowedMemberTypes: ("User" | "Application")[];
}

/**
 * Consent texts of the API's scopes, one per entry of API_SCOPES (app/api/src/settings.ts, the one
 * source of the names the API checks): a scope added there without its text here does not compile.
 */
const SCOPE_TEXT: Record<keyof typeof API_SCOPES, Omit<ApiScope, "value">> = {
    telemetryRead: {
        adminConsentDisplayName: "Read device telemetry",
        adminConsentDescription: "Lets the app read telemetry of the devices the signed-in user may see.",
        userConsentDisplayName: "Read your devices' telemetry",
        userConsentDescription: "Lets the app read telemetry of your devices on your behalf.",
        consent: "User",
    },
    devicesManage: {
        adminConsentDisplayName: "Manage devices",
        adminConsentDescription: "Lets the app read and update device twins and send commands on behalf of the signed-in user.",
        consent: "Admin",
    },
};

/** Display texts of the API's app roles, one per entry of API_ROLES (app/api/src/settings.ts). */
const ROLE_TEXT: Record<keyof typeof API_ROLES, Omit<ApiAppRole, "value" | "allowedMemberTypes">> = {
    telemetryReader: { displayName: "Telemetry reader", description: "Reads device telemetry." },
    devicesOperator: { displayName: "Device operator", description: "Manages devices and sends commands." },
};

export const DEFAULT_SCOPES: ApiScope[] = (Object.keys(API_SCOPES) as (keyof typeof API_SCOPES)[]).map((k) => ({ value: API_SCOPES[k], ...SCOPE_TEXT[k] }));

/**
 * The app roles, for users and groups (through the mobile app) and for applications: a daemon that
 * is granted a role calls the API app-only (client credentials), and the API accepts the role in
 * its `roles` claim (app/api/README.md, "Token rules").
 */
export const DEFAULT_APP_ROLES: ApiAppRole[] = (Object.keys(API_ROLES) as (keyof typeof API_ROLES)[]).map((k) => ({
    value: API_ROLES[k],
    ...ROLE_TEXT[k],
    allowedMemberTypes: ["User", "Application"],
}));

export interface EntraAppsArgs {
    /** Display name stem, e.g. "secure-iot-platform (dev)". */
    displayName: string;
    /** Object ids of the people who own both registrations (at least one). */
    owners: string[];
    /** Redirect URIs of the mobile public client. */
    mobileRedirectUris: string[];
    scopes?: ApiScope[];
    appRoles?: ApiAppRole[];
    /** Pre-authorize the Azure CLI (AZURE_CLI_CLIENT_ID) for every scope: operators get tokens without a consent prompt. */
    preAuthorizeAzureCli?: boolean;
}

/**
 * The Entra ID side of sign-in: the API (a single-tenant web API that validates v2 JWTs, exposes
 * `api://<clientId>` scopes and app roles, and requires assignment) and the mobile app (a
 * separate public client with no secrets, pre-authorized for the API's scopes; the Azure CLI too
 * where a stack lets operators call the API). Scope and role names come from app/api/src/settings.ts.
 * Split azuread
 * resources avoid the identifier-URI self-reference; ids come from random UUIDs kept in state.
 * No passwords or certificates are created for either app.
 */
export class EntraApps extends pulumi.ComponentResource {
    public readonly api: azuread.ApplicationRegistration;
    public readonly apiServicePrincipal: azuread.ServicePrincipal;
    public readonly mobile: azuread.ApplicationRegistration;
    public readonly apiIdentifierUri: pulumi.Output<string>;
    /** Full scope URIs (`api://<clientId>/<scope>`) the mobile app requests. */
    public readonly scopeUris: pulumi.Output<string[]>;

    constructor(name: string, args: EntraAppsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:identity:EntraApps", name, {}, opts);
        if (args.owners.length === 0) throw new Error("EntraApps: owners must list at least one object id");
        const scopes = args.scopes ?? DEFAULT_SCOPES;
        const appRoles = args.appRoles ?? DEFAULT_APP_ROLES;

        this.api = new azuread.ApplicationRegistration(
            "api",
            {
                displayName: `${args.displayName} API`,
                signInAudience: "AzureADMyOrg",
                requestedAccessTokenVersion: 2,
                implicitAccessTokenIssuanceEnabled: false,
                implicitIdTokenIssuanceEnabled: false,
            },
            { parent: this },
        );
        const uri = new azuread.ApplicationIdentifierUri(
            "api-uri",
            { applicationId: this.api.id, identifierUri: pulumi.interpolate`api://${this.api.clientId}` },
            { parent: this },
        );
        this.apiIdentifierUri = uri.identifierUri;

        const scopeResources = scopes.map((s) => {
            const id = new random.RandomUuid(`scope-${s.value}-id`, {}, { parent: this });
            return new azuread.ApplicationPermissionScope(
                `scope-${s.value}`,
                {
                    applicationId: this.api.id,
                    scopeId: id.result,
                    value: s.value,
                    type: s.consent,
                    adminConsentDisplayName: s.adminConsentDisplayName,
                    adminConsentDescription: s.adminConsentDescription,
                    ...(s.consent === "User"
                        ? { userConsentDisplayName: s.userConsentDisplayName ?? s.adminConsentDisplayName, userConsentDescription: s.userConsentDescription ?? s.adminConsentDescription }
                        : {}),
                },
                { parent: this },
            );
        });
        for (const r of appRoles) {
            const id = new random.RandomUuid(`role-${r.value}-id`, {}, { parent: this });
            new azuread.ApplicationAppRole(
                `role-${r.value}`,
                { applicationId: this.api.id, roleId: id.result, value: r.value, displayName: r.displayName, description: r.description, allowedMemberTypes: r.allowedMemberTypes },
                { parent: this },
            );
        }
        this.apiServicePrincipal = new azuread.ServicePrincipal(
            "api-sp",
            { clientId: this.api.clientId, appRoleAssignmentRequired: true, owners: args.owners },
            { parent: this },
        );

        this.mobile = new azuread.ApplicationRegistration(
            "mobile",
            {
                displayName: `${args.displayName} mobile`,
                signInAudience: "AzureADMyOrg",
                requestedAccessTokenVersion: 2,
                implicitAccessTokenIssuanceEnabled: false,
                implicitIdTokenIssuanceEnabled: false,
            },
            { parent: this },
        );
        if (args.mobileRedirectUris.length > 0) {
            new azuread.ApplicationRedirectUris(
                "mobile-redirects",
                { applicationId: this.mobile.id, type: "PublicClient", redirectUris: args.mobileRedirectUris },
                { parent: this },
            );
        }
        const scopeIds = scopeResources.map((s) => s.scopeId);
        new azuread.ApplicationApiAccess(
            "mobile-api-access",
            { applicationId: this.mobile.id, apiClientId: this.api.clientId, scopeIds },
            { parent: this },
        );
        new azuread.ApplicationPreAuthorized(
            "mobile-preauthorized",
            { applicationId: this.api.id, authorizedClientId: this.mobile.clientId, permissionIds: scopeIds },
            { parent: this, dependsOn: scopeResources },
        );
        if (args.preAuthorizeAzureCli) {
            new azuread.ApplicationPreAuthorized(
                "azure-cli-preauthorized",
                { applicationId: this.api.id, authorizedClientId: AZURE_CLI_CLIENT_ID, permissionIds: scopeIds },
                { parent: this, dependsOn: scopeResources },
            );
        }

        for (const [app, appName] of [[this.api, "api"], [this.mobile, "mobile"]] as const) {
            for (const owner of args.owners) {
                new azuread.ApplicationOwner(`${appName}-owner-${owner.slice(0, 8)}`, { applicationId: app.id, ownerObjectId: owner }, { parent: this });
            }
        }

        this.scopeUris = pulumi.all(scopes.map((s) => pulumi.interpolate`${this.apiIdentifierUri}/${s.value}`));
        this.registerOutputs({ apiClientId: this.api.clientId, mobileClientId: this.mobile.clientId, scopeUris: this.scopeUris });
    }
}
