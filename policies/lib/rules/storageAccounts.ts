/**
 * Helpers shared by the `storageAccounts` rules (STG-01, STG-02, STG-03, STG-04, STG-05) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { StorageAccountArgs } from "@pulumi/azure-native/storage";
import type { Unwrap } from "@pulumi/pulumi";

export type StorageAccountProps = Unwrap<StorageAccountArgs>;
