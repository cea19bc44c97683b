/** AAD-03, rule family `entraApiExposure` (the family's notes and sources: policies/policies.ts). */
import { stackRule } from "../../lib/define";
import { EntraGraph, GUID, identifierUriProblem, name } from "../../lib/rules/entraApiExposure";
import { knownElements, needValue, peek } from "../../lib/unknowns";
import { arr, lower, show, str } from "../../lib/values";

export const aad03IdentifierUris = stackRule<{ verifiedDomains: string[] }>({
    id: "AAD-03",
    name: "aad-03-safe-identifier-uris",
    description:
        "Application identifier URIs must be api://<client id> (of the application itself) or an https URI on one of the tenant's verified domains; never a wildcard or http. At preview the client id is unknown: an ApplicationIdentifierUri computed only from its own application (the api://<clientId> pattern) passes, and its value is checked at `pulumi up`.",
    remediationSteps: "Use identifierUri: pulumi.interpolate`api://${app.clientId}` (ApplicationIdentifierUri), or list the verified domain in verifiedDomains.",
    severity: "medium",
    anchors: "MS",
    config: {
        verifiedDomains: { type: "array", items: { type: "string" }, default: [], description: "Verified custom domains of the tenant." },
    },
    validate({ resources, config, report }) {
        const g = new EntraGraph(resources);
        const pending: Array<() => unknown> = [];
        for (const r of g.of("aadIdentifierUri")) {
            const app = g.appOf(r);
            const v = peek(r.props, "identifierUri");
            if (!v.known) {
                const deps = g.depsOf(r, "identifierUri");
                // Computed from nothing but its own application: the api://<clientId> pattern.
                const selfDerived = app !== undefined && deps.length > 0 && deps.every((d) => d === app);
                if (!selfDerived) pending.push(() => needValue(r.props, "identifierUri"));
                continue;
            }
            const s = str(v.value) ?? "";
            const problem = identifierUriProblem(s, config.verifiedDomains);
            if (problem !== undefined) {
                report(`identifier URI ${show(v.value)} of ${name(r)} ${problem}.`, r.urn);
                continue;
            }
            // api://<guid> must be this application's own client id once it is known.
            const guid = new RegExp(`^api://(${GUID})/?$`, "i").exec(s.trim())?.[1]?.toLowerCase();
            const clientId = app ? peek(app.props, "clientId") : undefined;
            const own = clientId?.known ? lower(clientId.value) : undefined;
            if (guid !== undefined && own !== undefined && own !== "" && guid !== own) {
                report(`identifier URI ${s} of ${name(r)} names another application's client id (${guid}, the application's is ${own}).`, r.urn);
            }
        }
        for (const app of g.of("aadApplication")) {
            const uris = peek(app.props, "identifierUris");
            if (!uris.known) {
                pending.push(() => needValue(app.props, "identifierUris"));
                continue;
            }
            const list = arr<unknown>(uris.value);
            const known = knownElements(list);
            if (known.length < list.length) pending.push(() => list.forEach((_, i) => needValue(list, i)));
            for (const { index, value } of known) {
                const problem = typeof value === "string" ? identifierUriProblem(value, config.verifiedDomains) : `is ${show(value)}`;
                if (problem !== undefined) report(`identifierUris[${index}] ${show(value)} of application ${name(app)} ${problem}.`, app.urn);
            }
        }
        for (const p of pending) p();
    },
});
