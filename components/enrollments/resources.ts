/**
 * DPS enrollment records as Pulumi resources: `EnrollmentGroup` (X.509 CA-backed or symmetric-key
 * groups) and `IndividualEnrollment` (one TPM device). Both are dynamic resources over
 * `./provider.ts`, so their type token is the generic `pulumi-nodejs:dynamic:Resource`; the
 * `kind` input (`azure-iot-dps:EnrollmentGroup`, `azure-iot-dps:IndividualEnrollment`) is what the
 * policy pack and the offline plan recognise them by (policies/lib/enrollments.ts).
 *
 * The Pulumi id is `<dps>.azure-devices-provisioning.net/enrollmentGroups/<id>` (or
 * `/enrollments/<registration id>`): pass it as the `import` resource option to adopt a record made
 * outside Pulumi (`pulumi import` cannot: it needs a provider schema, which dynamic providers lack).
 */
import * as pulumi from "@pulumi/pulumi";
import { createEnrollmentProvider, resourceIdOf, DPS_SERVICE_API, type InitialTwin } from "./provider";

/** One provider object per process: the SDK serializes it once and reuses the text for every record. */
let shared: ReturnType<typeof createEnrollmentProvider> | undefined;
function provider(): ReturnType<typeof createEnrollmentProvider> {
    shared ??= createEnrollmentProvider();
    return shared;
}

/** Outputs that carry keys: secret in the state whatever the inputs were. */
const KEY_OUTPUTS = ["primaryKey", "secondaryKey"];

interface CommonArgs {
    /** ARM name of the DPS; carry the dependency on it (known at preview). */
    provisioningServiceName: pulumi.Input<string>;
    /** `<name>.azure-devices-provisioning.net`, known at preview. */
    serviceHostName: pulumi.Input<string>;
    /** Linked hubs (host names) the devices may be assigned to; absent: every linked hub. */
    iotHubs?: pulumi.Input<pulumi.Input<string>[]>;
    allocationPolicy?: pulumi.Input<"hashed" | "geoLatency" | "static">;
    /** Default enabled. */
    provisioningStatus?: pulumi.Input<"enabled" | "disabled">;
    /** Default: move devices to a new hub assignment and migrate their data (DPS's defaults). */
    reprovisionPolicy?: pulumi.Input<{ updateHubAssignment: boolean; migrateDeviceData: boolean }>;
    /** Tags and desired properties every device starts with. Never secrets (policy DPS-22). */
    initialTwin?: pulumi.Input<InitialTwin>;
    /** DPS service API version (default the provider's, 2026-11-01). */
    apiVersion?: string;
}

export interface EnrollmentGroupArgs extends CommonArgs {
    enrollmentGroupId: string;
    /**
     * X.509 through CA certificates registered on this DPS (by name), or symmetric keys (secret
     * inputs). `type` stays a plain value so policies can read it at preview.
     */
    attestation:
        | { type: "x509"; x509: { caReferences: pulumi.Input<{ primary: pulumi.Input<string>; secondary?: pulumi.Input<string> }> } }
        | { type: "symmetricKey"; symmetricKey: { primaryKey: pulumi.Input<string>; secondaryKey: pulumi.Input<string> } };
}

export interface IndividualEnrollmentArgs extends CommonArgs {
    registrationId: string;
    deviceId?: pulumi.Input<string>;
    attestation: { type: "tpm"; tpm: { endorsementKey: pulumi.Input<string> } };
}

function props(kind: string, args: CommonArgs & { attestation: unknown }, extra: Record<string, unknown>): pulumi.Inputs {
    return {
        kind,
        apiVersion: args.apiVersion ?? DPS_SERVICE_API.apiVersion,
        provisioningServiceName: args.provisioningServiceName,
        serviceHostName: args.serviceHostName,
        ...extra,
        attestation: args.attestation,
        ...(args.iotHubs !== undefined ? { iotHubs: args.iotHubs } : {}),
        ...(args.allocationPolicy !== undefined ? { allocationPolicy: args.allocationPolicy } : {}),
        provisioningStatus: args.provisioningStatus ?? "enabled",
        reprovisionPolicy: args.reprovisionPolicy ?? { updateHubAssignment: true, migrateDeviceData: true },
        // IoT Edge devices are out of this platform's scope: an edge device gets module identities.
        capabilities: { iotEdge: false },
        ...(args.initialTwin !== undefined ? { initialTwin: args.initialTwin } : {}),
        // Outputs the provider computes (declared so they exist on the resource object).
        etag: undefined,
        createdDateTimeUtc: undefined,
        lastUpdatedDateTimeUtc: undefined,
        primaryKey: undefined,
        secondaryKey: undefined,
    };
}

function withSecretKeys(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
    return { ...opts, additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), ...KEY_OUTPUTS])] };
}

/** The `import` resource-option value that adopts an existing record. */
export function enrollmentImportId(serviceHostName: string, kind: "group" | "individual", id: string): string {
    return resourceIdOf(serviceHostName.toLowerCase(), kind === "group" ? DPS_SERVICE_API.groupKind : DPS_SERVICE_API.individualKind, id);
}

export class EnrollmentGroup extends pulumi.dynamic.Resource {
    public readonly enrollmentGroupId!: pulumi.Output<string>;
    public readonly attestation!: pulumi.Output<Record<string, unknown>>;
    public readonly provisioningStatus!: pulumi.Output<string>;
    public readonly etag!: pulumi.Output<string>;
    /** Symmetric-key groups only; secret. */
    public readonly primaryKey!: pulumi.Output<string | undefined>;
    public readonly secondaryKey!: pulumi.Output<string | undefined>;

    constructor(name: string, args: EnrollmentGroupArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider(), name, props(DPS_SERVICE_API.groupKind, args, { enrollmentGroupId: args.enrollmentGroupId }), withSecretKeys(opts));
    }
}

export class IndividualEnrollment extends pulumi.dynamic.Resource {
    public readonly registrationId!: pulumi.Output<string>;
    public readonly attestation!: pulumi.Output<Record<string, unknown>>;
    public readonly provisioningStatus!: pulumi.Output<string>;
    public readonly etag!: pulumi.Output<string>;

    constructor(name: string, args: IndividualEnrollmentArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider(),
            name,
            props(DPS_SERVICE_API.individualKind, args, { registrationId: args.registrationId, ...(args.deviceId !== undefined ? { deviceId: args.deviceId } : {}) }),
            withSecretKeys(opts),
        );
    }
}
