/**
 * Helpers shared by the `entraApiExposure` rules (AAD-03, AAD-07, AAD-09, AAD-10, AAD-12) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { PolicyResource } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { isKind, type TokenKind } from "../tokens";
import { peek } from "../unknowns";
import { arr, isObj, lower } from "../values";

export const APP_KINDS: readonly TokenKind[] = ["aadApplication", "aadApplicationRegistration"];
export const API_CHILD_KINDS: readonly TokenKind[] = ["aadIdentifierUri", "aadPermissionScope", "aadAppRole", "aadKnownClients", "aadPreAuthorized"];

export class EntraGraph extends StackGraph {
    readonly apps: PolicyResource[];
    constructor(resources: PolicyResource[]) {
        super(resources);
        this.apps = resources.filter((r) => APP_KINDS.some((k) => isKind(r.type, k)));
    }
    /** The application a split resource belongs to (through `applicationId` dependencies). */
    appOf(child: PolicyResource): PolicyResource | undefined {
        return this.depsOf(child, "applicationId").find((d) => APP_KINDS.some((k) => isKind(d.type, k)));
    }
    childrenOf(app: PolicyResource, kinds: readonly TokenKind[]): PolicyResource[] {
        return this.resources.filter((r) => kinds.some((k) => isKind(r.type, k)) && this.appOf(r) === app);
    }
    exposesApi(app: PolicyResource): boolean {
        if (this.childrenOf(app, API_CHILD_KINDS).length > 0) return true;
        if (!isKind(app.type, "aadApplication")) return false;
        const nonEmptyAt = (container: unknown, key: string): boolean => {
            const p = peek(container, key);
            return !p.known || arr(p.value).length > 0;
        };
        if (nonEmptyAt(app.props, "identifierUris") || nonEmptyAt(app.props, "appRoles")) return true;
        const api = peek(app.props, "api");
        if (!api.known) return true;
        return isObj(api.value) && (nonEmptyAt(api.value, "oauth2PermissionScopes") || nonEmptyAt(api.value, "knownClientApplications"));
    }
    /** Known client ids of the program's applications (after deployment). */
    knownClientIds(): string[] {
        return this.apps
            .map((a) => peek(a.props, "clientId"))
            .filter((p) => p.known)
            .map((p) => lower((p as { value: unknown }).value))
            .filter((s): s is string => s !== undefined && s !== "");
    }
}

export function name(r: PolicyResource): string {
    return `'${String(r.name)}'`;
}

export const GUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** Why an identifier URI is unsafe, or undefined. */
export function identifierUriProblem(uri: string, verifiedDomains: readonly string[]): string | undefined {
    const s = uri.trim();
    if (s.includes("*")) return "contains a wildcard";
    if (new RegExp(`^api://${GUID}/?$`, "i").test(s)) return undefined;
    const m = /^https:\/\/([^/:?#]+)(\/[^?#]*)?$/i.exec(s);
    if (m) {
        const host = m[1].toLowerCase();
        return verifiedDomains.some((d) => host === d.toLowerCase() || host.endsWith("." + d.toLowerCase()))
            ? undefined
            : `uses the domain ${host}, which is not a verified domain of the tenant`;
    }
    if (/^http:/i.test(s)) return "uses http";
    return "is neither api://<client id> nor https on a verified domain";
}
