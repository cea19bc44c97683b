/** AAD-09, rule family `entraApiExposure` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { APP_KINDS, EntraGraph, name } from "../../lib/rules/entraApiExposure";
import { isKind } from "../../lib/tokens";
import { isTrue, show } from "../../lib/values";

export const aad09AssignmentRequired = stackRule({
    id: "AAD-09",
    name: "aad-09-api-service-principal-assignment-required",
    description:
        "The service principal of an application that exposes an API must require app role assignment (appRoleAssignmentRequired = true; the provider default is false), so only assigned users, groups and clients get tokens for it. The service principal is linked to its application through propertyDependencies of clientId.",
    remediationSteps: "Set appRoleAssignmentRequired: true on the API's ServicePrincipal and assign the app roles to the groups and client applications that need them.",
    severity: "medium",
    anchors: "MS",
    validate({ resources, report }) {
        const g = new EntraGraph(resources);
        for (const sp of g.of("aadServicePrincipal")) {
            const app = g.depsOf(sp, "clientId").find((d) => APP_KINDS.some((k) => isKind(d.type, k)));
            if (app === undefined || !g.exposesApi(app)) continue;
            const v = (sp.props as Record<string, unknown>)["appRoleAssignmentRequired"];
            if (!isTrue(v)) report(`service principal ${name(sp)} of API application ${name(app)} has appRoleAssignmentRequired ${show(v)}; it must be true.`, sp.urn);
        }
    },
});
