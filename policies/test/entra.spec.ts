import type { ApplicationArgs } from "@pulumi/azuread/application";
import type { Unwrap } from "@pulumi/pulumi";
import { describe, it } from "node:test";
import { TOKENS } from "../lib/tokens";
import { aad03IdentifierUris } from "../rules/entra/aad-03-safe-identifier-uris";
import { aad07ApiNotPublicClient } from "../rules/entra/aad-07-api-app-not-public-client";
import { aad09AssignmentRequired } from "../rules/entra/aad-09-api-service-principal-assignment-required";
import { aad10Owners } from "../rules/entra/aad-10-application-owners-set";
import { aad12ScopesAndRoles } from "../rules/entra/aad-12-well-formed-scopes-and-roles";
import { aad01ImplicitGrant } from "../rules/entra/aad-01-implicit-grant-off";
import { aad02TokenVersion } from "../rules/entra/aad-02-access-token-v2";
import { aad04RedirectUris } from "../rules/entra/aad-04-safe-redirect-uris";
import { aad05NoPasswords } from "../rules/entra/aad-05-no-password-credentials";
import { aad06CredentialLifetime } from "../rules/entra/aad-06-bounded-credential-lifetime";
import { aad08SignInAudience } from "../rules/entra/aad-08-single-tenant-audience";
import { aad11ApiPermissions } from "../rules/entra/aad-11-no-high-privilege-graph-permissions";
import { aad13FederatedCredential } from "../rules/entra/aad-13-federated-credential-pinned";
import { MICROSOFT_GRAPH_APP_ID } from "../lib/rules/entraApplications";
import { caCert } from "./certs";
import {
    API_CLIENT_ID,
    apiAccessArgs,
    apiAppArgs,
    appRoleArgs,
    fallbackPublicClientArgs,
    federatedCredentialArgs,
    identifierUriArgs,
    mobileAppArgs,
    MOBILE_CLIENT_ID,
    ownerArgs,
    permissionScopeArgs,
    preAuthorizedArgs,
    redirectUrisArgs,
    servicePrincipalArgs,
} from "./fixtures";
import { unknown, type StackInput } from "./runPolicies";
import { assertCannotRun, assertPasses, assertSomeViolation, assertViolation, check, checkStack, mutate } from "./util";

/** A monolithic Application exposing an API, compliant. */
function monolithicApi(): Unwrap<ApplicationArgs> {
    const args: ApplicationArgs = {
        displayName: "legacy-api",
        signInAudience: "AzureADMyOrg",
        identifierUris: ["api://aaaaaaaa-1111-4222-8333-555555555555"],
        owners: ["eeeeeeee-1111-4222-8333-444444444444"],
        api: {
            requestedAccessTokenVersion: 2,
            oauth2PermissionScopes: [{ id: "cccccccc-1111-4222-8333-555555555555", value: "Telemetry.Read", type: "User", adminConsentDisplayName: "Read", adminConsentDescription: "Read telemetry", enabled: true }],
        },
        web: { redirectUris: ["https://app.contoso.com/auth"], implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false } },
        requiredResourceAccesses: [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: [{ id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", type: "Scope" }] }],
    };
    return structuredClone(args) as Unwrap<ApplicationArgs>;
}
const app = (f: (a: Unwrap<ApplicationArgs>) => void = () => {}) => mutate(monolithicApi(), f);
const reg = (f: (a: ReturnType<typeof apiAppArgs>) => void = () => {}) => mutate(apiAppArgs(), f);

describe("AAD-01 implicit grant off", () => {
    it("passes ApplicationRegistration and Application", () => {
        assertPasses(check(aad01ImplicitGrant, "aadApplicationRegistration", reg()));
        assertPasses(check(aad01ImplicitGrant, "aadApplication", app()));
    });
    it("fails implicit access tokens on ApplicationRegistration", () =>
        assertViolation(check(aad01ImplicitGrant, "aadApplicationRegistration", reg((a) => (a.implicitAccessTokenIssuanceEnabled = true))), aad01ImplicitGrant, /implicitAccessTokenIssuanceEnabled is true/));
    it("fails implicit ID tokens on ApplicationRegistration", () =>
        assertViolation(check(aad01ImplicitGrant, "aadApplicationRegistration", reg((a) => (a.implicitIdTokenIssuanceEnabled = true))), aad01ImplicitGrant, /implicitIdTokenIssuanceEnabled/));
    it("fails web.implicitGrant on Application", () =>
        assertViolation(check(aad01ImplicitGrant, "aadApplication", app((a) => (a.web!.implicitGrant!.accessTokenIssuanceEnabled = true))), aad01ImplicitGrant, /web\.implicitGrant\.accessTokenIssuanceEnabled/));
});

describe("AAD-02 v2 access tokens", () => {
    it("passes 2, and absent on ApplicationRegistration (provider default 2)", () => {
        assertPasses(check(aad02TokenVersion, "aadApplicationRegistration", reg()));
        assertPasses(check(aad02TokenVersion, "aadApplicationRegistration", reg((a) => delete a.requestedAccessTokenVersion)));
    });
    it("accepts the number as a string", () => assertPasses(check(aad02TokenVersion, "aadApplicationRegistration", { ...reg(), requestedAccessTokenVersion: "2" })));
    it("fails 1 on ApplicationRegistration", () =>
        assertViolation(check(aad02TokenVersion, "aadApplicationRegistration", reg((a) => (a.requestedAccessTokenVersion = 1))), aad02TokenVersion, /requestedAccessTokenVersion is 1/));
    it("fails an Application API without the version (default 1)", () =>
        assertViolation(check(aad02TokenVersion, "aadApplication", app((a) => delete a.api!.requestedAccessTokenVersion)), aad02TokenVersion, /absent \(defaults to 1\)/));
    it("does not apply to an Application that exposes no API", () =>
        assertPasses(check(aad02TokenVersion, "aadApplication", app((a) => { delete a.api; delete a.identifierUris; }))));
});

describe("AAD-04 safe redirect URIs", () => {
    const uris = (type: string, redirectUris: string[]) => ({ ...redirectUrisArgs(), type, redirectUris });
    it("passes the mobile broker URIs", () => assertPasses(check(aad04RedirectUris, "aadRedirectUris", redirectUrisArgs())));
    it("passes https web URIs", () => assertPasses(check(aad04RedirectUris, "aadRedirectUris", uris("Web", ["https://app.contoso.com/signin-oidc"]))));
    it("fails a wildcard", () => assertViolation(check(aad04RedirectUris, "aadRedirectUris", uris("Web", ["https://*.contoso.com/auth"])), aad04RedirectUris, /contains a wildcard/));
    it("fails http", () => assertViolation(check(aad04RedirectUris, "aadRedirectUris", uris("SPA", ["http://app.contoso.com"])), aad04RedirectUris, /uses http/));
    it("fails localhost unless allowed (development)", () => {
        assertViolation(check(aad04RedirectUris, "aadRedirectUris", uris("Web", ["http://localhost:3000/auth"])), aad04RedirectUris, /allowed in development stacks only/);
        assertPasses(check(aad04RedirectUris, "aadRedirectUris", uris("Web", ["http://localhost:3000/auth"]), { config: { allowLocalhost: true } }));
    });
    it("fails a custom scheme that is not a broker scheme", () =>
        assertViolation(check(aad04RedirectUris, "aadRedirectUris", uris("PublicClient", ["myapp://callback"])), aad04RedirectUris, /custom scheme myapp: that is not a native broker scheme/));
    it("fails a custom scheme on a Web platform", () =>
        assertViolation(check(aad04RedirectUris, "aadRedirectUris", uris("Web", ["msauth.com.contoso.secureiot://auth"])), aad04RedirectUris, /only https is allowed for Web/));
    it("fails an unknown platform type", () => assertViolation(check(aad04RedirectUris, "aadRedirectUris", uris("Desktop", [])), aad04RedirectUris, /must be Web, SPA or PublicClient/));
    it("checks Application web/spa/publicClient URIs", () =>
        assertViolation(check(aad04RedirectUris, "aadApplication", app((a) => (a.singlePageApplication = { redirectUris: ["http://spa.contoso.com"] }))), aad04RedirectUris, /singlePageApplication\.redirectUris\[0\].*uses http/));
});

describe("AAD-05 no password credentials", () => {
    it("passes an Application without password", () => assertPasses(check(aad05NoPasswords, "aadApplication", app())));
    it("fails an ApplicationPassword", () =>
        assertViolation(check(aad05NoPasswords, "aadApplicationPassword", { applicationId: "/applications/x", displayName: "ci" }), aad05NoPasswords, /ApplicationPassword .* creates a client secret/));
    it("fails a ServicePrincipalPassword", () =>
        assertViolation(check(aad05NoPasswords, "aadServicePrincipalPassword", { servicePrincipalId: "/servicePrincipals/x" }), aad05NoPasswords, /ServicePrincipalPassword/));
    it("fails an Application password block", () =>
        assertViolation(check(aad05NoPasswords, "aadApplication", app((a) => (a.password = { displayName: "secret" }))), aad05NoPasswords, /password block/));
});

describe("AAD-06 bounded credential lifetime", () => {
    const c = { maxLifetimeDays: 365 };
    const inDays = (d: number) => new Date(Date.now() + d * 86400000).toISOString();
    it("passes a certificate with an endDate within the limit", () =>
        assertPasses(check(aad06CredentialLifetime, "aadApplicationCertificate", { applicationId: "/applications/x", value: caCert(-1, 90), endDate: inDays(90) }, { config: c })));
    it("passes a certificate whose own expiry is within the limit", () =>
        assertPasses(check(aad06CredentialLifetime, "aadApplicationCertificate", { applicationId: "/applications/x", value: caCert(-1, 180) }, { config: c })));
    it("fails a certificate valid for three years", () =>
        assertViolation(check(aad06CredentialLifetime, "aadServicePrincipalCertificate", { servicePrincipalId: "/servicePrincipals/x", value: caCert(-1, 1095) }, { config: c }), aad06CredentialLifetime, /valid for 109\d days \(the certificate's expiry/));
    it("fails an endDate beyond the limit", () =>
        assertViolation(check(aad06CredentialLifetime, "aadApplicationCertificate", { applicationId: "/applications/x", value: caCert(-1, 90), endDate: inDays(800) }, { config: c }), aad06CredentialLifetime, /valid for \d+ days \(endDate/));
    it("fails a password without an end date (two-year default)", () =>
        assertViolation(check(aad06CredentialLifetime, "aadApplicationPassword", { applicationId: "/applications/x" }, { config: c }), aad06CredentialLifetime, /730 days \(no end date/));
    it("parses endDateRelative", () => {
        assertPasses(check(aad06CredentialLifetime, "aadApplicationPassword", { applicationId: "/applications/x", endDateRelative: "2160h" }, { config: c }));
        assertViolation(check(aad06CredentialLifetime, "aadApplicationPassword", { applicationId: "/applications/x", endDateRelative: "9000h30m" }, { config: c }), aad06CredentialLifetime, /375 days/);
    });
    it("fails an unparseable certificate without endDate", () =>
        assertViolation(check(aad06CredentialLifetime, "aadApplicationCertificate", { applicationId: "/applications/x", value: "not a cert" }, { config: c }), aad06CredentialLifetime, /cannot be parsed/));
});

describe("AAD-08 single-tenant audience", () => {
    it("passes AzureADMyOrg and absent (provider default)", () => {
        assertPasses(check(aad08SignInAudience, "aadApplicationRegistration", reg()));
        assertPasses(check(aad08SignInAudience, "aadApplicationRegistration", reg((a) => delete a.signInAudience)));
    });
    it("fails multi-tenant", () =>
        assertViolation(check(aad08SignInAudience, "aadApplicationRegistration", reg((a) => (a.signInAudience = "AzureADMultipleOrgs"))), aad08SignInAudience, /"AzureADMultipleOrgs"/));
    it("fails personal accounts on Application", () =>
        assertViolation(check(aad08SignInAudience, "aadApplication", app((a) => (a.signInAudience = "AzureADandPersonalMicrosoftAccount"))), aad08SignInAudience, /PersonalMicrosoftAccount/));
    it("respects the configuration", () =>
        assertPasses(check(aad08SignInAudience, "aadApplicationRegistration", reg((a) => (a.signInAudience = "AzureADMultipleOrgs")), { config: { allowedSignInAudiences: ["AzureADMyOrg", "AzureADMultipleOrgs"] } })));
});

describe("AAD-11 no high-privilege Graph application permissions", () => {
    it("passes delegated Graph scopes and API access to our own API", () => {
        assertPasses(check(aad11ApiPermissions, "aadApplication", app()));
        assertPasses(check(aad11ApiPermissions, "aadApiAccess", apiAccessArgs()));
    });
    it("passes at preview when the API client id is another application's (unknown)", () =>
        assertPasses(check(aad11ApiPermissions, "aadApiAccess", { ...apiAccessArgs(), apiClientId: unknown<string>() })));
    it("fails Directory.ReadWrite.All as an application role", () =>
        assertViolation(check(aad11ApiPermissions, "aadApplication", app((a) => a.requiredResourceAccesses!.push({ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: [{ id: "19dbc75e-c2e2-444c-a770-ec69d8559fc7", type: "Role" }] }))), aad11ApiPermissions, /Directory\.ReadWrite\.All/));
    it("fails RoleManagement.ReadWrite.Directory through ApplicationApiAccess", () =>
        assertViolation(check(aad11ApiPermissions, "aadApiAccess", { applicationId: "/applications/x", apiClientId: MICROSOFT_GRAPH_APP_ID, roleIds: ["9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"] }), aad11ApiPermissions, /RoleManagement\.ReadWrite\.Directory/));
});

describe("AAD-13 pinned federated credentials", () => {
    it("passes a GitHub environment subject", () => assertPasses(check(aad13FederatedCredential, "aadFederatedCredential", federatedCredentialArgs())));
    it("passes a branch subject", () =>
        assertPasses(check(aad13FederatedCredential, "aadFederatedCredential", { ...federatedCredentialArgs(), subject: "repo:contoso/secure-iot-platform:ref:refs/heads/main" })));
    it("fails a wildcard subject", () =>
        assertViolation(check(aad13FederatedCredential, "aadFederatedCredential", { ...federatedCredentialArgs(), subject: "repo:contoso/*:environment:prod" }), aad13FederatedCredential, /contains a wildcard/));
    it("fails a subject for every pull request", () =>
        assertViolation(check(aad13FederatedCredential, "aadFederatedCredential", { ...federatedCredentialArgs(), subject: "repo:contoso/secure-iot-platform:pull_request" }), aad13FederatedCredential, /does not match an allowed pattern/));
    it("fails another audience", () =>
        assertViolation(check(aad13FederatedCredential, "aadFederatedCredential", { ...federatedCredentialArgs(), audiences: ["api://AzureADTokenExchange", "https://evil"] }), aad13FederatedCredential, /exactly \["api:\/\/AzureADTokenExchange"\]/));
    it("fails an unknown issuer", () =>
        assertViolation(check(aad13FederatedCredential, "aadFederatedCredential", { ...federatedCredentialArgs(), issuer: "https://token.example.com" }), aad13FederatedCredential, /not an allowed issuer/));
});

// ---- Stack rules over the split application resources ------------------------------------------

const T = TOKENS;
function entraStack(o: { drop?: string[]; patch?: Record<string, (p: Record<string, unknown>) => void>; extra?: StackInput[] } = {}): StackInput[] {
    const base: StackInput[] = [
        { type: T.aadApplicationRegistration[0], name: "api-app", props: apiAppArgs() },
        { type: T.aadIdentifierUri[0], name: "api-uri", props: identifierUriArgs(), propertyDependencies: { applicationId: ["api-app"], identifierUri: ["api-app"] } },
        { type: T.aadPermissionScope[0], name: "api-scope", props: permissionScopeArgs(), propertyDependencies: { applicationId: ["api-app"] } },
        { type: T.aadAppRole[0], name: "api-role", props: appRoleArgs(), propertyDependencies: { applicationId: ["api-app"] } },
        { type: T.aadServicePrincipal[0], name: "api-sp", props: servicePrincipalArgs(), propertyDependencies: { clientId: ["api-app"] } },
        { type: T.aadOwner[0], name: "api-owner", props: ownerArgs(), propertyDependencies: { applicationId: ["api-app"] } },
        { type: T.aadPreAuthorized[0], name: "api-preauth", props: preAuthorizedArgs(), propertyDependencies: { applicationId: ["api-app"], authorizedClientId: ["mobile-app"] } },
        { type: T.aadApplicationRegistration[0], name: "mobile-app", props: mobileAppArgs() },
        { type: T.aadOwner[0], name: "mobile-owner", props: ownerArgs("/applications/mobile-object-id"), propertyDependencies: { applicationId: ["mobile-app"] } },
        { type: T.aadRedirectUris[0], name: "mobile-redirects", props: redirectUrisArgs(), propertyDependencies: { applicationId: ["mobile-app"] } },
        { type: T.aadFallbackPublicClient[0], name: "mobile-public", props: fallbackPublicClientArgs(), propertyDependencies: { applicationId: ["mobile-app"] } },
    ];
    return [...base.filter((r) => !(o.drop ?? []).includes(r.name)).map((r) => (o.patch?.[r.name] ? { ...r, props: mutate(r.props as Record<string, unknown>, o.patch[r.name]) } : r)), ...(o.extra ?? [])];
}

describe("AAD-03 safe identifier URIs (stack)", () => {
    it("passes api://<clientId> of the application", () => assertPasses(checkStack(aad03IdentifierUris, entraStack())));
    it("passes at preview: computed from its own application only", () =>
        assertPasses(checkStack(aad03IdentifierUris, entraStack({ patch: { "api-uri": (p) => (p.identifierUri = unknown()) } }))));
    it("waits when an unknown URI is computed from something else", () => {
        const stack = entraStack({ patch: { "api-uri": (p) => (p.identifierUri = unknown()) } });
        stack.find((r) => r.name === "api-uri")!.propertyDependencies = { applicationId: ["api-app"], identifierUri: ["mobile-app"] };
        assertCannotRun(checkStack(aad03IdentifierUris, stack), /identifierUri/);
    });
    it("fails http", () =>
        assertViolation(checkStack(aad03IdentifierUris, entraStack({ patch: { "api-uri": (p) => (p.identifierUri = "http://api.contoso.com") } })), aad03IdentifierUris, /uses http/));
    it("fails a wildcard", () =>
        assertViolation(checkStack(aad03IdentifierUris, entraStack({ patch: { "api-uri": (p) => (p.identifierUri = "api://*") } })), aad03IdentifierUris, /wildcard/));
    it("fails an unverified https domain, passes a verified one", () => {
        const s = entraStack({ patch: { "api-uri": (p) => (p.identifierUri = "https://api.contoso.com/iot") } });
        assertViolation(checkStack(aad03IdentifierUris, s), aad03IdentifierUris, /not a verified domain/);
        assertPasses(checkStack(aad03IdentifierUris, s, { verifiedDomains: ["contoso.com"] }));
    });
    it("fails api://<another application's client id> once client ids are known", () =>
        assertViolation(checkStack(aad03IdentifierUris, entraStack({ patch: { "api-app": (p) => (p.clientId = MOBILE_CLIENT_ID) } })), aad03IdentifierUris, /names another application's client id/));
    it("checks Application.identifierUris", () =>
        assertViolation(checkStack(aad03IdentifierUris, [{ type: T.aadApplication[0], name: "legacy", props: app((a) => (a.identifierUris = ["api://legacy"])) }]), aad03IdentifierUris, /identifierUris\[0\] "api:\/\/legacy"/));
});

describe("AAD-07 API app is not a public client (stack)", () => {
    it("passes: only the mobile app is a public client", () => assertPasses(checkStack(aad07ApiNotPublicClient, entraStack())));
    it("fails a fallback public client on the API app", () =>
        assertViolation(checkStack(aad07ApiNotPublicClient, entraStack({ extra: [{ type: T.aadFallbackPublicClient[0], name: "api-public", props: { applicationId: "x", enabled: true }, propertyDependencies: { applicationId: ["api-app"] } }] })), aad07ApiNotPublicClient, /'api-public' enables it as a fallback public client/));
    it("fails PublicClient redirect URIs on the API app", () =>
        assertViolation(checkStack(aad07ApiNotPublicClient, entraStack({ extra: [{ type: T.aadRedirectUris[0], name: "api-redirects", props: redirectUrisArgs(), propertyDependencies: { applicationId: ["api-app"] } }] })), aad07ApiNotPublicClient, /registers PublicClient redirect URIs/));
    it("fails fallbackPublicClientEnabled on a monolithic API Application", () =>
        assertViolation(checkStack(aad07ApiNotPublicClient, [{ type: T.aadApplication[0], name: "legacy", props: app((a) => (a.fallbackPublicClientEnabled = true)) }]), aad07ApiNotPublicClient, /sets fallbackPublicClientEnabled/));
    it("passes a public client that exposes nothing", () =>
        assertPasses(checkStack(aad07ApiNotPublicClient, [{ type: T.aadApplication[0], name: "mobile", props: { displayName: "m", fallbackPublicClientEnabled: true, publicClient: { redirectUris: ["msauth.x://auth"] } } }])));
});

describe("AAD-09 assignment required on the API service principal (stack)", () => {
    it("passes", () => assertPasses(checkStack(aad09AssignmentRequired, entraStack())));
    it("passes at preview (clientId unknown, followed through propertyDependencies)", () =>
        assertPasses(checkStack(aad09AssignmentRequired, entraStack({ patch: { "api-sp": (p) => (p.clientId = unknown()) } }))));
    it("fails when absent (provider default false)", () =>
        assertViolation(checkStack(aad09AssignmentRequired, entraStack({ patch: { "api-sp": (p) => delete p.appRoleAssignmentRequired } })), aad09AssignmentRequired, /appRoleAssignmentRequired absent; it must be true/));
    it("does not apply to the mobile app's service principal", () =>
        assertPasses(checkStack(aad09AssignmentRequired, entraStack({ extra: [{ type: T.aadServicePrincipal[0], name: "mobile-sp", props: { clientId: MOBILE_CLIENT_ID }, propertyDependencies: { clientId: ["mobile-app"] } }] }))));
});

describe("AAD-10 owners (stack)", () => {
    it("passes", () => assertPasses(checkStack(aad10Owners, entraStack())));
    it("fails an application registration without ApplicationOwner", () =>
        assertViolation(checkStack(aad10Owners, entraStack({ drop: ["mobile-owner"] })), aad10Owners, /application 'mobile-app' has no owner/));
    it("fails an Application with empty owners", () =>
        assertViolation(checkStack(aad10Owners, [{ type: T.aadApplication[0], name: "legacy", props: app((a) => (a.owners = [])) }]), aad10Owners, /'legacy' has no owner/));
});

describe("AAD-12 well-formed scopes and roles (stack)", () => {
    it("passes", () => assertPasses(checkStack(aad12ScopesAndRoles, entraStack())));
    it("fails a privileged scope users can consent to", () =>
        assertViolation(checkStack(aad12ScopesAndRoles, entraStack({ patch: { "api-scope": (p) => (p.value = "Devices.Write") } })), aad12ScopesAndRoles, /'Devices\.Write' is privileged but users can consent/));
    it("fails a privileged scope without type (defaults to User)", () =>
        assertViolation(checkStack(aad12ScopesAndRoles, entraStack({ patch: { "api-scope": (p) => { p.value = "Devices.Manage"; delete p.type; } } })), aad12ScopesAndRoles, /privileged/));
    it("passes a privileged scope requiring admin consent", () =>
        assertPasses(checkStack(aad12ScopesAndRoles, entraStack({ patch: { "api-scope": (p) => { p.value = "Devices.Write"; p.type = "Admin"; } } }))));
    it("fails a scope value with spaces", () =>
        assertViolation(checkStack(aad12ScopesAndRoles, entraStack({ patch: { "api-scope": (p) => (p.value = "read telemetry") } })), aad12ScopesAndRoles, /not a well-formed scope name/));
    it("fails an app role with an invalid member type", () =>
        assertViolation(checkStack(aad12ScopesAndRoles, entraStack({ patch: { "api-role": (p) => (p.allowedMemberTypes = ["Everyone"]) } })), aad12ScopesAndRoles, /allowedMemberTypes \["Everyone"\]/));
    it("fails pre-authorizing a client that is not in the program", () => {
        const s = entraStack({ patch: { "api-preauth": (p) => (p.authorizedClientId = "99999999-1111-4222-8333-444444444444") } });
        s.find((r) => r.name === "api-preauth")!.propertyDependencies = { applicationId: ["api-app"] };
        assertViolation(checkStack(aad12ScopesAndRoles, s), aad12ScopesAndRoles, /names client id '99999999/);
    });
    it("waits for an unknown pre-authorized client id not linked to an application", () => {
        const s = entraStack({ patch: { "api-preauth": (p) => (p.authorizedClientId = unknown()) } });
        s.find((r) => r.name === "api-preauth")!.propertyDependencies = { applicationId: ["api-app"] };
        assertCannotRun(checkStack(aad12ScopesAndRoles, s), /authorizedClientId/);
    });
    it("checks inline scopes of an Application", () =>
        assertSomeViolation(checkStack(aad12ScopesAndRoles, [{ type: T.aadApplication[0], name: "legacy", props: app((a) => (a.api!.oauth2PermissionScopes![0].value = "Admin.All")) }]), aad12ScopesAndRoles, /privileged/));
    it("accepts the known API client id as an allowed client", () =>
        assertPasses(checkStack(aad12ScopesAndRoles, [{ type: T.aadKnownClients[0], name: "kc", props: { applicationId: "x", knownClientIds: [API_CLIENT_ID] } }], { allowedClientIds: [API_CLIENT_ID] })));
});
