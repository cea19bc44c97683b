/**
 * Helpers shared by the `controlPlaneRbac` rules (OTH-03) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */


export const BROAD_ROLES: Record<string, string> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
};

/** Scope too broad for a workload: tenant root, management group, or a whole subscription. */
export function broadScope(scope: string): string | undefined {
    const s = scope.trim().toLowerCase().replace(/\/+$/, "");
    if (s === "" || s === "/") return "the tenant root";
    if (/\/providers\/microsoft\.management\/managementgroups\//.test(s + "/")) return "a management group";
    if (/^\/subscriptions\/[^/]+$/.test(s)) return "a whole subscription";
    return undefined;
}
