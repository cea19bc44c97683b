/** IOT-05, rule family `iotHubAuth` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { HubProps } from "../../lib/rules/iotHubNetwork";
import { knownElements, showAt } from "../../lib/unknowns";
import { isObj, isTrue, obj, show } from "../../lib/values";

export const iot05LocalAuth = resourceRule({
    id: "IOT-05",
    name: "iot-05-hub-local-auth-disabled",
    description:
        "IoT Hub must not accept hub-scoped SAS keys: properties.disableLocalAuth = true (absent means local auth is on) and no shared access policy at all (properties.authorizationPolicies = []; absent, Azure creates iothubowner and four more policies). Every service uses Entra ID RBAC, DPS included: it links the hub by managed identity (DPS-04), so there is no DPS-link exception in any stack.",
    remediationSteps:
        "Set properties.disableLocalAuth: true and properties.authorizationPolicies: []. Link DPS by managed identity (DPS-04) and grant every service principal an IoT Hub data role (IoT Hub Registry Contributor, Twin Contributor, Data Reader, ...) scoped to the hub.",
    severity: "high",
    anchors: "AP IoTHub_DisableLocalAuth; AVM",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const p = obj((props as HubProps).properties);
        if (!isTrue(p.disableLocalAuth)) {
            report(
                `properties.disableLocalAuth is ${show(p.disableLocalAuth)}${p.disableLocalAuth === undefined ? " (local auth on)" : ""}; hub-scoped SAS keys are accepted for the service APIs. Set it to true and use Entra ID RBAC (DPS links by managed identity, DPS-04).`,
            );
        }
        const raw = p.authorizationPolicies;
        if (raw === undefined || raw === null) {
            report("properties.authorizationPolicies is absent: Azure then creates iothubowner and four more SAS policies. Set it to [].");
        } else if (!Array.isArray(raw)) {
            report(`properties.authorizationPolicies is ${show(raw)}, not a list; set it to [].`);
        } else if (raw.length > 0) {
            const names = knownElements(raw).map(({ value }) => (isObj(value) ? showAt(value, "keyName") : show(value)));
            report(`the hub has ${raw.length} SAS ${raw.length === 1 ? "policy" : "policies"} (${names.join(", ") || "unknown at preview"}); a hub without local auth has none: set authorizationPolicies to [].`);
        }
    },
});
