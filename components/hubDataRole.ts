/**
 * The API's access to the IoT hub: a custom Azure role with exactly the data actions the API's
 * routes call, assignable on this hub only, assigned to the API's managed identity on the hub.
 *
 * The built-in roles are wider than the API: IoT Hub Data Contributor is `Microsoft.Devices/IotHubs/*`
 * (every device, job, configuration and cloud-to-device operation), Twin Contributor has no direct
 * methods, Data Reader reads the registry and statistics too. "You can also define custom roles
 * for use with IoT Hub by combining permissions that you need"; the data actions are the ones the
 * IoT Hub service API documents per operation (MicrosoftDocs/azure-docs
 * articles/iot-hub/authenticate-authorize-azure-ad.md, formerly iot-hub-dev-guide-azure-ad-rbac.md,
 * "Permissions for IoT Hub service APIs"; the same strings are listed under IoT Hub Data Contributor
 * in articles/role-based-access-control/built-in-roles/internet-of-things.md).
 *
 * Assignable scope = the hub. Microsoft's guidance is that a resource in AssignableScopes is
 * possible but not recommended because each tenant holds at most 5000 custom roles
 * (articles/role-based-access-control/role-definitions.md, "AssignableScopes"); this platform creates
 * one per stack, and the narrower scope means the role cannot be reused on any other resource of
 * the resource group. The definition is created at the hub's scope (the role definitions API takes
 * a subscription, resource group or resource scope) and referenced by its subscription-level id,
 * built from a GUID derived from the hub's name, so every input is known at preview.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { API_FUNCTIONS } from "../app/api/src/settings";
import { knownAfter } from "./known";

type ApiFunctionName = (typeof API_FUNCTIONS)[number]["name"];

/**
 * The data actions of the API's routes (app/api/src/settings.ts API_FUNCTIONS; the calls are in
 * app/api/src/iotHub.ts): telemetry comes from Cosmos DB, not from the hub, so it needs none.
 */
export const API_HUB_DATA_ACTIONS_BY_FUNCTION: Record<ApiFunctionName, readonly string[]> = {
    "telemetry-list": [],
    // POST /twins/{id}/methods: "Invokes a direct method on any device or module".
    "device-method-invoke": ["Microsoft.Devices/IotHubs/directMethods/invoke/action"],
    // GET /twins/{id}: "Read any device or module twin".
    "twin-get": ["Microsoft.Devices/IotHubs/twins/read"],
    // PATCH /twins/{id}: "Write any device or module twin" (the answer carries the updated twin).
    "twin-update-desired": ["Microsoft.Devices/IotHubs/twins/write"],
};

/** Every data action the role holds: the union of the routes' actions, sorted. */
export const API_HUB_DATA_ACTIONS: readonly string[] = [...new Set(Object.values(API_HUB_DATA_ACTIONS_BY_FUNCTION).flat())].sort();

/** A GUID derived from a seed (role definition names are GUIDs; the same stack gets the same one). */
export function stableGuid(seed: string): string {
    const h = createHash("sha256").update(seed).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface HubDataRoleArgs {
    subscriptionId: pulumi.Input<string>;
    hubName: string;
    /** The hub's ARM id (known at preview, carrying the dependency on the hub). */
    hubId: pulumi.Input<string>;
    /** Who gets the role: the API's managed identity. */
    principalId: pulumi.Input<string>;
    /** What the role is for, in its name and description. */
    purpose: string;
    dataActions?: readonly string[];
}

export class HubDataRole extends pulumi.ComponentResource {
    public readonly definition: authorization.RoleDefinition;
    public readonly assignment: authorization.RoleAssignment;
    /** The role definition's GUID. */
    public readonly roleGuid: string;

    constructor(name: string, args: HubDataRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:identity:HubDataRole", name, {}, opts);
        const dataActions = [...(args.dataActions ?? API_HUB_DATA_ACTIONS)];
        if (dataActions.length === 0 || dataActions.some((a) => a.includes("*") || !a.startsWith("Microsoft.Devices/IotHubs/"))) {
            throw new Error(`HubDataRole: data actions must be IoT Hub data actions without wildcards, got ${JSON.stringify(dataActions)}`);
        }
        this.roleGuid = stableGuid(`${args.hubName}/${args.purpose}`);
        this.definition = new authorization.RoleDefinition(
            "definition",
            {
                roleDefinitionId: this.roleGuid,
                // Unique in the tenant: the hub's name is globally unique.
                roleName: `IoT Hub ${args.purpose} (${args.hubName})`,
                description: `Exactly the IoT Hub data actions the ${args.purpose} uses (direct methods, twin read and write), on ${args.hubName} only.`,
                roleType: "CustomRole",
                scope: args.hubId,
                assignableScopes: [args.hubId],
                permissions: [{ actions: [], notActions: [], dataActions, notDataActions: [] }],
            },
            { parent: this },
        );
        this.assignment = new authorization.RoleAssignment(
            "assignment",
            {
                principalId: args.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: knownAfter(this.definition, pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${this.roleGuid}`),
                scope: args.hubId,
                description: `${args.purpose}: IoT Hub ${args.purpose} (custom: ${dataActions.join(", ")}) on ${args.hubName}`,
            },
            { parent: this },
        );
        this.registerOutputs({ roleDefinitionId: this.roleGuid });
    }
}
