/**
 * Cosmos DB account network exposure and transport (flattened args): COS-03 (public network
 * access disabled), COS-04 (firewall rules exist when public), COS-05 (no all-datacenters or broad
 * IP rules), COS-06 (network ACL bypass off), COS-09 (TLS 1.2).
 */
import type { DatabaseAccountArgs } from "@pulumi/azure-native/cosmosdb";
import type { Unwrap } from "@pulumi/pulumi";
import { parseIpv4Cidr } from "../lib/cidr";
import { resourceRule } from "../lib/define";
import { arr, eqi, isObj, isTrue, lower, show, str, strings } from "../lib/values";

export type CosmosProps = Unwrap<DatabaseAccountArgs>;

export const cos03PublicAccess = resourceRule({
    id: "COS-03",
    name: "cos-03-cosmos-public-network-access-disabled",
    description:
        "Cosmos DB accounts must disable public network access (publicNetworkAccess = \"Disabled\") and be reached through private endpoints. Absent means Enabled; \"SecuredByPerimeter\" also fails, as in the Azure Policy definition. Development stacks may keep a firewalled public endpoint (COS-04) and report this as advice.",
    remediationSteps: "Set publicNetworkAccess: \"Disabled\" and add a private endpoint with groupId \"Sql\" (COS-07).",
    severity: "high",
    anchors: "PSR Azure.Cosmos.PublicAccess; CKV_AZURE_101; AP Cosmos_PrivateNetworkAccess",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const v = (props as CosmosProps).publicNetworkAccess;
        if (!eqi(v, "Disabled")) {
            report(`publicNetworkAccess is ${v === undefined ? "absent (Enabled)" : show(v)}; it must be "Disabled".`);
        }
    },
});

export const cos04FirewallRules = resourceRule({
    id: "COS-04",
    name: "cos-04-cosmos-firewall-rules-exist",
    description:
        "A Cosmos DB account reachable from public networks must have firewall rules: IP rules, or virtual network filtering with at least one virtual network rule, or an approved private endpoint connection. Otherwise every address can reach it (Azure Policy Cosmos_NetworkRulesExist).",
    remediationSteps:
        "Set publicNetworkAccess: \"Disabled\", or add ipRules: [{ ipAddressOrRange: \"<specific CIDR>\" }] (and/or isVirtualNetworkFilterEnabled: true with virtualNetworkRules).",
    severity: "high",
    anchors: "AP Cosmos_NetworkRulesExist; CKV_AZURE_99",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const p = props as CosmosProps;
        if (eqi(p.publicNetworkAccess, "Disabled")) return;
        const ipRules = arr<unknown>(p.ipRules).filter((r) => isObj(r) && str(r["ipAddressOrRange"]) !== undefined && str(r["ipAddressOrRange"])!.trim() !== "");
        const vnet = isTrue(p.isVirtualNetworkFilterEnabled) && arr(p.virtualNetworkRules).length > 0;
        const approvedPe = arr<unknown>((p as Record<string, unknown>)["privateEndpointConnections"]).some(
            (c) => isObj(c) && eqi((c["privateLinkServiceConnectionState"] as Record<string, unknown> | undefined)?.["status"], "Approved"),
        );
        if (ipRules.length === 0 && !vnet && !approvedPe) {
            report(
                `the account is public (publicNetworkAccess ${show(p.publicNetworkAccess)}) with no IP rules, no virtual network rules and no approved private endpoint: every address can reach it.`,
            );
        }
    },
});

export const cos05BroadIpRules = resourceRule<{ minPrefixLength: number }>({
    id: "COS-05",
    name: "cos-05-cosmos-no-broad-ip-rules",
    description:
        "Cosmos DB IP rules must not admit all Azure datacenters (the special 0.0.0.0 entry, Azure Policy Cosmos_NetworkRulesNoAzureDatacenterAccess) nor ranges wider than the configured prefix (0.0.0.0/0, 128.0.0.0/1, ...); every entry must be a valid IPv4 address or CIDR.",
    remediationSteps: "Replace 0.0.0.0 and wide ranges in ipRules with the specific addresses or CIDR ranges that need access.",
    severity: "high",
    anchors: "AP Cosmos_NetworkRulesNoAzureDatacenterAccess",
    kinds: ["cosmosAccount"],
    config: {
        minPrefixLength: {
            type: "integer",
            minimum: 0,
            maximum: 32,
            default: 8,
            description: "Smallest CIDR prefix length an IP rule may have (the baseline forbids /0 and /1).",
        },
    },
    validate(props, { config, report }) {
        const p = props as CosmosProps;
        arr<unknown>(p.ipRules).forEach((rule, i) => {
            const value = isObj(rule) ? rule["ipAddressOrRange"] : rule;
            const text = str(value)?.trim();
            if (text === "0.0.0.0") {
                report(`ipRules[${i}] is 0.0.0.0, which admits connections from all Azure datacenters.`);
                return;
            }
            const range = parseIpv4Cidr(text);
            if (range === undefined) {
                report(`ipRules[${i}].ipAddressOrRange ${show(value)} is not an IPv4 address or CIDR range.`);
            } else if (range.prefix < config.minPrefixLength) {
                report(`ipRules[${i}] admits ${range.text}; ranges must be /${config.minPrefixLength} or narrower.`);
            }
        });
    },
});

export const cos06AclBypass = resourceRule({
    id: "COS-06",
    name: "cos-06-cosmos-network-acl-bypass-off",
    description:
        "Cosmos DB must not let Azure services bypass its firewall (networkAclBypass \"None\", the service default when absent); \"AzureServices\" is accepted only when narrowed to explicit resource ids (networkAclBypassResourceIds).",
    remediationSteps: "Set networkAclBypass: \"None\", or list the exact resources in networkAclBypassResourceIds.",
    severity: "medium",
    anchors: "AVM",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const p = props as CosmosProps;
        const v = lower(p.networkAclBypass);
        if (v === undefined || v === "none") return;
        if (v === "azureservices" && strings(p.networkAclBypassResourceIds).filter((s) => s.trim() !== "").length > 0) return;
        report(`networkAclBypass is ${show(p.networkAclBypass)} without explicit networkAclBypassResourceIds; every Azure service could pass the firewall.`);
    },
});

export const cos09MinTls = resourceRule({
    id: "COS-09",
    name: "cos-09-cosmos-min-tls-12",
    description: "Cosmos DB accounts must require TLS 1.2 or later (minimalTlsVersion = \"Tls12\"); absent is treated as not configured.",
    remediationSteps: "Set minimalTlsVersion: \"Tls12\".",
    severity: "high",
    anchors: "PSR Azure.Cosmos.MinTLS; AVM",
    kinds: ["cosmosAccount"],
    validate(props, { report }) {
        const v = lower((props as CosmosProps).minimalTlsVersion);
        const m = v === undefined ? undefined : /^tls(\d)(\d)?$/.exec(v);
        const version = m ? Number(m[1]) + (m[2] ? Number(m[2]) / 10 : 0) : undefined;
        if (version === undefined || version < 1.2) {
            report(`minimalTlsVersion is ${show((props as CosmosProps).minimalTlsVersion)}; it must be "Tls12".`);
        }
    },
});

export const cosmosNetworkPolicies = [cos03PublicAccess, cos04FirewallRules, cos05BroadIpRules, cos06AclBypass, cos09MinTls];
