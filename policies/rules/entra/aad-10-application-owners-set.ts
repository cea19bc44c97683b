/** AAD-10, rule family `entraApiExposure` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { EntraGraph, name } from "../../lib/rules/entraApiExposure";
import { isKind } from "../../lib/tokens";
import { peek } from "../../lib/unknowns";
import { arr } from "../../lib/values";

export const aad10Owners = stackRule({
    id: "AAD-10",
    name: "aad-10-application-owners-set",
    description:
        "Every application must have at least one owner (Application.owners, or an ApplicationOwner linked to the ApplicationRegistration through propertyDependencies), so someone is accountable for it and can rotate its credentials.",
    remediationSteps: "Add azuread.ApplicationOwner { applicationId: app.id, ownerObjectId: <owner object id> } (or owners on Application).",
    severity: "low",
    anchors: "MS",
    validate({ resources, report }) {
        const g = new EntraGraph(resources);
        for (const app of g.apps) {
            if (g.childrenOf(app, ["aadOwner"]).length > 0) continue;
            if (isKind(app.type, "aadApplication")) {
                const o = peek(app.props, "owners");
                if (!o.known || arr(o.value).length > 0) continue;
            }
            report(`application ${name(app)} has no owner.`, app.urn);
        }
    },
});
