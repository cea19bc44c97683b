/** DPS-04, rule family `dps` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { type DpsArmProps, linkAuth } from "../../lib/rules/dps";
import { isSetAt, knownElements, peek, Pending, showAt } from "../../lib/unknowns";
import { arr, isObj, lower, nonEmpty, obj, show, str } from "../../lib/values";

/** ARM ids compare case-insensitively, without a trailing slash. */
function normArmId(x: unknown): string | undefined {
    const s = nonEmpty(x);
    return s === undefined ? undefined : s.toLowerCase().replace(/\/+$/, "");
}

/**
 * The user-assigned identity ids of an identity block: the SDK's list of ids (typed classes and
 * the generic resource's `resources.IdentityArgs`), or ARM's dictionary keyed by id. `known` is
 * false when the list or an element is unknown at preview (then `unknownAt` says what to read).
 */
function userAssignedIdentityIds(identity: unknown): { known: true; ids: string[] } | { known: false; container: unknown; key: string | number } {
    const uai = peek(identity, "userAssignedIdentities");
    if (!uai.known) return { known: false, container: identity, key: "userAssignedIdentities" };
    const v = uai.value;
    if (Array.isArray(v)) {
        const known = knownElements(v);
        if (known.length < v.length) {
            const missing = v.findIndex((_, i) => !known.some((k) => k.index === i));
            return { known: false, container: v, key: missing };
        }
        return { known: true, ids: known.map((k) => normArmId(k.value)).filter((x): x is string => x !== undefined) };
    }
    if (isObj(v)) return { known: true, ids: Object.keys(v).map((k) => normArmId(k)).filter((x): x is string => x !== undefined) };
    return { known: true, ids: [] };
}

/** The identity types an identity block declares ("systemassigned", "userassigned"), lower-case. */
function identityTypes(identity: unknown): { known: boolean; types: string[] } {
    const t = peek(identity, "type");
    if (!t.known) return { known: false, types: [] };
    const s = lower(t.value) ?? "";
    return { known: true, types: ["systemassigned", "userassigned"].filter((x) => s.replace(/\s+/g, "").split(",").includes(x)) };
}

export const dps04LinkedByIdentity = resourceRule({
    id: "DPS-04",
    name: "dps-04-linked-hubs-by-identity",
    description:
        "A Device Provisioning Service must link every IoT hub by managed identity, never by key: an iotHubs[] entry with a connectionString, or with authenticationType KeyBased or absent (absent is KeyBased, the only link before API 2026-03-01-preview), is a violation. authenticationType UserAssigned must name in selectedUserAssignedIdentityResourceId one of the DPS's own identity.userAssignedIdentities; SystemAssigned needs a SystemAssigned identity on the DPS; the entry names the hub by hostName. The identity's role on the hub is checked by dps-04-link-identity-has-hub-data-role. The typed IotDpsResource of @pulumi/azure-native 3.28.0 (API 2023-03-01-preview) can only link by key, so a DPS that links a hub is the generic azure-native:resources:Resource at API 2026-08-01.",
    remediationSteps:
        "Declare the DPS as resources.Resource { resourceProviderNamespace: \"Microsoft.Devices\", resourceType: \"provisioningServices\", parentResourcePath: \"\", apiVersion: \"2026-08-01\", identity: { type: \"UserAssigned\", userAssignedIdentities: [<identity id>] }, properties: { iotHubs: [{ hostName: \"<hub>.azure-devices.net\", location, authenticationType: \"UserAssigned\", selectedUserAssignedIdentityResourceId: <identity id> }] } } (no connectionString), and give the identity its data role on the hub.",
    severity: "high",
    anchors: "MS DPS linked-hub docs (managed identity); azure-rest-api-specs DPSCreateWithIotHub 2026-08-01",
    kinds: ["dps"],
    validate(props, { resolved, report }) {
        const p = obj((props as DpsArmProps).properties);
        const list = arr<unknown>(p.iotHubs);
        if (list.length === 0) return;
        const pending = new Pending();
        const identity = peek(props, "identity");
        const typedHint = resolved?.generic === false
            ? " The typed IotDpsResource class (API 2023-03-01-preview) cannot link by identity: declare the DPS as azure-native:resources:Resource at API 2026-08-01."
            : "";
        list.forEach((raw, i) => {
            if (!isObj(raw)) {
                report(`properties.iotHubs[${i}] is ${show(raw)}, not a linked hub.`);
                return;
            }
            const label = showAt(raw, "hostName") !== "absent" ? showAt(raw, "hostName") : showAt(raw, "name");
            const where = `iotHubs[${i}]${label === "absent" ? "" : ` (${label})`}`;
            const auth = linkAuth(raw);
            switch (auth.mode) {
                case "KeyBased":
                    report(`${where} links by key: ${auth.why}. DPS must link every hub by managed identity (authenticationType "UserAssigned" with selectedUserAssignedIdentityResourceId), so the hub needs no SAS policy.${typedHint}`);
                    return;
                case "unknown":
                    pending.add(raw, "authenticationType");
                    return;
                case "invalid":
                    report(`${where} authenticationType is ${auth.value}; it must be "UserAssigned" (or "SystemAssigned").`);
                    return;
            }
            if (!isSetAt(raw, "hostName")) report(`${where} has no hostName; without a connection string the entry names the hub by hostName ("<hub>.azure-devices.net").`);
            if (!identity.known) {
                pending.add(props, "identity");
                return;
            }
            const types = identityTypes(identity.value);
            if (!types.known) {
                pending.add(identity.value, "type");
                return;
            }
            if (auth.mode === "SystemAssigned") {
                if (!types.types.includes("systemassigned")) {
                    report(`${where} links with the DPS's system-assigned identity, but identity.type is ${showAt(identity.value, "type")}.`);
                }
                return;
            }
            if (!auth.identityId.known) {
                pending.add(raw, "selectedUserAssignedIdentityResourceId");
                return;
            }
            const selected = normArmId(auth.identityId.value);
            if (selected === undefined) {
                report(`${where} has authenticationType UserAssigned but no selectedUserAssignedIdentityResourceId.`);
                return;
            }
            if (!types.types.includes("userassigned")) {
                report(`${where} selects user-assigned identity '${str(auth.identityId.value) ?? ""}', but the DPS's identity.type is ${showAt(identity.value, "type")}: it has no user-assigned identity.`);
                return;
            }
            const ids = userAssignedIdentityIds(identity.value);
            if (!ids.known) {
                pending.add(ids.container, ids.key);
                return;
            }
            if (!ids.ids.includes(selected)) {
                report(`${where} selects identity '${str(auth.identityId.value) ?? ""}', which is not one of the DPS's identity.userAssignedIdentities (${ids.ids.join(", ") || "none"}).`);
            }
        });
        pending.flush();
    },
});
