/**
 * IoT Hub authentication and authorization: IOT-05 (local auth off, no SAS policy),
 * IOT-06 (device SAS), IOT-07 (module SAS), IOT-08 (least-privilege SAS policies), IOT-10 (endpoints
 * authenticate with managed identity), IOT-11 (managed identity enabled).
 */
import { resourceRule } from "../lib/define";
import { HUB_RIGHTS, hasRight, readSasPolicies } from "../lib/sas";
import { isSetAt, knownElements, peek, showAt } from "../lib/unknowns";
import { arr, eqi, isObj, isTrue, lower, obj, show, str } from "../lib/values";
import type { HubProps } from "./iotHubNetwork";

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

export const iot06DeviceSas = resourceRule<{ symmetricKeyOrTpmAttestation: boolean }>({
    id: "IOT-06",
    name: "iot-06-hub-device-sas-matches-attestation",
    description:
        "IoT Hub device SAS (symmetric-key device authentication) must be disabled (properties.disableDeviceSAS = true) when devices attest with X.509 only, and left enabled when the stack provisions symmetric-key or TPM devices (after TPM attestation DPS hands the device a symmetric key). Which attestation the stack uses is this rule's configuration.",
    remediationSteps:
        "For an X.509-only stack set properties.disableDeviceSAS: true. For a stack with symmetric-key or TPM enrollments set symmetricKeyOrTpmAttestation: true in the stack's policy config and leave disableDeviceSAS false.",
    severity: "medium",
    anchors: "AVM",
    kinds: ["iotHub"],
    config: {
        symmetricKeyOrTpmAttestation: {
            type: "boolean",
            default: false,
            description: "The stack enrolls symmetric-key or TPM devices (device SAS must then stay enabled).",
        },
    },
    validate(props, { config, report }) {
        const p = obj((props as HubProps).properties);
        const disabled = isTrue(p.disableDeviceSAS);
        if (!config.symmetricKeyOrTpmAttestation && !disabled) {
            report(
                `properties.disableDeviceSAS is ${show(p.disableDeviceSAS)}; devices attest with X.509 only, so device SAS keys must be rejected (true).`,
            );
        } else if (config.symmetricKeyOrTpmAttestation && disabled) {
            report(
                "properties.disableDeviceSAS is true, but the stack enrolls symmetric-key or TPM devices: they could not connect.",
            );
        }
    },
});

export const iot07ModuleSas = resourceRule({
    id: "IOT-07",
    name: "iot-07-hub-module-sas-disabled",
    description:
        "IoT Hub module SAS (symmetric-key authentication of module identities) must be disabled (properties.disableModuleSAS = true). Absent means module SAS keys are accepted.",
    remediationSteps: "Set properties.disableModuleSAS: true; authenticate modules with X.509 certificates.",
    severity: "medium",
    anchors: "AVM",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const p = obj((props as HubProps).properties);
        if (!isTrue(p.disableModuleSAS)) {
            report(`properties.disableModuleSAS is ${show(p.disableModuleSAS)}; it must be true.`);
        }
    },
});

export const iot08SasPolicies = resourceRule<{ allowedRights: string[] }>({
    id: "IOT-08",
    name: "iot-08-hub-least-privilege-sas-policies",
    description:
        "IoT Hub shared access policies must be least privilege: the list is set explicitly (absent, Azure creates iothubowner with all four rights plus four more policies); no policy named iothubowner or holding all four rights; DeviceConnect never combined with RegistryWrite or ServiceConnect; rights only from the configured allow list; no key written in the program (keys are generated by Azure and read with listKeys).",
    remediationSteps:
        "Set properties.authorizationPolicies explicitly: [] (IOT-05 allows no SAS policy; DPS links by managed identity). Remove primaryKey/secondaryKey from the program.",
    severity: "high",
    anchors: "beyond (MS access-control docs)",
    kinds: ["iotHub"],
    config: {
        allowedRights: {
            type: "array",
            items: { type: "string", enum: [...HUB_RIGHTS] },
            default: ["RegistryWrite", "ServiceConnect"],
            description: "Rights a hub SAS policy may hold.",
        },
    },
    validate(props, { config, report }) {
        const p = obj((props as HubProps).properties);
        const raw = p.authorizationPolicies;
        if (raw === undefined || raw === null) {
            report(
                "properties.authorizationPolicies is absent: Azure then creates iothubowner (all rights), service, device, registryRead and registryReadWrite. Set the list explicitly.",
            );
            return;
        }
        if (!Array.isArray(raw)) {
            report(`properties.authorizationPolicies is ${show(raw)}, not a list.`);
            return;
        }
        const allowed = config.allowedRights.map((r) => r.toLowerCase());
        arr<unknown>(raw).forEach((entry, i) => {
            if (!isObj(entry)) {
                report(`authorizationPolicies[${i}] is ${show(entry)}, not a policy.`);
                return;
            }
        });
        const policies = readSasPolicies(raw, HUB_RIGHTS);
        policies.forEach((pol, i) => {
            const name = show(pol.keyName);
            if (lower(pol.keyName) === "iothubowner") report(`policy ${name} is the owner policy; remove it.`);
            if (pol.rights.length === 0) report(`policy ${name} has no rights (${show(pol.raw["rights"])}).`);
            if (HUB_RIGHTS.every((r) => hasRight(pol.rights, r))) report(`policy ${name} holds all four rights.`);
            if (hasRight(pol.rights, "DeviceConnect") && (hasRight(pol.rights, "RegistryWrite") || hasRight(pol.rights, "ServiceConnect"))) {
                report(`policy ${name} combines DeviceConnect with ${hasRight(pol.rights, "RegistryWrite") ? "RegistryWrite" : "ServiceConnect"}: a key that can both act as any device and manage or read the hub.`);
            }
            const extra = pol.rights.filter((r) => !allowed.includes(r.toLowerCase()));
            if (extra.length > 0) report(`policy ${name} has rights outside the allow list (${config.allowedRights.join(", ")}): ${extra.join(", ")}.`);
            if (pol.hasLiteralKey) report(`policy ${name} (authorizationPolicies[${i}]) sets a key in the program; let Azure generate keys.`);
        });
    },
});

const ENDPOINT_KINDS = ["cosmosDBSqlContainers", "eventHubs", "serviceBusQueues", "serviceBusTopics", "storageContainers"] as const;
const KEY_MATERIAL = /(AccountKey|SharedAccessKey|SharedAccessSignature)\s*=/i;

export const iot10EndpointAuth = resourceRule({
    id: "IOT-10",
    name: "iot-10-hub-endpoints-identity-auth",
    description:
        "IoT Hub routing endpoints (Cosmos DB, Event Hubs, Service Bus, Storage) and the file-upload storage endpoint must authenticate with the hub's managed identity (authenticationType \"identityBased\"; absent means keyBased) and carry no connection string or key.",
    remediationSteps:
        "On each endpoint set authenticationType: \"identityBased\" and identity: { userAssignedIdentity: <identity id> } (or omit identity for the system-assigned one), give that identity a data-plane role on the target, and remove connectionString/primaryKey/secondaryKey.",
    severity: "high",
    anchors: "beyond (MCSB IM-3)",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const p = obj((props as HubProps).properties);
        const endpoints = obj(obj(p.routing).endpoints) as Record<string, unknown>;
        for (const kind of ENDPOINT_KINDS) {
            arr<unknown>(endpoints[kind]).forEach((e, i) => {
                if (!isObj(e)) return;
                const where = `routing.endpoints.${kind}[${i}] (${showAt(e, "name")})`;
                if (!eqi(e["authenticationType"], "identityBased")) {
                    report(`${where} authenticationType is ${show(e["authenticationType"])}${e["authenticationType"] === undefined ? " (keyBased)" : ""}; it must be "identityBased".`);
                }
                for (const key of ["connectionString", "primaryKey", "secondaryKey"]) {
                    if (isSetAt(e, key)) report(`${where} sets ${key}; identity-based endpoints carry no secret.`);
                }
            });
        }
        const storage = obj(p.storageEndpoints) as Record<string, unknown>;
        for (const name of Object.keys(storage)) {
            const e = storage[name];
            if (!isObj(e)) continue;
            const where = `storageEndpoints.${name}`;
            if (!eqi(e["authenticationType"], "identityBased")) {
                report(`${where} authenticationType is ${show(e["authenticationType"])}${e["authenticationType"] === undefined ? " (keyBased)" : ""}; it must be "identityBased".`);
            }
            // The API requires connectionString; with identity it names the account without a key.
            // An unknown value (built from the account's keys) is read, so the rule waits for it.
            const cs = str(e["connectionString"]);
            if (cs !== undefined && KEY_MATERIAL.test(cs)) report(`${where}.connectionString contains an account key or SAS token.`);
        }
    },
});

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

export const iotHubAuthPolicies = [iot05LocalAuth, iot06DeviceSas, iot07ModuleSas, iot08SasPolicies, iot10EndpointAuth, iot11Identity];
