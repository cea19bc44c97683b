/**
 * Helpers shared by the `functionApp` rules (FUNC-01, FUNC-02, FUNC-03, FUNC-04, FUNC-05, FUNC-06, FUNC-07, FUNC-08, FUNC-09, FUNC-10, FUNC-11) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { WebAppArgs } from "@pulumi/azure-native/web";
import type { Unwrap } from "@pulumi/pulumi";
import { peek } from "../unknowns";
import { isObj, lower } from "../values";

export type WebAppProps = Unwrap<WebAppArgs>;
export type SiteConfig = NonNullable<WebAppProps["siteConfig"]>;

/** The tag an app declares its HTTP functions with (components/flexFunctionApp.ts HTTP_FUNCTIONS_TAG). */
export const HTTP_FUNCTIONS_TAG = "httpFunctions";

/** The app's httpFunctions tag: "true", "false", another string, undefined (absent) or null (unknown at preview). */
export function httpFunctionsTag(props: unknown): string | undefined | null {
    const tags = peek(props, "tags");
    if (!tags.known) return null;
    if (!isObj(tags.value)) return undefined;
    const v = peek(tags.value, HTTP_FUNCTIONS_TAG);
    if (!v.known) return null;
    const s = lower(v.value);
    return s === undefined ? undefined : s.trim();
}
