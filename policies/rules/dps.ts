/**
 * Device Provisioning Service settings on the DPS resource itself: DPS-01 (public network
 * access), DPS-03 (IP filter rules scoped), DPS-04 (every hub linked by managed identity),
 * DPS-07 (least-privilege DPS SAS policies, local auth off where the API version offers it).
 *
 * DPS IP filtering has no default action: with no rule, or no matching rule, a connection is
 * accepted. An allow list is the accepted ranges followed by a Reject of 0.0.0.0/0.
 *
 * Every rule here also evaluates the generic `azure-native:resources:Resource` of type
 * Microsoft.Devices/provisioningServices (lib/tokens.ts), which a program uses to reach an API
 * version with identity linking: the typed IotDpsResource of @pulumi/azure-native 3.28.0 uses API
 * 2023-03-01-preview, whose iotHubs[] entry has only connectionString, location, allocationWeight
 * and applyAllocationPolicy.
 */
import type { IotDpsResourceArgs } from "@pulumi/azure-native/deviceprovisioningservices";
import type { Unwrap } from "@pulumi/pulumi";
import { coversInternet, parseIpv4Cidr } from "../lib/cidr";
import { resourceRule } from "../lib/define";
import { DPS_RIGHTS, hasRight, readSasPolicies } from "../lib/sas";
import { isSetAt, knownElements, needValue, Pending, peek, showAt, type Peeked } from "../lib/unknowns";
import { arr, isObj, isTrue, lower, nonEmpty, obj, show, str } from "../lib/values";

export type DpsProps = Unwrap<IotDpsResourceArgs>;

/**
 * A linked hub entry (properties.iotHubs[]) of the DPS ARM API from 2026-03-01-preview on
 * (Azure/azure-rest-api-specs specification/deviceprovisioningservices/.../DeviceProvisioningServices/
 * models.tsp, IotHubDefinitionDescription; example examples/2026-08-01/DPSCreateWithIotHub.json).
 * `connectionString` is required only when authenticationType is KeyBased; `hostName` when there is
 * no connection string; `selectedUserAssignedIdentityResourceId` when authenticationType is
 * UserAssigned. Before 2026-03-01-preview there was no authenticationType: every link was by key.
 */
export interface DpsHubLink {
    applyAllocationPolicy?: boolean;
    allocationWeight?: number;
    hostName?: string;
    authenticationType?: "KeyBased" | "UserAssigned" | "SystemAssigned";
    selectedUserAssignedIdentityResourceId?: string;
    connectionString?: string;
    location: string;
}

/** DPS inputs as the generic resource sends them at API 2026-08-01 (the typed shape plus the new fields). */
export type DpsArmProps = Omit<DpsProps, "properties"> & {
    properties: Omit<DpsProps["properties"], "iotHubs"> & { iotHubs?: DpsHubLink[]; disableLocalAuth?: boolean };
};

/** How a linked hub entry authenticates DPS to the hub. */
export type LinkAuth =
    | { mode: "KeyBased"; why: string }
    | { mode: "UserAssigned"; identityId: Peeked }
    | { mode: "SystemAssigned" }
    | { mode: "unknown" }
    | { mode: "invalid"; value: string };

/**
 * Reads an iotHubs[] entry's authentication: a connection string (set, or unknown at preview, which
 * is a set secret) makes it a key link whatever authenticationType says; an absent
 * authenticationType is KeyBased (the only kind of link before 2026-03-01-preview). Never throws.
 */
export function linkAuth(entry: Record<string, unknown>): LinkAuth {
    if (isSetAt(entry, "connectionString")) {
        const cs = peek(entry, "connectionString");
        return { mode: "KeyBased", why: cs.known ? "it sets connectionString" : "it sets connectionString (a secret, unknown at preview)" };
    }
    const at = peek(entry, "authenticationType");
    if (!at.known) return { mode: "unknown" };
    const v = lower(at.value);
    if (v === undefined || v === "") return { mode: "KeyBased", why: "authenticationType is absent (KeyBased, as in every API version before 2026-03-01-preview)" };
    if (v === "keybased") return { mode: "KeyBased", why: `authenticationType is ${show(at.value)}` };
    if (v === "userassigned") return { mode: "UserAssigned", identityId: peek(entry, "selectedUserAssignedIdentityResourceId") };
    if (v === "systemassigned") return { mode: "SystemAssigned" };
    return { mode: "invalid", value: show(at.value) };
}

/** ARM ids compare case-insensitively, without a trailing slash. */
export function normArmId(x: unknown): string | undefined {
    const s = nonEmpty(x);
    return s === undefined ? undefined : s.toLowerCase().replace(/\/+$/, "");
}

/**
 * The user-assigned identity ids of an identity block: the SDK's list of ids (typed classes and
 * the generic resource's `resources.IdentityArgs`), or ARM's dictionary keyed by id. `known` is
 * false when the list or an element is unknown at preview (then `unknownAt` says what to read).
 */
export function userAssignedIdentityIds(identity: unknown): { known: true; ids: string[] } | { known: false; container: unknown; key: string | number } {
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
export function identityTypes(identity: unknown): { known: boolean; types: string[] } {
    const t = peek(identity, "type");
    if (!t.known) return { known: false, types: [] };
    const s = lower(t.value) ?? "";
    return { known: true, types: ["systemassigned", "userassigned"].filter((x) => s.replace(/\s+/g, "").split(",").includes(x)) };
}

export const dps01PublicAccess = resourceRule({
    id: "DPS-01",
    name: "dps-01-public-network-access",
    description:
        "Device Provisioning Service public network access must be disabled, or restricted by IP filter rules (DPS-03). Azure Policy treats an absent publicNetworkAccess as Enabled; a public DPS without IP filter rules accepts every address.",
    remediationSteps:
        "Set properties.publicNetworkAccess: \"Disabled\" and use a private endpoint (DPS-02), or keep it \"Enabled\" and add properties.ipFilterRules: accepted device ranges followed by { filterName: \"reject-all\", action: \"Reject\", ipMask: \"0.0.0.0/0\" }.",
    severity: "high",
    anchors: "AP IoTDps_DisablePublicNetworkAccess",
    kinds: ["dps"],
    validate(props, { report }) {
        const p = obj((props as DpsProps).properties);
        const access = lower(p.publicNetworkAccess);
        if (access === "disabled") return;
        if (arr(p.ipFilterRules).length === 0) {
            report(
                `publicNetworkAccess is ${access === undefined ? "absent (Enabled)" : show(p.publicNetworkAccess)} and there are no ipFilterRules: every address can reach the DPS. Disable public access or add an IP allow list (DPS-03).`,
            );
        }
    },
});

export const dps03IpFilter = resourceRule<{ minPrefixLength: number }>({
    id: "DPS-03",
    name: "dps-03-ip-filter-scoped",
    description:
        "When the Device Provisioning Service is public, its IP filter rules must form an allow list: no Accept of 0.0.0.0/0 or of a range wider than the configured prefix, and a final Reject of 0.0.0.0/0 for all targets (DPS has no default action, so without it unmatched connections are accepted).",
    remediationSteps:
        "List the device egress ranges as Accept rules and end properties.ipFilterRules with { filterName: \"reject-all\", action: \"Reject\", ipMask: \"0.0.0.0/0\", target: \"all\" }.",
    severity: "high",
    anchors: "beyond",
    kinds: ["dps"],
    config: {
        minPrefixLength: {
            type: "integer",
            minimum: 0,
            maximum: 32,
            default: 8,
            description: "Smallest CIDR prefix length an Accept rule may have.",
        },
    },
    validate(props, { config, report }) {
        const p = obj((props as DpsProps).properties);
        if (lower(p.publicNetworkAccess) === "disabled") return;
        const rules = arr<unknown>(p.ipFilterRules);
        if (rules.length === 0) return; // DPS-01 reports a public DPS without rules.
        rules.forEach((rule, i) => {
            if (!isObj(rule)) {
                report(`ipFilterRules[${i}] is ${show(rule)}, not a rule.`);
                return;
            }
            const range = parseIpv4Cidr(rule["ipMask"]);
            if (range === undefined) {
                report(`ipFilterRules[${i}].ipMask ${show(rule["ipMask"])} is not an IPv4 address or CIDR range.`);
            } else if (lower(rule["action"]) === "accept" && range.prefix < config.minPrefixLength) {
                report(
                    `ipFilterRules[${i}] (${show(rule["filterName"])}) accepts ${range.text}${coversInternet(range) ? " (the whole internet)" : ""}; accept rules must name specific ranges (prefix /${config.minPrefixLength} or longer).`,
                );
            }
        });
        const last = rules[rules.length - 1];
        const lastRange = isObj(last) ? parseIpv4Cidr(last["ipMask"]) : undefined;
        const lastTarget = isObj(last) ? lower(last["target"]) : undefined;
        const closes =
            isObj(last) &&
            lower(last["action"]) === "reject" &&
            lastRange !== undefined &&
            coversInternet(lastRange) &&
            (lastTarget === undefined || lastTarget === "all");
        if (!closes) {
            report(
                "ipFilterRules does not end with a Reject of 0.0.0.0/0 for all targets: DPS accepts connections that match no rule, so the list restricts nothing.",
            );
        }
    },
});

export const dps07SasPolicies = resourceRule<{ allowedRights: string[] }>({
    id: "DPS-07",
    name: "dps-07-least-privilege-sas-policies",
    description:
        "Device Provisioning Service shared access policies must be least privilege: the list is set explicitly (absent, Azure creates provisioningserviceowner with every right); no policy named provisioningserviceowner or holding all six rights; rights only from the configured allow list (ServiceConfig, which can relink hubs, is excluded by default).",
    remediationSteps:
        "Set properties.authorizationPolicies: [] and manage enrollments with Entra ID RBAC (Device Provisioning Service Data Contributor), or keep only narrowly scoped policies.",
    severity: "high",
    anchors: "beyond",
    kinds: ["dps"],
    config: {
        allowedRights: {
            type: "array",
            items: { type: "string", enum: [...DPS_RIGHTS] },
            default: ["EnrollmentRead", "EnrollmentWrite", "RegistrationStatusRead", "RegistrationStatusWrite", "DeviceConnect"],
            description: "Rights a DPS SAS policy may hold.",
        },
    },
    validate(props, { config, report }) {
        const p = obj((props as DpsProps).properties);
        const raw = p.authorizationPolicies;
        if (raw === undefined || raw === null) {
            report(
                "properties.authorizationPolicies is absent: Azure then creates provisioningserviceowner with every right. Set the list explicitly ([] when nothing needs a key).",
            );
            return;
        }
        if (!Array.isArray(raw)) {
            report(`properties.authorizationPolicies is ${show(raw)}, not a list.`);
            return;
        }
        const allowed = config.allowedRights.map((r) => r.toLowerCase());
        for (const pol of readSasPolicies(raw, DPS_RIGHTS)) {
            const name = show(pol.keyName);
            if (lower(pol.keyName) === "provisioningserviceowner") report(`policy ${name} is the owner policy; remove it.`);
            if (pol.rights.length === 0) report(`policy ${name} has no rights (${show(pol.raw["rights"])}).`);
            if (DPS_RIGHTS.every((r) => hasRight(pol.rights, r))) report(`policy ${name} holds all six rights.`);
            const extra = pol.rights.filter((r) => !allowed.includes(r.toLowerCase()));
            if (extra.length > 0) {
                report(`policy ${name} has rights outside the allow list (${config.allowedRights.join(", ") || "none"}): ${extra.join(", ")}.`);
            }
        }
    },
});

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

/** First DPS API version with properties.disableLocalAuth (example DPSCreate_DisableLocalAuthTrue). */
export const DPS_LOCAL_AUTH_SINCE = "2026-06-01-preview";

/**
 * Whether a DPS API version has properties.disableLocalAuth: from 2026-06-01-preview on (ARM
 * versions are dates; a preview sorts with its date). Undefined when the text is not a version.
 */
export function dpsApiHasLocalAuthSwitch(version: string): boolean | undefined {
    const m = /^(\d{4}-\d{2}-\d{2})(-preview)?$/i.exec(version.trim());
    if (m === null) return undefined;
    return m[1] >= DPS_LOCAL_AUTH_SINCE.slice(0, 10);
}

export const dps07LocalAuth = resourceRule({
    id: "DPS-07",
    name: "dps-07-local-auth-disabled",
    description:
        "A Device Provisioning Service must turn local (shared access key) authentication off (properties.disableLocalAuth = true) where its API version offers the switch, so no SAS key works on its service API and enrollments are managed with Entra ID RBAC. The switch exists from API 2026-06-01-preview on (\"Disables all authentication methods other than Azure RBAC\", default false: azure-rest-api-specs DeviceProvisioningServices models.tsp and examples 2026-06-01-preview/DPSCreate_DisableLocalAuthTrue.json, 2026-08-01/DPSCreate_DisableLocalAuthFalse.json); the generic resource's apiVersion says which applies. The typed IotDpsResource of @pulumi/azure-native 3.28.0 (API 2023-03-01-preview) has no switch; there the SAS-policy rule of DPS-07 applies alone.",
    remediationSteps:
        "On the DPS (azure-native:resources:Resource at API 2026-08-01) set properties.disableLocalAuth: true and properties.authorizationPolicies: []; grant enrollment managers the Device Provisioning Service Data Contributor role.",
    severity: "high",
    anchors: "azure-rest-api-specs DPSCreate_DisableLocalAuthTrue (2026-06-01-preview)",
    kinds: ["dps"],
    validate(props, { resolved, report }) {
        if (resolved === undefined) return;
        if (!resolved.apiVersion.known) {
            needValue(props, "apiVersion"); // unknown at preview: CrossGuard reports the rule could not run
            return;
        }
        const version = resolved.apiVersion.value;
        if (version === undefined) return; // a typed class of an older SDK: no switch
        const offered = dpsApiHasLocalAuthSwitch(version);
        if (offered === undefined) {
            report(`apiVersion ${show(version)} is not an ARM API version (YYYY-MM-DD or YYYY-MM-DD-preview).`);
            return;
        }
        if (!offered) return;
        const p = obj((props as DpsArmProps).properties);
        if (isTrue(p.disableLocalAuth)) return;
        report(
            `properties.disableLocalAuth is ${show(p.disableLocalAuth)}${p.disableLocalAuth === undefined ? " (false, the API's default)" : ""} at API ${version}: the DPS service API accepts shared access keys. Set it to true and use Entra ID RBAC.`,
        );
    },
});

export const dpsPolicies = [dps01PublicAccess, dps03IpFilter, dps04LinkedByIdentity, dps07SasPolicies, dps07LocalAuth];
