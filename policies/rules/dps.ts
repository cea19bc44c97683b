/**
 * Device Provisioning Service settings on the DPS resource itself: DPS-01 (public network
 * access), DPS-03 (IP filter rules scoped), DPS-07 (least-privilege DPS SAS policies).
 *
 * DPS IP filtering has no default action: with no rule, or no matching rule, a connection is
 * accepted. An allow list is the accepted ranges followed by a Reject of 0.0.0.0/0.
 */
import type { IotDpsResourceArgs } from "@pulumi/azure-native/deviceprovisioningservices";
import type { Unwrap } from "@pulumi/pulumi";
import { coversInternet, parseIpv4Cidr } from "../lib/cidr";
import { resourceRule } from "../lib/define";
import { DPS_RIGHTS, hasRight, readSasPolicies } from "../lib/sas";
import { arr, isObj, lower, obj, show } from "../lib/values";

export type DpsProps = Unwrap<IotDpsResourceArgs>;

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

export const dpsPolicies = [dps01PublicAccess, dps03IpFilter, dps07SasPolicies];
