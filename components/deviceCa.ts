import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { CaConfig } from "../config/schema";

/** One CA that signs device certificates, as the hub and DPS register it. */
export interface DeviceCa {
    /** ARM certificate name, stable for the life of the CA. */
    name: string;
    /** Public certificate (PEM). A secret when the stack holds it as one. */
    pem: pulumi.Output<string>;
    /** Expiry (RFC 3339), known at preview for supplied CAs, computed for generated ones. */
    notAfter: pulumi.Output<string>;
    source: "generated" | "pem";
    /** Generated CAs: validity from creation, in days (the expiry date exists once the CA does). */
    validityDays?: number;
    /** Days of validity the CA must keep; a generated CA is renewed when fewer are left. */
    minimumValidityDays: number;
}

export interface DeviceCertificateAuthoritiesArgs {
    ca: CaConfig;
    /** Subject organisation of generated CAs. */
    organization: string;
}

/**
 * The CAs whose device certificates the platform trusts. Up to two at once, so a root can be
 * rotated without re-provisioning the fleet: register the next CA next to the current one, move
 * devices over, then drop the old one from configuration.
 * - "generated" (dev): an ECDSA P-384 CA made by @pulumi/tls; its private key stays in state as a
 *   secret so developers can issue test device certificates.
 * - "pem" (prod): the public certificates of the company PKI; the keys never reach Pulumi.
 */
export class DeviceCertificateAuthorities extends pulumi.ComponentResource {
    public readonly cas: DeviceCa[];
    /** Private keys of generated CAs (secret), by CA name; empty for supplied CAs. */
    public readonly generatedPrivateKeys: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: DeviceCertificateAuthoritiesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("secure-iot:devices:CertificateAuthorities", name, {}, opts);
        this.generatedPrivateKeys = {};
        if (args.ca.source === "generated") {
            const { validityDays, minimumValidityDays } = args.ca;
            this.cas = args.ca.names.map((caName) => {
                const key = new tls.PrivateKey(`${caName}-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, { parent: this });
                const cert = new tls.SelfSignedCert(
                    `${caName}-cert`,
                    {
                        privateKeyPem: key.privateKeyPem,
                        subject: { commonName: `${args.organization} device CA ${caName}`, organization: args.organization },
                        isCaCertificate: true,
                        validityPeriodHours: validityDays * 24,
                        // Once fewer than caMinimumValidityDays are left, the next update issues a new CA
                        // (and re-registers it on the hub and DPS); test devices then need new certificates.
                        earlyRenewalHours: minimumValidityDays * 24,
                        allowedUses: ["cert_signing", "crl_signing"],
                    },
                    { parent: this },
                );
                this.generatedPrivateKeys[caName] = pulumi.secret(key.privateKeyPem);
                return { name: caName, pem: cert.certPem, notAfter: cert.validityEndTime, source: "generated" as const, validityDays, minimumValidityDays };
            });
        } else {
            this.cas = args.ca.certificates.map((c) => ({
                name: c.name,
                pem: c.secret ? pulumi.secret(c.pem) : pulumi.output(c.pem),
                notAfter: pulumi.output(c.notAfter.toISOString()),
                source: "pem" as const,
                minimumValidityDays: args.ca.minimumValidityDays,
            }));
        }
        this.registerOutputs({ names: this.cas.map((c) => c.name) });
    }
}
