/**
 * Helpers shared by the `appInsights` rules (AI-01, AI-02, AI-03) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { ComponentArgs } from "@pulumi/azure-native/applicationinsights";
import type { Unwrap } from "@pulumi/pulumi";

export type AppInsightsProps = Unwrap<ComponentArgs>;
