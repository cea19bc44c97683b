/** FUNC-04, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { WebAppProps } from "../../lib/rules/functionApp";
import { peek } from "../../lib/unknowns";
import { isObj, lower, obj, show } from "../../lib/values";

export const func04ManagedIdentity = resourceRule({
    id: "FUNC-04",
    name: "func-04-app-managed-identity",
    description:
        "Function and web apps must have a managed identity (identity.type UserAssigned, preferred, or SystemAssigned), which they use for Event Hubs, Cosmos DB, storage and Application Insights instead of keys; a UserAssigned type needs at least one identity (Azure Policy \"Function apps should use managed identity\", 0da106f2-4ca3-48e8-bc85-c638fe6aea8f).",
    remediationSteps: "Set identity: { type: \"UserAssigned\", userAssignedIdentities: [<identity id>] } and grant that identity its data-plane roles.",
    severity: "medium",
    anchors: "AP \"Function apps should use managed identity\" (0da106f2-4ca3-48e8-bc85-c638fe6aea8f)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const identity = obj((props as WebAppProps).identity);
        const type = lower(identity.type) ?? "";
        const user = type.includes("userassigned");
        if (!user && !type.includes("systemassigned")) {
            report(`identity.type is ${show(identity.type)}; the app needs a UserAssigned (preferred) or SystemAssigned identity.`);
            return;
        }
        if (user) {
            const ids = peek(identity, "userAssignedIdentities");
            if (!ids.known) return;
            const v: unknown = ids.value;
            const count = Array.isArray(v) ? v.length : isObj(v) ? Object.keys(v).length : 0;
            if (count === 0) report("identity.type is UserAssigned but identity.userAssignedIdentities is empty.");
        }
    },
});
