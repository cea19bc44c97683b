/**
 * Helpers shared by the `eventHubs` rules (EVH-01, EVH-02, EVH-03, EVH-04, EVH-05) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { NamespaceArgs } from "@pulumi/azure-native/eventhub";
import type { Unwrap } from "@pulumi/pulumi";

export type EventHubNamespaceProps = Unwrap<NamespaceArgs>;
