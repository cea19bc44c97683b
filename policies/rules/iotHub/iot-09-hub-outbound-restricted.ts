/** IOT-09, rule family `iotHubNetwork` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { HubProperties, HubProps } from "../../lib/rules/iotHubNetwork";
import { knownElements, peek, showAt } from "../../lib/unknowns";
import { isObj, isTrue, obj, show, str, strings } from "../../lib/values";

/** Host of an endpoint URI (`https://x.documents.azure.com:443/` -> `x.documents.azure.com`). */
function hostOf(uri: string): string | undefined {
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(uri.trim());
    return m ? m[1].toLowerCase() : undefined;
}

const FQDN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export const iot09Outbound = resourceRule({
    id: "IOT-09",
    name: "iot-09-hub-outbound-restricted",
    description:
        "IoT Hub egress must be restricted (properties.restrictOutboundNetworkAccess = true) to an explicit list of fully qualified domain names (allowedFqdnList, no wildcards). Every routing endpoint host must be on the list, or routing to it stops.",
    remediationSteps:
        "Set properties.restrictOutboundNetworkAccess: true and properties.allowedFqdnList to the exact host names of the hub's routing endpoints (e.g. \"<account>.documents.azure.com\").",
    severity: "medium",
    anchors: "AVM",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const p = obj((props as HubProps).properties);
        if (!isTrue(p.restrictOutboundNetworkAccess)) {
            report(
                `properties.restrictOutboundNetworkAccess is ${show(p.restrictOutboundNetworkAccess)}; it must be true so the hub can only send data to the listed hosts.`,
            );
        }
        const list = strings(p.allowedFqdnList).map((s) => s.trim().toLowerCase());
        if (list.length === 0) {
            report("properties.allowedFqdnList is empty or absent: list the host names the hub may reach.");
        }
        for (const f of list) {
            if (!FQDN.test(f)) report(`allowedFqdnList entry ${show(f)} is not a fully qualified domain name (no wildcards, schemes or paths).`);
        }
        if (!isTrue(p.restrictOutboundNetworkAccess) || list.length === 0) return;
        // Secondary check on values known now; an unknown endpoint is checked at `pulumi up`.
        const routing = peek(p, "routing");
        const endpoints = routing.known ? peek(obj(routing.value as HubProperties["routing"]), "endpoints") : undefined;
        const byKind = endpoints?.known ? obj(endpoints.value as Record<string, unknown>) : {};
        for (const kind of Object.keys(byKind)) {
            const entries = peek(byKind, kind);
            if (!entries.known) continue;
            knownElements(entries.value).forEach(({ index: i, value: e }) => {
                if (!isObj(e)) return;
                const uri = peek(e, "endpointUri");
                const host = uri.known ? hostOf(str(uri.value) ?? "") : undefined;
                if (host !== undefined && !list.includes(host)) {
                    report(`routing endpoint ${kind}[${i}] (${showAt(e, "name")}) sends to ${host}, which is not in allowedFqdnList.`);
                }
            });
        }
    },
});
