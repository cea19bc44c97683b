/** FUNC-08, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import { isSetAt } from "../../lib/unknowns";

export const func08VnetIntegration = resourceRule<{ required: boolean }>({
    id: "FUNC-08",
    name: "func-08-app-vnet-integration",
    description:
        "Function apps must be integrated with the platform's virtual network (virtualNetworkSubnetId set) when the stack's policy config requires it, so their outbound calls to Event Hubs, Cosmos DB and storage use the private endpoints (a value unknown at preview, computed from the subnet, is set). Flex Consumption supports regional virtual network integration on a subnet delegated to it (MicrosoftDocs/azure-docs articles/azure-functions/flex-consumption-how-to.md).",
    remediationSteps: "Set virtualNetworkSubnetId to a subnet delegated to Microsoft.App/environments (Flex Consumption) that no private endpoint or service endpoint uses.",
    severity: "medium",
    anchors: "MS Flex Consumption virtual network integration; AP \"Function apps should enable outbound application traffic routing to Azure Virtual Network\" (32a913ec-5ed7-4b31-a5b0-198450d8fb13) analogue",
    kinds: ["webApp"],
    config: {
        required: {
            type: "boolean",
            default: true,
            description: "Require virtual network integration (virtualNetworkSubnetId).",
        },
    },
    validate(props, { config, report }) {
        if (!config.required) return;
        if (!isSetAt(props, "virtualNetworkSubnetId")) report("virtualNetworkSubnetId is absent: the app is not integrated with a virtual network, so it cannot reach private endpoints.");
    },
});
