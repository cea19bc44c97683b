/**
 * Custom role definitions (OTH-07): the API's IoT Hub role as the program declares it passes; every
 * widening (another data action, a wildcard, a control-plane action, a wider assignable scope, an
 * assignment outside it) fails.
 */
import { describe, it } from "node:test";
import { TOKENS } from "../lib/tokens";
import { oth07CustomRoles } from "../rules/other/oth-07-custom-roles-least-privilege";
import { API_ROLE_GUID, hubDataRoleAssignmentArgs, hubDataRoleDefinitionArgs, hubId, RG, SUB, stackResources } from "./fixtures";
import { unknown, type StackInput } from "./runPolicies";
import { assertCannotRun, assertPasses, assertViolation, checkStack, mutate } from "./util";

const T = TOKENS;
type Def = ReturnType<typeof hubDataRoleDefinitionArgs>;
type Assignment = ReturnType<typeof hubDataRoleAssignmentArgs>;
const perm = (d: Def) => d.permissions![0];

function stack(o: { def?: (d: Def) => void; assignment?: (a: Assignment) => void; defDeps?: Record<string, string[]>; assignmentDeps?: Record<string, string[]> } = {}): StackInput[] {
    return [
        { type: T.iotHub[0], name: "hub", props: { resourceGroupName: RG("prod"), resourceName: "iot-secure-prod" } },
        { type: T.roleDefinition[0], name: "api-hub-role", props: mutate(hubDataRoleDefinitionArgs("prod"), o.def ?? (() => {})), propertyDependencies: o.defDeps ?? { scope: ["hub"], assignableScopes: ["hub"] } },
        { type: T.roleAssignment[0], name: "api-hub-role-assignment", props: mutate(hubDataRoleAssignmentArgs("prod"), o.assignment ?? (() => {})), propertyDependencies: o.assignmentDeps ?? { scope: ["hub"], roleDefinitionId: ["api-hub-role"] } },
    ];
}

describe("OTH-07 custom roles least privilege (stack)", () => {
    it("passes the API's role: its three data actions, assignable and assigned on the hub", () => assertPasses(checkStack(oth07CustomRoles, stack())));
    it("passes the whole prod stack, deployed and at preview", () => {
        assertPasses(checkStack(oth07CustomRoles, stackResources("prod")));
        assertPasses(checkStack(oth07CustomRoles, stackResources("prod", true)));
    });
    it("passes ids unknown at preview that come from the hub", () =>
        assertPasses(checkStack(oth07CustomRoles, stack({ def: (d) => (d.assignableScopes = [unknown()]), assignment: (a) => (a.scope = unknown()) }))));
    it("links an assignment to its role by the GUID without a dependency", () =>
        assertViolation(checkStack(oth07CustomRoles, stack({ assignment: (a) => (a.scope = `/subscriptions/${SUB}/resourceGroups/${RG("prod")}`), assignmentDeps: {} })), oth07CustomRoles, /outside the role's assignable scopes/));
    it("fails a data action outside the allow list", () =>
        assertViolation(checkStack(oth07CustomRoles, stack({ def: (d) => perm(d).dataActions!.push("Microsoft.Devices/IotHubs/devices/write") })), oth07CustomRoles, /grants the data action 'Microsoft\.Devices\/IotHubs\/devices\/write', which is not in the stack's allow list/));
    it("fails a wildcard data action", () =>
        assertViolation(checkStack(oth07CustomRoles, stack({ def: (d) => (perm(d).dataActions = ["Microsoft.Devices/IotHubs/*"]) })), oth07CustomRoles, /wildcard data action 'Microsoft\.Devices\/IotHubs\/\*'/));
    it("fails a control-plane action (listkeys would read every SAS key)", () =>
        assertViolation(checkStack(oth07CustomRoles, stack({ def: (d) => (perm(d).actions = ["Microsoft.Devices/iotHubs/listkeys/action"]) })), oth07CustomRoles, /control-plane action 'Microsoft\.Devices\/iotHubs\/listkeys\/action'/));
    it("passes another data action once the stack allows it", () =>
        assertPasses(checkStack(oth07CustomRoles, stack({ def: (d) => perm(d).dataActions!.push("Microsoft.Devices/IotHubs/devices/read") }), {
            allowedDataActions: [...hubDataRoleDefinitionArgs("prod").permissions![0].dataActions!, "Microsoft.Devices/IotHubs/devices/read"],
            allowedActions: [],
        })));
    it("fails a role that grants nothing", () => assertViolation(checkStack(oth07CustomRoles, stack({ def: (d) => (d.permissions = []) })), oth07CustomRoles, /grants nothing/));
    for (const [what, scope] of [
        ["the tenant root", "/"],
        ["a subscription", `/subscriptions/${SUB}`],
        ["a resource group", `/subscriptions/${SUB}/resourceGroups/${RG("prod")}`],
        ["a management group", "/providers/Microsoft.Management/managementGroups/contoso"],
    ] as const) {
        it(`fails a role assignable at ${what}`, () =>
            assertViolation(checkStack(oth07CustomRoles, stack({ def: (d) => (d.assignableScopes = [scope]), defDeps: {} })), oth07CustomRoles, /is assignable at .*, wider than an IoT hub/));
    }
    it("fails no assignable scope", () => assertViolation(checkStack(oth07CustomRoles, stack({ def: (d) => (d.assignableScopes = []) })), oth07CustomRoles, /has no assignableScopes/));
    it("fails an assignment outside the assignable scopes", () =>
        assertViolation(checkStack(oth07CustomRoles, stack({ assignment: (a) => (a.scope = `${hubId("prod")}-other`), assignmentDeps: { roleDefinitionId: ["api-hub-role"] } })), oth07CustomRoles, /is scoped to .*, outside the role's assignable scopes \(.*iothubs\/iot-secure-prod\)/));
    it("ignores assignments of built-in roles", () =>
        assertPasses(checkStack(oth07CustomRoles, stack({ assignment: (a) => (a.roleDefinitionId = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b447c946-2db7-41ec-983d-d8bf3b1c77e3`), assignmentDeps: {} }))));
    it("waits for unknown permissions", () => assertCannotRun(checkStack(oth07CustomRoles, stack({ def: (d) => (d.permissions = unknown()) })), /permissions/));
    it("waits for an unknown assignable scope that does not come from a hub", () =>
        assertCannotRun(checkStack(oth07CustomRoles, stack({ def: (d) => (d.assignableScopes = unknown()), defDeps: {} })), /assignableScopes/));
    it("the role's GUID is the one the assignment names", () => assertPasses(checkStack(oth07CustomRoles, stack({ assignment: (a) => (a.roleDefinitionId = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${API_ROLE_GUID.toUpperCase()}`), assignmentDeps: { scope: ["hub"] } }))));
});
