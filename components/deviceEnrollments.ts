/**
 * The stack's DPS enrollment records, from configuration: enrollment groups (X.509 through the CAs
 * the stack registers on DPS, or symmetric keys for test devices where the stack allows them) and
 * individual enrollments for TPM devices. Before this, a device could not provision until someone
 * ran `az iot dps enrollment-group create` after `pulumi up`, outside review and the policy pack.
 *
 * - Each record waits for what DPS checks when it is saved: the DPS, its linked hub, the CA
 *   certificates it references, and the deploying identity's data-plane role on the DPS.
 * - The inputs carry those links (built with `knownAfter`), so the policy pack sees which
 *   DpsCertificate a group trusts and which DPS it belongs to, and every value is known at preview.
 * - Symmetric keys are generated here (`@pulumi/random`, 64 bytes, the DPS maximum; secret) and never
 *   leave secrets: they are secret inputs, secret outputs (`additionalSecretOutputs`) and a secret
 *   stack output. TPM endorsement keys are public and stay plain.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as random from "@pulumi/random";
import type { EnrollmentGroupConfig, IndividualEnrollmentConfig, InitialTwinConfig } from "../config/enrollments";
import { EnrollmentGroup, IndividualEnrollment, enrollmentImportId } from "./enrollments/resources";
import { knownAfter } from "./known";
import { DPS_DATA_CONTRIBUTOR } from "./provisioningService";

export interface DeviceEnrollmentsArgs {
    /** The DPS, its ARM name and id. */
    dps: pulumi.Resource;
    dpsName: string;
    dpsId: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** The identity running Pulumi (getClientConfig objectId): it writes the records, with Entra ID. */
    deployerPrincipalId: pulumi.Input<string>;
    /** The linked hub (DPS checks that a record's hubs are linked). */
    hub: { resource: pulumi.Resource; hostName: string };
    /** The CA certificates registered on this DPS, by name. */
    certificates: { name: string; resource: pulumi.Resource }[];
    groups: EnrollmentGroupConfig[];
    individuals: IndividualEnrollmentConfig[];
}

/** What the plan and the stack outputs say about a record. */
export interface EnrollmentSummary {
    id: string;
    attestation: "x509" | "symmetricKey" | "tpm";
    /** X.509 groups: the CAs, current first. */
    caNames: string[];
    iotHubs: string[];
    provisioningStatus: string;
}

function twinOf(t: InitialTwinConfig): { tags: Record<string, unknown>; properties: { desired: Record<string, unknown> } } | undefined {
    if (Object.keys(t.tags).length === 0 && Object.keys(t.desired).length === 0) return undefined;
    return { tags: t.tags, properties: { desired: t.desired } };
}

export class DeviceEnrollments extends pulumi.ComponentResource {
    public readonly groups: EnrollmentGroup[];
    public readonly individuals: IndividualEnrollment[];
    /** Device Provisioning Service Data Contributor for the deploying identity, on this DPS. */
    public readonly deployerRole: authorization.RoleAssignment;
    public readonly summary: EnrollmentSummary[];
    /** Symmetric-key groups' keys, by group id (secret): to derive test device keys. */
    public readonly symmetricKeys: pulumi.Output<Record<string, { primaryKey: string; secondaryKey: string }>>;

    constructor(name: string, args: DeviceEnrollmentsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:iot:DeviceEnrollments", name, {}, opts);
        const serviceHostName = `${args.dpsName}.azure-devices-provisioning.net`;
        // The records are written with Entra ID (DPS has no shared keys), by whoever runs Pulumi.
        this.deployerRole = new authorization.RoleAssignment(
            "deployer-DpsDataContributor",
            {
                principalId: args.deployerPrincipalId,
                roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${DPS_DATA_CONTRIBUTOR}`,
                scope: args.dpsId,
                description: `deployer: Device Provisioning Service Data Contributor on ${args.dpsName} (writes the enrollment records)`,
            },
            { parent: this },
        );
        const byName = new Map(args.certificates.map((c) => [c.name, c.resource]));
        const common = (record: { iotHubs: string[]; provisioningStatus: "enabled" | "disabled"; reprovision: { updateHubAssignment: boolean; migrateDeviceData: boolean }; initialTwin: InitialTwinConfig }) => {
            const twin = twinOf(record.initialTwin);
            return {
                provisioningServiceName: knownAfter(args.dps, args.dpsName),
                serviceHostName: knownAfter(args.dps, serviceHostName),
                iotHubs: record.iotHubs.map((h) => (h.toLowerCase() === args.hub.hostName.toLowerCase() ? knownAfter(args.hub.resource, h) : h)),
                provisioningStatus: record.provisioningStatus,
                reprovisionPolicy: record.reprovision,
                ...(twin ? { initialTwin: twin } : {}),
            };
        };
        const keys: Record<string, pulumi.Output<{ primaryKey: string; secondaryKey: string }>> = {};
        this.groups = args.groups.map((g) => {
            const certs = g.attestation.type === "x509" ? g.attestation.caNames.map((n) => byName.get(n)).filter((r): r is pulumi.Resource => r !== undefined) : [];
            let attestation: ConstructorParameters<typeof EnrollmentGroup>[1]["attestation"];
            if (g.attestation.type === "x509") {
                const [primary, secondary] = g.attestation.caNames.map((n) => {
                    const cert = byName.get(n);
                    return cert ? knownAfter(cert, n) : pulumi.output(n);
                });
                attestation = { type: "x509", x509: { caReferences: secondary !== undefined ? { primary, secondary } : { primary } } };
            } else {
                const primaryKey = new random.RandomBytes(`${g.id}-primary-key`, { length: 64 }, { parent: this });
                const secondaryKey = new random.RandomBytes(`${g.id}-secondary-key`, { length: 64 }, { parent: this });
                attestation = { type: "symmetricKey", symmetricKey: { primaryKey: pulumi.secret(primaryKey.base64), secondaryKey: pulumi.secret(secondaryKey.base64) } };
                keys[g.id] = pulumi.secret(pulumi.all([primaryKey.base64, secondaryKey.base64]).apply(([p, s]) => ({ primaryKey: p, secondaryKey: s })));
            }
            return new EnrollmentGroup(
                `group-${g.id}`,
                { enrollmentGroupId: g.id, attestation, ...common(g) },
                {
                    parent: this,
                    dependsOn: [args.dps, args.hub.resource, this.deployerRole, ...certs],
                    ...(g.import ? { import: enrollmentImportId(serviceHostName, "group", g.id) } : {}),
                },
            );
        });
        this.individuals = args.individuals.map(
            (e) =>
                new IndividualEnrollment(
                    `enrollment-${e.registrationId}`,
                    {
                        registrationId: e.registrationId,
                        ...(e.deviceId !== undefined ? { deviceId: e.deviceId } : {}),
                        attestation: { type: "tpm", tpm: { endorsementKey: e.attestation.endorsementKey } },
                        ...common(e),
                    },
                    {
                        parent: this,
                        dependsOn: [args.dps, args.hub.resource, this.deployerRole],
                        ...(e.import ? { import: enrollmentImportId(serviceHostName, "individual", e.registrationId) } : {}),
                    },
                ),
        );
        this.summary = [
            ...args.groups.map((g) => ({
                id: g.id,
                attestation: g.attestation.type,
                caNames: g.attestation.type === "x509" ? g.attestation.caNames : [],
                iotHubs: g.iotHubs,
                provisioningStatus: g.provisioningStatus,
            })),
            ...args.individuals.map((e) => ({ id: e.registrationId, attestation: "tpm" as const, caNames: [], iotHubs: e.iotHubs, provisioningStatus: e.provisioningStatus })),
        ];
        this.symmetricKeys = pulumi.secret(pulumi.all(keys));
        this.registerOutputs({ summary: this.summary, symmetricKeys: this.symmetricKeys });
    }
}
