/** IOT-10, rule family `iotHubAuth` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { HubProps } from "../../lib/rules/iotHubNetwork";
import { isSetAt, showAt } from "../../lib/unknowns";
import { arr, eqi, isObj, obj, show, str } from "../../lib/values";

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
