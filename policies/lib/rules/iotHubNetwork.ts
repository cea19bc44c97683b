/**
 * Helpers shared by the `iotHubNetwork` rules (IOT-01, IOT-02, IOT-04, IOT-09) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { IotHubResourceArgs } from "@pulumi/azure-native/iothub";
import type { Unwrap } from "@pulumi/pulumi";
import { arr, isObj } from "../values";

export type HubProps = Unwrap<IotHubResourceArgs>;
export type HubProperties = NonNullable<HubProps["properties"]>;

/** What IP filtering a hub has, independent of its quality (IOT-04 judges the quality). */
export function hasAnyIpFilter(p: Partial<HubProperties>): boolean {
    return isObj(p.networkRuleSets) || arr(p.ipFilterRules).length > 0;
}
