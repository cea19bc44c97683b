/**
 * Helpers shared by the `dps` rules (DPS-01, DPS-03, DPS-04, DPS-07, DPS-07) or used outside them (tests, other rules).
 * The family's notes and sources are in policies/policies.ts.
 */
import type { IotDpsResourceArgs } from "@pulumi/azure-native/deviceprovisioningservices";
import type { Unwrap } from "@pulumi/pulumi";
import { isSetAt, peek, type Peeked } from "../unknowns";
import { lower, show } from "../values";

export type DpsProps = Unwrap<IotDpsResourceArgs>;

/**
 * A linked hub entry (properties.iotHubs[]) of the DPS ARM API from 2026-03-01-preview on
 * (Azure/azure-rest-api-specs specification/deviceprovisioningservices/.../DeviceProvisioningServices/
 * models.tsp, IotHubDefinitionDescription; example examples/2026-08-01/DPSCreateWithIotHub.json).
 * `connectionString` is required only when authenticationType is KeyBased; `hostName` when there is
 * no connection string; `selectedUserAssignedIdentityResourceId` when authenticationType is
 * UserAssigned. Before 2026-03-01-preview there was no authenticationType: every link was by key.
 */
export interface DpsHubLink {
    applyAllocationPolicy?: boolean;
    allocationWeight?: number;
    hostName?: string;
    authenticationType?: "KeyBased" | "UserAssigned" | "SystemAssigned";
    selectedUserAssignedIdentityResourceId?: string;
    connectionString?: string;
    location: string;
}

/** DPS inputs as the generic resource sends them at API 2026-08-01 (the typed shape plus the new fields). */
export type DpsArmProps = Omit<DpsProps, "properties"> & {
    properties: Omit<DpsProps["properties"], "iotHubs"> & { iotHubs?: DpsHubLink[]; disableLocalAuth?: boolean };
};

/** How a linked hub entry authenticates DPS to the hub. */
export type LinkAuth =
    | { mode: "KeyBased"; why: string }
    | { mode: "UserAssigned"; identityId: Peeked }
    | { mode: "SystemAssigned" }
    | { mode: "unknown" }
    | { mode: "invalid"; value: string };

/**
 * Reads an iotHubs[] entry's authentication: a connection string (set, or unknown at preview, which
 * is a set secret) makes it a key link whatever authenticationType says; an absent
 * authenticationType is KeyBased (the only kind of link before 2026-03-01-preview). Never throws.
 */
export function linkAuth(entry: Record<string, unknown>): LinkAuth {
    if (isSetAt(entry, "connectionString")) {
        const cs = peek(entry, "connectionString");
        return { mode: "KeyBased", why: cs.known ? "it sets connectionString" : "it sets connectionString (a secret, unknown at preview)" };
    }
    const at = peek(entry, "authenticationType");
    if (!at.known) return { mode: "unknown" };
    const v = lower(at.value);
    if (v === undefined || v === "") return { mode: "KeyBased", why: "authenticationType is absent (KeyBased, as in every API version before 2026-03-01-preview)" };
    if (v === "keybased") return { mode: "KeyBased", why: `authenticationType is ${show(at.value)}` };
    if (v === "userassigned") return { mode: "UserAssigned", identityId: peek(entry, "selectedUserAssignedIdentityResourceId") };
    if (v === "systemassigned") return { mode: "SystemAssigned" };
    return { mode: "invalid", value: show(at.value) };
}

/** First DPS API version with properties.disableLocalAuth (example DPSCreate_DisableLocalAuthTrue). */
export const DPS_LOCAL_AUTH_SINCE = "2026-06-01-preview";

/**
 * Whether a DPS API version has properties.disableLocalAuth: from 2026-06-01-preview on (ARM
 * versions are dates; a preview sorts with its date). Undefined when the text is not a version.
 */
export function dpsApiHasLocalAuthSwitch(version: string): boolean | undefined {
    const m = /^(\d{4}-\d{2}-\d{2})(-preview)?$/i.exec(version.trim());
    if (m === null) return undefined;
    return m[1] >= DPS_LOCAL_AUTH_SINCE.slice(0, 10);
}
