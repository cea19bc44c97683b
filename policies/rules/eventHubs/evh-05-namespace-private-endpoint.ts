/** EVH-05, rule family `eventHubs` (the family's notes and sources: policies/policies.ts). */
import { privateEndpointRule } from "../../lib/rules/privateNetworking";

export const evh05PrivateEndpoint = privateEndpointRule(
    "EVH-05",
    "evh-05-namespace-private-endpoint",
    "eventHubNamespace",
    "Event Hubs namespace",
    "namespace",
    "always",
    "AP \"Event Hub namespaces should use private link\" (b8564268-eb4a-4337-89be-a19db070c59d)",
);
