/**
 * IoT Hub transport and network exposure: IOT-01 (TLS 1.2), IOT-02 (public network access),
 * IOT-04 (IP filter quality when public), IOT-09 (outbound restriction).
 */
import type { IotHubResourceArgs } from "@pulumi/azure-native/iothub";
import type { Unwrap } from "@pulumi/pulumi";
import { coversInternet, parseIpv4Cidr } from "../lib/cidr";
import { resourceRule } from "../lib/define";
import { knownElements, peek, showAt } from "../lib/unknowns";
import { arr, eqi, isObj, isTrue, lower, num, obj, show, str, strings } from "../lib/values";

export type HubProps = Unwrap<IotHubResourceArgs>;
type HubProperties = NonNullable<HubProps["properties"]>;

const MIN_PREFIX_SCHEMA = {
    type: "integer" as const,
    minimum: 0,
    maximum: 32,
    default: 8,
    description:
        "Smallest CIDR prefix length an allow rule may have: a rule wider than this (e.g. /0, /4) is not a specific allow-list entry.",
};

export const iot01MinTls = resourceRule({
    id: "IOT-01",
    name: "iot-01-hub-min-tls-12",
    description:
        "IoT Hub must accept TLS 1.2 or later only (properties.minTlsVersion = \"1.2\"). Absent means the hub also accepts TLS 1.0/1.1. The setting can only be chosen when the hub is created: changing it later replaces the hub and loses its device registry.",
    remediationSteps:
        "Set properties.minTlsVersion: \"1.2\" on the IotHubResource. On an existing hub this forces a replacement: export the device identities first (az iot hub device-identity export) and re-import them.",
    severity: "high",
    anchors: "PSR Azure.IoTHub.MinTLS; AVM",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const p = obj((props as HubProps).properties);
        const v = p.minTlsVersion;
        const n = num(v);
        if (n === undefined || n < 1.2) {
            report(
                `properties.minTlsVersion is ${show(v)}${v === undefined ? " (the hub then accepts TLS 1.0 and 1.1)" : ""}; it must be "1.2".`,
            );
        }
    },
});

/** What IP filtering a hub has, independent of its quality (IOT-04 judges the quality). */
function hasAnyIpFilter(p: Partial<HubProperties>): boolean {
    return isObj(p.networkRuleSets) || arr(p.ipFilterRules).length > 0;
}

export const iot02PublicAccess = resourceRule({
    id: "IOT-02",
    name: "iot-02-hub-public-network-access",
    description:
        "IoT Hub public network access must be disabled, or, where devices connect over the internet, restricted by an IP filter (IOT-04). Azure Policy treats an absent publicNetworkAccess as Enabled.",
    remediationSteps:
        "Either set properties.publicNetworkAccess: \"Disabled\" and reach the hub through a private endpoint (IOT-03), or keep it \"Enabled\" and add properties.networkRuleSets { defaultAction: \"Deny\", applyToBuiltInEventHubEndpoint: true, ipRules: [{ filterName, action: \"Allow\", ipMask: \"<device egress CIDR>\" }] }.",
    severity: "high",
    anchors: "AP IoTHub_DisablePublicNetworkAccess; CKV_AZURE_108; AVM",
    kinds: ["iotHub"],
    validate(props, { report }) {
        const p = obj((props as HubProps).properties);
        const access = lower(p.publicNetworkAccess);
        if (access === "disabled") return;
        if (!hasAnyIpFilter(p)) {
            report(
                `publicNetworkAccess is ${access === undefined ? "absent (Enabled)" : show(p.publicNetworkAccess)} and the hub has no IP filter (networkRuleSets / ipFilterRules): every address on the internet can reach it. Disable public access or add an IP filter that denies by default (IOT-04).`,
            );
        }
    },
});

export const iot04IpFilter = resourceRule<{ minPrefixLength: number }>({
    id: "IOT-04",
    name: "iot-04-hub-ip-filter-default-deny",
    description:
        "When IoT Hub public access is enabled, its IP filter must deny by default (networkRuleSets.defaultAction \"Deny\", also applied to the built-in Event Hub endpoint) and allow only specific address ranges: at least one specific Allow rule and no rule that allows 0.0.0.0/0 or a range wider than the configured prefix. Legacy ipFilterRules must not Accept such ranges either.",
    remediationSteps:
        "Set properties.networkRuleSets = { defaultAction: \"Deny\", applyToBuiltInEventHubEndpoint: true, ipRules: [{ filterName: \"<name>\", action: \"Allow\", ipMask: \"<specific CIDR>\" }] } and remove any Allow/Accept rule for 0.0.0.0/0.",
    severity: "high",
    anchors: "beyond (seed: allowlist/blocklist)",
    kinds: ["iotHub"],
    config: { minPrefixLength: MIN_PREFIX_SCHEMA },
    validate(props, { config, report }) {
        const p = obj((props as HubProps).properties);
        if (lower(p.publicNetworkAccess) === "disabled") return;
        if (!hasAnyIpFilter(p)) return; // IOT-02 reports a public hub without any filter.
        const minPrefix = config.minPrefixLength;

        // Legacy ipFilterRules: first match wins; no match means accepted.
        const legacy = arr<unknown>(p.ipFilterRules).filter(isObj);
        legacy.forEach((rule, i) => {
            const action = lower(rule["action"]);
            const range = parseIpv4Cidr(rule["ipMask"]);
            if (range === undefined) {
                report(`ipFilterRules[${i}].ipMask ${show(rule["ipMask"])} is not an IPv4 address or CIDR range.`);
            } else if (action === "accept" && range.prefix < minPrefix) {
                report(
                    `ipFilterRules[${i}] accepts ${range.text}${coversInternet(range) ? " (the whole internet)" : ""}; accept rules must name specific ranges (prefix /${minPrefix} or longer).`,
                );
            }
        });

        const nrs = p.networkRuleSets;
        if (!isObj(nrs)) {
            // Only legacy rules: effective only when they end with a Reject of every address.
            const last = legacy[legacy.length - 1];
            const lastRange = last ? parseIpv4Cidr(last["ipMask"]) : undefined;
            if (!(last && lower(last["action"]) === "reject" && lastRange && coversInternet(lastRange))) {
                report(
                    "the hub has only legacy ipFilterRules without a final Reject of 0.0.0.0/0, so connections that match no rule are accepted. Use networkRuleSets with defaultAction \"Deny\".",
                );
            }
            return;
        }
        const rs = obj(nrs as HubProperties["networkRuleSets"]);
        // The SDK and ARM default defaultAction to "Deny" when networkRuleSets is given.
        if (rs.defaultAction !== undefined && !eqi(rs.defaultAction, "Deny")) {
            report(`networkRuleSets.defaultAction is ${show(rs.defaultAction)}; it must be "Deny".`);
        }
        if (!isTrue(rs.applyToBuiltInEventHubEndpoint)) {
            report(
                `networkRuleSets.applyToBuiltInEventHubEndpoint is ${show(rs.applyToBuiltInEventHubEndpoint)}; it must be true, or the built-in Event Hub-compatible endpoint stays open to every address.`,
            );
        }
        let specificAllows = 0;
        arr<unknown>(rs.ipRules).forEach((rule, i) => {
            if (!isObj(rule)) {
                report(`networkRuleSets.ipRules[${i}] is ${show(rule)}, not a rule.`);
                return;
            }
            const range = parseIpv4Cidr(rule["ipMask"]);
            // The SDK defaults a rule's action to "Allow".
            const allow = rule["action"] === undefined || eqi(rule["action"], "Allow");
            if (range === undefined) {
                report(`networkRuleSets.ipRules[${i}].ipMask ${show(rule["ipMask"])} is not an IPv4 address or CIDR range.`);
            } else if (allow && range.prefix < minPrefix) {
                report(
                    `networkRuleSets.ipRules[${i}] (${show(rule["filterName"])}) allows ${range.text}${coversInternet(range) ? " (the whole internet)" : ""}; allow rules must name specific ranges (prefix /${minPrefix} or longer).`,
                );
            } else if (allow) {
                specificAllows++;
            }
        });
        if (specificAllows === 0) {
            report("networkRuleSets.ipRules has no specific Allow rule: name the address ranges devices connect from.");
        }
    },
});

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

export const iotHubNetworkPolicies = [iot01MinTls, iot02PublicAccess, iot04IpFilter, iot09Outbound];
