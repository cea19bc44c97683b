/**
 * Entra ID application settings checked on each resource (@pulumi/azuread 6.x, both the
 * monolithic `Application` and the split `ApplicationRegistration` family): AAD-01 (implicit grant
 * off), AAD-02 (v2 access tokens), AAD-04 (safe redirect URIs), AAD-05 (no passwords), AAD-06
 * (bounded credential lifetime), AAD-08 (single-tenant audience), AAD-11 (no high-privilege Graph
 * application permissions), AAD-13 (pinned CI federated credentials).
 */
import type { ApplicationArgs } from "@pulumi/azuread/application";
import type { ApplicationCertificateArgs } from "@pulumi/azuread/applicationCertificate";
import type { ApplicationFederatedIdentityCredentialArgs } from "@pulumi/azuread/applicationFederatedIdentityCredential";
import type { ApplicationPasswordArgs } from "@pulumi/azuread/applicationPassword";
import type { ApplicationRedirectUrisArgs } from "@pulumi/azuread/applicationRedirectUris";
import type { ApplicationRegistrationArgs } from "@pulumi/azuread/applicationRegistration";
import type { Unwrap } from "@pulumi/pulumi";
import { resourceRule } from "../lib/define";
import { isKind } from "../lib/tokens";
import { peek } from "../lib/unknowns";
import { arr, isObj, isTrue, lower, num, obj, show, str, strings } from "../lib/values";
import { DAY_MS, parseCertificate } from "../lib/x509";

type AppProps = Unwrap<ApplicationArgs>;
type RegProps = Unwrap<ApplicationRegistrationArgs>;

export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export const aad01ImplicitGrant = resourceRule({
    id: "AAD-01",
    name: "aad-01-implicit-grant-off",
    description:
        "Entra ID applications must not issue tokens through the OAuth2 implicit grant (implicitAccessTokenIssuanceEnabled / implicitIdTokenIssuanceEnabled on ApplicationRegistration, web.implicitGrant.* on Application); absent or false passes. Clients use the authorization-code flow with PKCE.",
    remediationSteps: "Remove the implicit grant settings (or set them false) and use MSAL's authorization-code flow with PKCE.",
    severity: "high",
    anchors: "MS app-registration best practices",
    kinds: ["aadApplication", "aadApplicationRegistration"],
    validate(props, { args, report }) {
        if (isKind(args.type, "aadApplicationRegistration")) {
            const p = props as RegProps;
            if (isTrue(p.implicitAccessTokenIssuanceEnabled)) report("implicitAccessTokenIssuanceEnabled is true.");
            if (isTrue(p.implicitIdTokenIssuanceEnabled)) report("implicitIdTokenIssuanceEnabled is true.");
            return;
        }
        const grant = obj(obj((props as AppProps).web).implicitGrant);
        if (isTrue(grant.accessTokenIssuanceEnabled)) report("web.implicitGrant.accessTokenIssuanceEnabled is true.");
        if (isTrue(grant.idTokenIssuanceEnabled)) report("web.implicitGrant.idTokenIssuanceEnabled is true.");
    },
});

export const aad02TokenVersion = resourceRule({
    id: "AAD-02",
    name: "aad-02-access-token-v2",
    description:
        "Applications that expose an API must request v2 access tokens (requestedAccessTokenVersion = 2). For ApplicationRegistration an absent value is the provider default 2; for Application the default is 1, so an Application with an api block or identifier URIs must set 2.",
    remediationSteps: "Set requestedAccessTokenVersion: 2 (ApplicationRegistration) or api: { requestedAccessTokenVersion: 2 } (Application).",
    severity: "medium",
    anchors: "MS",
    kinds: ["aadApplication", "aadApplicationRegistration"],
    validate(props, { args, report }) {
        if (isKind(args.type, "aadApplicationRegistration")) {
            const v = (props as RegProps).requestedAccessTokenVersion;
            if (v !== undefined && v !== null && num(v) !== 2) report(`requestedAccessTokenVersion is ${show(v)}; it must be 2.`);
            return;
        }
        const p = props as AppProps;
        const exposes = isObj(p.api) || strings(p.identifierUris).length > 0;
        if (!exposes) return;
        const v = obj(p.api).requestedAccessTokenVersion;
        if (num(v) !== 2) report(`api.requestedAccessTokenVersion is ${show(v)}${v === undefined ? " (defaults to 1)" : ""}; it must be 2.`);
    },
});

interface RedirectConfig {
    allowLocalhost: boolean;
    nativeSchemePatterns: string[];
}

function localhost(u: URL): boolean {
    return u.hostname === "localhost" || u.hostname === "127.0.0.1" || u.hostname === "[::1]";
}

/** Why a redirect URI of the given platform type is unsafe, or undefined when it is fine. */
export function redirectProblem(uri: string, type: string, config: RedirectConfig): string | undefined {
    const raw = uri.trim();
    if (raw.includes("*")) return "contains a wildcard";
    const t = type.toLowerCase();
    if (t === "publicclient" && config.nativeSchemePatterns.some((p) => safeRegex(p)?.test(raw))) return undefined;
    let u: URL;
    try {
        u = new URL(raw);
    } catch {
        return "is not an absolute URI";
    }
    if (u.protocol === "https:") return u.hostname === "" ? "has no host" : undefined;
    if (u.protocol === "http:") {
        if (!localhost(u)) return "uses http";
        return config.allowLocalhost ? undefined : "is a localhost URI (allowed in development stacks only)";
    }
    return t === "publicclient" ? `uses the custom scheme ${u.protocol} that is not a native broker scheme` : `uses ${u.protocol} (only https is allowed for ${type})`;
}

function safeRegex(p: string): RegExp | undefined {
    try {
        return new RegExp(p);
    } catch {
        return undefined;
    }
}

export const aad04RedirectUris = resourceRule<RedirectConfig>({
    id: "AAD-04",
    name: "aad-04-safe-redirect-uris",
    description:
        "Redirect URIs must be safe: no wildcards; Web and SPA URIs use https (http://localhost only where the stack allows it: development); public-client (mobile) URIs use the native broker schemes (msauth.<bundle-id>://auth, msauth://<package>/<signature-hash>), https, or localhost where allowed.",
    remediationSteps:
        "Register exact https redirect URIs; for the mobile app register msauth.<bundle-id>://auth (iOS) and msauth://<package>/<url-encoded signature hash> (Android) with type PublicClient.",
    severity: "high",
    anchors: "MS",
    kinds: ["aadRedirectUris", "aadApplication"],
    config: {
        allowLocalhost: { type: "boolean", default: false, description: "Allow http://localhost redirect URIs (development)." },
        nativeSchemePatterns: {
            type: "array",
            items: { type: "string" },
            default: ["^msauth\\.[A-Za-z0-9][A-Za-z0-9.-]*://auth/?$", "^msauth://[A-Za-z0-9_.]+/[A-Za-z0-9%+/=_-]+$"],
            description: "Regular expressions of allowed native (public client) redirect URIs besides https.",
        },
    },
    validate(props, { args, config, report }) {
        const check = (uris: unknown, type: string, where: string): void => {
            arr<unknown>(uris).forEach((u, i) => {
                const s = str(u);
                const problem = s === undefined ? `is ${show(u)}` : redirectProblem(s, type, config);
                if (problem !== undefined) report(`${where}[${i}] ${show(u)} ${problem}.`);
            });
        };
        if (isKind(args.type, "aadRedirectUris")) {
            const p = props as Unwrap<ApplicationRedirectUrisArgs>;
            const type = str(p.type) ?? "";
            if (!["web", "spa", "publicclient"].includes(type.toLowerCase())) {
                report(`type is ${show(p.type)}; it must be Web, SPA or PublicClient.`);
                return;
            }
            check(p.redirectUris, type, "redirectUris");
            return;
        }
        const p = props as AppProps;
        check(obj(p.web).redirectUris, "Web", "web.redirectUris");
        check(obj(p.singlePageApplication).redirectUris, "SPA", "singlePageApplication.redirectUris");
        check(obj(p.publicClient).redirectUris, "PublicClient", "publicClient.redirectUris");
    },
});

export const aad05NoPasswords = resourceRule({
    id: "AAD-05",
    name: "aad-05-no-password-credentials",
    description:
        "Applications and service principals must not have password credentials (client secrets): no ApplicationPassword, no ServicePrincipalPassword, no password block on Application. Workloads use managed identities or federated credentials; the mobile client is a public client without secrets.",
    remediationSteps: "Delete the password resource; authenticate the workload with a managed identity or a federated identity credential (AAD-13).",
    severity: "high",
    anchors: "MS; Graph passwordAddition",
    kinds: ["aadApplicationPassword", "aadServicePrincipalPassword", "aadApplication"],
    validate(props, { args, report }) {
        if (isKind(args.type, "aadApplication")) {
            if (isObj((props as AppProps).password)) report("the application defines a password credential (password block).");
            return;
        }
        report(`${isKind(args.type, "aadApplicationPassword") ? "ApplicationPassword" : "ServicePrincipalPassword"} '${String(args.name)}' creates a client secret.`);
    },
});

/** Days of a Go duration such as `240h` or `2400h30m`; undefined when not parseable. */
export function goDurationDays(x: unknown): number | undefined {
    const s = str(x)?.trim();
    if (s === undefined || !/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(s)) return undefined;
    const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };
    let seconds = 0;
    for (const m of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g)) seconds += Number(m[1]) * unit[m[2]];
    return seconds / 86400;
}

const PASSWORD_DEFAULT_DAYS = 730; // azuread provider default: two years

export const aad06CredentialLifetime = resourceRule<{ maxLifetimeDays: number }>({
    id: "AAD-06",
    name: "aad-06-bounded-credential-lifetime",
    description:
        "Application and service principal credentials (certificates and, where they exist at all, passwords) must expire within the configured number of days from their start: endDate, endDateRelative, or for a certificate without either the certificate's own expiry; a password without an end date gets the provider's two-year default.",
    remediationSteps: "Set endDate (or use a certificate whose validity is within the limit) and rotate before it expires.",
    severity: "medium",
    anchors: "Graph lifetime restrictions",
    kinds: ["aadApplicationCertificate", "aadServicePrincipalCertificate", "aadApplicationPassword", "aadServicePrincipalPassword"],
    config: {
        maxLifetimeDays: { type: "integer", minimum: 1, default: 365, description: "Longest allowed credential lifetime in days." },
    },
    validate(props, { args, config, report }) {
        const p = props as Unwrap<ApplicationCertificateArgs> & Unwrap<ApplicationPasswordArgs>;
        const startText = str(p.startDate);
        const endText = str(p.endDate);
        const relativeText = str(p.endDateRelative);
        const start = startText !== undefined ? new Date(startText) : new Date();
        const startMs = Number.isNaN(start.getTime()) ? Date.now() : start.getTime();
        let days: number | undefined;
        let source: string;
        if (endText !== undefined) {
            const end = new Date(endText);
            if (Number.isNaN(end.getTime())) {
                report(`endDate ${show(p.endDate)} is not a date.`);
                return;
            }
            days = (end.getTime() - startMs) / DAY_MS;
            source = `endDate ${endText}`;
        } else if (p.endDateRelative !== undefined && p.endDateRelative !== null) {
            days = goDurationDays(p.endDateRelative);
            if (days === undefined) {
                report(`endDateRelative ${show(p.endDateRelative)} is not a duration such as 2160h.`);
                return;
            }
            source = `endDateRelative ${relativeText ?? ""}`;
        } else if (isKind(args.type, "aadApplicationCertificate") || isKind(args.type, "aadServicePrincipalCertificate")) {
            const cert = parseCertificate(p.value, str(p.encoding));
            if (cert === undefined) {
                report("the certificate value cannot be parsed and no endDate is set, so its lifetime is unknown.");
                return;
            }
            days = (cert.validTo.getTime() - Math.max(startMs, cert.validFrom.getTime())) / DAY_MS;
            source = `the certificate's expiry ${cert.validTo.toISOString()}`;
        } else {
            days = PASSWORD_DEFAULT_DAYS;
            source = "no end date (provider default of two years)";
        }
        if (days > config.maxLifetimeDays) {
            report(`the credential is valid for ${Math.round(days)} days (${source}); at most ${config.maxLifetimeDays} days are allowed.`);
        }
    },
});

export const aad08SignInAudience = resourceRule<{ allowedSignInAudiences: string[] }>({
    id: "AAD-08",
    name: "aad-08-single-tenant-audience",
    description:
        "Applications must be single-tenant (signInAudience AzureADMyOrg, the provider default when absent) unless the stack's policy config allows another audience.",
    remediationSteps: "Set signInAudience: \"AzureADMyOrg\", or add the audience to allowedSignInAudiences after review.",
    severity: "medium",
    anchors: "MS",
    kinds: ["aadApplication", "aadApplicationRegistration"],
    config: {
        allowedSignInAudiences: {
            type: "array",
            items: { type: "string", enum: ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"] },
            default: ["AzureADMyOrg"],
            description: "Allowed signInAudience values.",
        },
    },
    validate(props, { config, report }) {
        const v = (props as RegProps).signInAudience;
        if (v === undefined || v === null) return;
        const s = lower(v);
        if (!config.allowedSignInAudiences.some((a) => a.toLowerCase() === s)) {
            report(`signInAudience is ${show(v)}; allowed: ${config.allowedSignInAudiences.join(", ")}.`);
        }
    },
});

/** High-privilege Microsoft Graph application permissions (app role ids). */
export const HIGH_PRIVILEGE_GRAPH_ROLES: Record<string, string> = {
    "19dbc75e-c2e2-444c-a770-ec69d8559fc7": "Directory.ReadWrite.All",
    "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8": "RoleManagement.ReadWrite.Directory",
    "06b708a9-e830-4db3-a914-8e69da51d44f": "AppRoleAssignment.ReadWrite.All",
    "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9": "Application.ReadWrite.All",
    "741f803b-c850-494e-b5df-cde7c675a1ca": "User.ReadWrite.All",
    "62a82d76-70ea-41e2-9197-370581804d09": "Group.ReadWrite.All",
    "e2a3a72e-5f79-4c64-b1b1-878b674786c9": "Mail.ReadWrite",
    "75359482-378d-4052-8f01-80520e7db3cd": "Files.ReadWrite.All",
    "a82116e5-55eb-4c41-a434-62fe8a61c773": "Sites.FullControl.All",
};

export const aad11ApiPermissions = resourceRule<{ forbiddenGraphAppRoleIds: string[] }>({
    id: "AAD-11",
    name: "aad-11-no-high-privilege-graph-permissions",
    description:
        "Applications must not request high-privilege Microsoft Graph application permissions (app roles such as Directory.ReadWrite.All, RoleManagement.ReadWrite.Directory, AppRoleAssignment.ReadWrite.All, Application.ReadWrite.All), through Application.requiredResourceAccesses (type Role) or ApplicationApiAccess.roleIds.",
    remediationSteps: "Request delegated scopes or narrowly scoped application permissions instead, and grant them per resource where Graph supports it.",
    severity: "high",
    anchors: "MS",
    kinds: ["aadApplication", "aadApiAccess"],
    config: {
        forbiddenGraphAppRoleIds: {
            type: "array",
            items: { type: "string" },
            default: Object.keys(HIGH_PRIVILEGE_GRAPH_ROLES),
            description: "Microsoft Graph app role ids that may not be requested.",
        },
    },
    validate(props, { args, config, report }) {
        const forbidden = config.forbiddenGraphAppRoleIds.map((r) => r.toLowerCase());
        const flag = (id: unknown, where: string): void => {
            const s = lower(id);
            if (s !== undefined && forbidden.includes(s)) report(`${where} requests the Microsoft Graph application permission ${HIGH_PRIVILEGE_GRAPH_ROLES[s] ?? s}.`);
        };
        if (isKind(args.type, "aadApiAccess")) {
            const p = props as { apiClientId?: unknown; roleIds?: unknown };
            // Microsoft Graph is named by its fixed client id; a value unknown at preview comes from
            // another application of the program, which is not Graph.
            const api = peek(props, "apiClientId");
            if (!api.known || lower(api.value) !== MICROSOFT_GRAPH_APP_ID) return;
            strings(p.roleIds).forEach((id, i) => flag(id, `roleIds[${i}]`));
            return;
        }
        arr<unknown>((props as AppProps).requiredResourceAccesses).forEach((rra, i) => {
            if (!isObj(rra) || lower(rra["resourceAppId"]) !== MICROSOFT_GRAPH_APP_ID) return;
            arr<unknown>(rra["resourceAccesses"]).forEach((ra, j) => {
                if (isObj(ra) && lower(ra["type"]) === "role") flag(ra["id"], `requiredResourceAccesses[${i}].resourceAccesses[${j}]`);
            });
        });
    },
});

export const aad13FederatedCredential = resourceRule<{ allowedIssuers: string[]; subjectPatterns: string[] }>({
    id: "AAD-13",
    name: "aad-13-federated-credential-pinned",
    description:
        "Federated identity credentials (CI login by OIDC) must be pinned: audience exactly api://AzureADTokenExchange, an allowed issuer, and a subject without wildcards that matches an allowed pattern (by default a GitHub environment or branch of one repository).",
    remediationSteps:
        "Set issuer \"https://token.actions.githubusercontent.com\", audiences [\"api://AzureADTokenExchange\"] and subject \"repo:<org>/<repo>:environment:<env>\".",
    severity: "high",
    anchors: "CKV_AZURE_249",
    kinds: ["aadFederatedCredential"],
    config: {
        allowedIssuers: {
            type: "array",
            items: { type: "string" },
            default: ["https://token.actions.githubusercontent.com"],
            description: "Allowed OIDC issuers.",
        },
        subjectPatterns: {
            type: "array",
            items: { type: "string" },
            default: ["^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:(environment:[A-Za-z0-9_.-]+|ref:refs/heads/[A-Za-z0-9_./-]+)$"],
            description: "Regular expressions a subject must match.",
        },
    },
    validate(props, { config, report }) {
        const p = props as Unwrap<ApplicationFederatedIdentityCredentialArgs>;
        const audiences = strings(p.audiences);
        if (!(audiences.length === 1 && audiences[0] === "api://AzureADTokenExchange")) {
            report(`audiences is ${show(p.audiences)}; it must be exactly ["api://AzureADTokenExchange"].`);
        }
        const issuer = str(p.issuer)?.trim();
        if (issuer === undefined || !config.allowedIssuers.includes(issuer)) {
            report(`issuer ${show(p.issuer)} is not an allowed issuer (${config.allowedIssuers.join(", ")}).`);
        }
        const subject = str(p.subject) ?? "";
        if (subject.trim() === "" || subject.includes("*")) {
            report(`subject ${show(p.subject)} is empty or contains a wildcard.`);
        } else if (!config.subjectPatterns.some((pat) => safeRegex(pat)?.test(subject))) {
            report(`subject '${subject}' does not match an allowed pattern (a GitHub environment or branch of one repository).`);
        }
    },
});

export const entraApplicationPolicies = [
    aad01ImplicitGrant,
    aad02TokenVersion,
    aad04RedirectUris,
    aad05NoPasswords,
    aad06CredentialLifetime,
    aad08SignInAudience,
    aad11ApiPermissions,
    aad13FederatedCredential,
];
