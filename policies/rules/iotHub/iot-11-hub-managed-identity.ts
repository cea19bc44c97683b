/** IOT-11, rule family `iotHubAuth` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { HubProps } from "../../lib/rules/iotHubNetwork";
import { peek } from "../../lib/unknowns";
import { isObj, lower, obj, show } from "../../lib/values";

export const iot11Identity = resourceRule({
    id: "IOT-11",
    name: "iot-11-hub-managed-identity",
    description:
        "IoT Hub must have a managed identity (identity.type UserAssigned, preferred, or SystemAssigned) so endpoints can authenticate without keys; a UserAssigned type needs at least one identity.",
    remediationSteps:
        "Set identity: { type: \"UserAssigned\", userAssignedIdentities: [<identity id>] } (create the identity and its role assignments before the hub).",
    severity: "medium",
    anchors: "MCSB IM-3",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const identity = obj((props as HubProps).identity);
        const type = lower(identity.type) ?? "";
        const user = type.includes("userassigned");
        if (!user && !type.includes("systemassigned")) {
            report(`identity.type is ${show(identity.type)}; the hub needs a UserAssigned (preferred) or SystemAssigned identity.`);
            return;
        }
        if (user) {
            const ids = peek(identity, "userAssignedIdentities");
            if (!ids.known) return; // a value exists
            const v: unknown = ids.value;
            const count = Array.isArray(v) ? v.length : isObj(v) ? Object.keys(v).length : 0;
            if (count === 0) report("identity.type is UserAssigned but identity.userAssignedIdentities is empty.");
        }
    },
});
