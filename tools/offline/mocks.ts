/**
 * Mocks that model what Azure and Entra ID answer. In a preview the providers echo the inputs and
 * every value the service computes (ids, principal ids, client ids, keys, id scopes) is unknown;
 * in an update those values exist, and the mocks make plausible ones, deterministically.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the mocks read and echo untyped wire values of every resource type */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "./types";

export const MOCK_SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";
export const MOCK_TENANT = "99999999-8888-7777-6666-555555555555";

function uuid(seed: string): string {
    const h = createHash("sha256").update(seed).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Secret inputs reach mocks wrapped as `{ [SIG_KEY]: SECRET_SIG, value }` at the top of the property. */
function plain(v: any): any {
    return v !== null && typeof v === "object" && v[SIG_KEY] === SECRET_SIG ? v.value : v;
}

/** Outputs each resource type computes, by the service, beyond its inputs. */
function computed(type: string, name: string, rawInputs: Record<string, any>): Record<string, unknown> {
    const inputs = Object.fromEntries(Object.entries(rawInputs).map(([k, v]) => [k, plain(v)]));
    const seed = `${type}/${name}`;
    const rg = inputs.resourceGroupName;
    const sub = `/subscriptions/${MOCK_SUBSCRIPTION}`;
    switch (type) {
        case "azure-native:resources:ResourceGroup":
            return { name: inputs.resourceGroupName, id: `${sub}/resourceGroups/${inputs.resourceGroupName}` };
        case "azure-native:managedidentity:UserAssignedIdentity":
            return {
                name: inputs.resourceName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${inputs.resourceName}`,
                principalId: uuid(`${seed}/principal`),
                clientId: uuid(`${seed}/client`),
                tenantId: MOCK_TENANT,
            };
        case "azure-native:cosmosdb:DatabaseAccount":
            return {
                name: inputs.accountName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.DocumentDB/databaseAccounts/${inputs.accountName}`,
                documentEndpoint: `https://${inputs.accountName}.documents.azure.com:443/`,
            };
        case "azure-native:cosmosdb:SqlResourceSqlDatabase":
            return {
                name: inputs.databaseName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.DocumentDB/databaseAccounts/${inputs.accountName}/sqlDatabases/${inputs.databaseName}`,
            };
        case "azure-native:cosmosdb:SqlResourceSqlContainer":
            return {
                name: inputs.containerName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.DocumentDB/databaseAccounts/${inputs.accountName}/sqlDatabases/${inputs.databaseName}/sqlContainers/${inputs.containerName}`,
            };
        case "azure-native:network:NetworkSecurityGroup":
            return { name: inputs.networkSecurityGroupName, id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkSecurityGroups/${inputs.networkSecurityGroupName}` };
        case "azure-native:network:VirtualNetwork": {
            const id = `${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${inputs.virtualNetworkName}`;
            return {
                name: inputs.virtualNetworkName,
                id,
                subnets: (inputs.subnets ?? []).map((sn: { name: string }) => ({ ...sn, id: `${id}/subnets/${sn.name}` })),
            };
        }
        case "azure-native:network:PrivateEndpoint":
            return {
                name: inputs.privateEndpointName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/${inputs.privateEndpointName}`,
            };
        case "azure-native:network:PrivateDnsZoneGroup":
            return {
                name: inputs.privateDnsZoneGroupName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/${inputs.privateEndpointName}/privateDnsZoneGroups/${inputs.privateDnsZoneGroupName}`,
            };
        case "azure-native:privatedns:PrivateZone":
            return { name: inputs.privateZoneName, id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateDnsZones/${inputs.privateZoneName}` };
        case "azure-native:privatedns:VirtualNetworkLink":
            return {
                name: inputs.virtualNetworkLinkName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateDnsZones/${inputs.privateZoneName}/virtualNetworkLinks/${inputs.virtualNetworkLinkName}`,
            };
        case "azure-native:operationalinsights:Workspace":
            return {
                name: inputs.workspaceName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.OperationalInsights/workspaces/${inputs.workspaceName}`,
                customerId: uuid(`${seed}/customer`),
            };
        case "azure-native:monitor:DiagnosticSetting":
            return { id: `${inputs.resourceUri}/providers/Microsoft.Insights/diagnosticSettings/${inputs.name}` };
        case "azure-native:monitor:ActionGroup":
            return { name: inputs.actionGroupName, id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Insights/actionGroups/${inputs.actionGroupName}` };
        case "azure-native:monitor:MetricAlert":
            return { name: inputs.ruleName, id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Insights/metricAlerts/${inputs.ruleName}` };
        case "azure-native:security:IotSecuritySolution":
            return { name: inputs.solutionName, id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Security/iotSecuritySolutions/${inputs.solutionName}` };
        case "azure-native:security:AdvancedThreatProtection":
            return { name: inputs.settingName, id: `${inputs.resourceId}/providers/Microsoft.Security/advancedThreatProtectionSettings/${inputs.settingName}` };
        case "azure-native:authorization:ManagementLockByScope":
            return { name: inputs.lockName, id: `${inputs.scope}/providers/Microsoft.Authorization/locks/${inputs.lockName}` };
        case "azure-native:eventhub:Namespace":
            return {
                name: inputs.namespaceName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.EventHub/namespaces/${inputs.namespaceName}`,
                serviceBusEndpoint: `https://${inputs.namespaceName}.servicebus.windows.net:443/`,
                metricId: `${MOCK_SUBSCRIPTION}:${inputs.namespaceName}`,
                status: "Active",
            };
        case "azure-native:eventhub:NamespaceNetworkRuleSet":
            return { name: "default", id: `${sub}/resourceGroups/${rg}/providers/Microsoft.EventHub/namespaces/${inputs.namespaceName}/networkRuleSets/default` };
        case "azure-native:eventhub:EventHub":
            return {
                name: inputs.eventHubName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.EventHub/namespaces/${inputs.namespaceName}/eventhubs/${inputs.eventHubName}`,
                partitionIds: Array.from({ length: Number(inputs.partitionCount ?? 1) }, (_, i) => String(i)),
            };
        case "azure-native:eventhub:ConsumerGroup":
            return {
                name: inputs.consumerGroupName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.EventHub/namespaces/${inputs.namespaceName}/eventhubs/${inputs.eventHubName}/consumergroups/${inputs.consumerGroupName}`,
            };
        case "azure-native:storage:StorageAccount":
            return {
                name: inputs.accountName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${inputs.accountName}`,
                primaryEndpoints: { blob: `https://${inputs.accountName}.blob.core.windows.net/`, queue: `https://${inputs.accountName}.queue.core.windows.net/` },
            };
        case "azure-native:storage:BlobContainer":
            return {
                name: inputs.containerName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${inputs.accountName}/blobServices/default/containers/${inputs.containerName}`,
            };
        case "azure-native:applicationinsights:Component": {
            const ikey = uuid(`${seed}/ikey`);
            return {
                name: inputs.resourceName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Insights/components/${inputs.resourceName}`,
                instrumentationKey: ikey,
                appId: uuid(`${seed}/app`),
                // The form Azure returns: the component's key (an identifier, not a credential) and its regional endpoints.
                connectionString: `InstrumentationKey=${ikey};IngestionEndpoint=https://${inputs.location}-5.in.applicationinsights.azure.com/;LiveEndpoint=https://${inputs.location}.livediagnostics.monitor.azure.com/;ApplicationId=${uuid(`${seed}/app`)}`,
            };
        }
        case "azure-native:web:AppServicePlan":
            return { name: inputs.name, id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Web/serverfarms/${inputs.name}` };
        case "azure-native:web:WebApp":
            return {
                name: inputs.name,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Web/sites/${inputs.name}`,
                defaultHostName: `${inputs.name}.azurewebsites.net`,
                outboundIpAddresses: "20.0.0.1,20.0.0.2",
            };
        case "azure-native:web:WebAppApplicationSettings":
            return { name: "appsettings", id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Web/sites/${inputs.name}/config/appsettings` };
        case "azure-native:web:WebAppAuthSettingsV2":
            return { name: "authsettingsV2", id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Web/sites/${inputs.name}/config/authsettingsV2` };
        case "azure-native:authorization:RoleDefinition":
            return { name: inputs.roleDefinitionId, id: `${inputs.scope}/providers/Microsoft.Authorization/roleDefinitions/${inputs.roleDefinitionId}` };
        case "azure-native:network:PublicIPAddress":
            return {
                name: inputs.publicIpAddressName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Network/publicIPAddresses/${inputs.publicIpAddressName}`,
                // A documentation address (RFC 5737): what Azure assigns once the address exists.
                ipAddress: `192.0.2.${(parseInt(createHash("sha256").update(seed).digest("hex").slice(0, 2), 16) % 250) + 1}`,
            };
        case "azure-native:network:NatGateway":
            return { name: inputs.natGatewayName, id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Network/natGateways/${inputs.natGatewayName}` };
        case "azure-native:web:WebAppFtpAllowed":
            return { name: "ftp", id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Web/sites/${inputs.name}/basicPublishingCredentialsPolicies/ftp` };
        case "azure-native:web:WebAppScmAllowed":
            return { name: "scm", id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Web/sites/${inputs.name}/basicPublishingCredentialsPolicies/scm` };
        case "pulumi-nodejs:dynamic/web:FunctionPackageDeployment":
            // What the one-deploy provider returns (components/functionDeployment.ts).
            return { deploymentId: uuid(`${seed}/${String(inputs.packageSha256)}`), status: "Success (4)" };
        case "azure-native:authorization:RoleAssignment":
            return { name: uuid(`${seed}/name`), id: `${inputs.scope}/providers/Microsoft.Authorization/roleAssignments/${uuid(`${seed}/name`)}` };
        case "azure-native:iothub:IotHubResource":
            return {
                name: inputs.resourceName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Devices/IotHubs/${inputs.resourceName}`,
                // The system-assigned identity Azure creates with the hub.
                identity: { ...(inputs.identity ?? {}), principalId: uuid(`${seed}/principal`), tenantId: MOCK_TENANT },
                properties: {
                    ...(inputs.properties ?? {}),
                    hostName: `${inputs.resourceName}.azure-devices.net`,
                    eventHubEndpoints: {
                        events: {
                            ...(inputs.properties?.eventHubEndpoints?.events ?? {}),
                            endpoint: `sb://iothub-ns-${String(inputs.resourceName).slice(0, 20)}-4242424-0a1b2c3d4e.servicebus.windows.net/`,
                        },
                    },
                },
            };
        case "azure-native:deviceprovisioningservices:IotDpsResource":
            return {
                name: inputs.provisioningServiceName,
                id: `${sub}/resourceGroups/${rg}/providers/Microsoft.Devices/provisioningServices/${inputs.provisioningServiceName}`,
                properties: {
                    ...(inputs.properties ?? {}),
                    idScope: `0ne${createHash("sha256").update(seed).digest("hex").slice(0, 8).toUpperCase()}`,
                    serviceOperationsHostName: `${inputs.provisioningServiceName}.azure-devices-provisioning.net`,
                    deviceProvisioningHostName: "global.azure-devices-provisioning.net",
                },
            };
        case "azure-native:resources:Resource": {
            // The generic ARM resource: id from its path parts; what the service computes per type.
            const parent = inputs.parentResourcePath ? `/${inputs.parentResourcePath}` : "";
            const id = `${sub}/resourceGroups/${rg}/providers/${inputs.resourceProviderNamespace}${parent}/${inputs.resourceType}/${inputs.resourceName}`;
            const isDps = String(inputs.resourceProviderNamespace).toLowerCase() === "microsoft.devices" && String(inputs.resourceType).toLowerCase() === "provisioningservices";
            return {
                name: inputs.resourceName,
                id,
                ...(isDps
                    ? {
                          properties: {
                              ...(inputs.properties ?? {}),
                              idScope: `0ne${createHash("sha256").update(seed).digest("hex").slice(0, 8).toUpperCase()}`,
                              serviceOperationsHostName: `${inputs.resourceName}.azure-devices-provisioning.net`,
                              deviceProvisioningHostName: "global.azure-devices-provisioning.net",
                          },
                      }
                    : {}),
            };
        }
        case "azuread:index/applicationRegistration:ApplicationRegistration":
            return { clientId: uuid(`${seed}/client`), objectId: uuid(`${seed}/object`), id: `/applications/${uuid(`${seed}/object`)}` };
        case "azuread:index/servicePrincipal:ServicePrincipal":
            return { objectId: uuid(`${seed}/object`) };
        case "random:index/randomUuid:RandomUuid":
            return { result: uuid(seed) };
        case "random:index/randomBytes:RandomBytes": {
            const bytes = Buffer.concat([createHash("sha512").update(seed).digest(), createHash("sha512").update(`${seed}/2`).digest()]).subarray(0, Number(inputs.length ?? 32));
            return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
        }
        case "pulumi-nodejs:dynamic:Resource":
            // Dynamic resources: the DPS enrollment records answer as the DPS service would.
            return enrollmentRecord(rawInputs, seed) ?? {};
        case "tls:index/privateKey:PrivateKey":
            return { privateKeyPem: `-----BEGIN PRIVATE KEY-----\nmock-${name}\n-----END PRIVATE KEY-----\n`, publicKeyPem: `mock-public-${name}` };
        case "tls:index/selfSignedCert:SelfSignedCert": {
            const end = new Date(Date.UTC(2026, 0, 1) + (Number(inputs.validityPeriodHours ?? 0) * 3600_000));
            return { certPem: `-----BEGIN CERTIFICATE-----\nmock-${name}\n-----END CERTIFICATE-----\n`, validityEndTime: end.toISOString() };
        }
        default:
            return {};
    }
}

/** The plain value of a wire value, secrets opened at any depth. */
function reveal(v: any): any {
    const p = plain(v);
    if (Array.isArray(p)) return p.map(reveal);
    if (p !== null && typeof p === "object") return Object.fromEntries(Object.entries(p).map(([k, x]) => [k, reveal(x)]));
    return p;
}

/** What DPS computes for an enrollment record (components/enrollments/provider.ts outputsOf): id, etag, dates, keys. */
function enrollmentRecord(rawInputs: Record<string, any>, seed: string): Record<string, unknown> | undefined {
    const inputs = reveal(rawInputs);
    const kind = inputs.kind;
    if (kind !== "azure-iot-dps:EnrollmentGroup" && kind !== "azure-iot-dps:IndividualEnrollment") return undefined;
    const group = kind === "azure-iot-dps:EnrollmentGroup";
    const recordId = group ? inputs.enrollmentGroupId : inputs.registrationId;
    const keys = inputs.attestation?.type === "symmetricKey" ? { primaryKey: inputs.attestation.symmetricKey?.primaryKey, secondaryKey: inputs.attestation.symmetricKey?.secondaryKey } : {};
    return {
        id: `${inputs.serviceHostName}/${group ? "enrollmentGroups" : "enrollments"}/${recordId}`,
        etag: `"${createHash("sha256").update(seed).digest("base64").slice(0, 12)}"`,
        createdDateTimeUtc: "2026-01-01T00:00:00.000Z",
        lastUpdatedDateTimeUtc: "2026-01-01T00:00:00.000Z",
        ...keys,
    };
}

/** The given inputs, with every value the service adds (at any depth) unknown. */
function unknownWhereComputed(given: any, computedValue: any): any {
    if (given === null || typeof given !== "object" || Array.isArray(given)) return given;
    const out: Record<string, unknown> = { ...given };
    for (const [k, v] of Object.entries(computedValue ?? {})) {
        if (!(k in given)) out[k] = UNKNOWN;
        else if (v !== null && typeof v === "object" && !Array.isArray(v)) out[k] = unknownWhereComputed(given[k], v);
    }
    return out;
}

/** Input objects into which a service writes values of its own. */
const NESTED_COMPUTED: ReadonlySet<string> = new Set(["properties", "identity"]);

/** Output names that stay unknown in a preview (the service computes them). */
function unknownAtPreview(type: string, inputs: Record<string, any>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(computed(type, "preview", inputs))) {
        // Providers echo inputs into outputs of the same name; everything else is computed, including
        // values the service adds inside an input object (the hub's host name, its identity's principal).
        if (k in inputs && !NESTED_COMPUTED.has(k)) continue;
        if (NESTED_COMPUTED.has(k)) {
            out[k] = unknownWhereComputed(plain(inputs[k]) ?? {}, v);
        } else {
            out[k] = UNKNOWN;
        }
    }
    return out;
}

export function platformMocks(preview: boolean): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
            if (preview) {
                // An empty id is unknown to the program, as in `pulumi preview` of a new stack.
                return { id: "", state: { ...args.inputs, ...unknownAtPreview(args.type, args.inputs) } };
            }
            const extra = computed(args.type, args.name, args.inputs);
            const id = (extra.id as string | undefined) ?? `${args.type.slice(args.type.lastIndexOf(":") + 1)}-${args.name}-id`;
            return { id, state: { ...args.inputs, ...extra } };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
            switch (args.token) {
                case "azure-native:authorization:getClientConfig":
                    return { clientId: uuid("deployer/client"), objectId: uuid("deployer/object"), subscriptionId: MOCK_SUBSCRIPTION, tenantId: MOCK_TENANT };
                default:
                    throw new Error(`The offline mocks do not model the invoke ${args.token}; add it to tools/offline/mocks.ts`);
            }
        },
    };
}
