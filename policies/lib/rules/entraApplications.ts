/**
 * Helpers shared by the `entraApplications` rules (AAD-01, AAD-02, AAD-04, AAD-05, AAD-06, AAD-08, AAD-11, AAD-13) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { ApplicationArgs } from "@pulumi/azuread/application";
import type { ApplicationRegistrationArgs } from "@pulumi/azuread/applicationRegistration";
import type { Unwrap } from "@pulumi/pulumi";
import { str } from "../values";

export type AppProps = Unwrap<ApplicationArgs>;
export type RegProps = Unwrap<ApplicationRegistrationArgs>;

export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export interface RedirectConfig {
    allowLocalhost: boolean;
    nativeSchemePatterns: string[];
}

export function localhost(u: URL): boolean {
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

export function safeRegex(p: string): RegExp | undefined {
    try {
        return new RegExp(p);
    } catch {
        return undefined;
    }
}

/** Days of a Go duration such as `240h` or `2400h30m`; undefined when not parseable. */
export function goDurationDays(x: unknown): number | undefined {
    const s = str(x)?.trim();
    if (s === undefined || !/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(s)) return undefined;
    const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };
    let seconds = 0;
    for (const m of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g)) seconds += Number(m[1]) * unit[m[2]];
    return seconds / 86400;
}
