/**
 * A self-signed TLS certificate for the loopback fakes (the Cosmos DB SDK sends Entra ID tokens
 * over https only, and the IoT Hub client only speaks https). Generated with the openssl CLI, once
 * per process, for 127.0.0.1 and localhost; the key never leaves this process's memory (the
 * temporary files are deleted at once).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface Certificate {
    key: string;
    cert: string;
}

let cached: Certificate | undefined;

export function loopbackCertificate(): Certificate {
    if (cached) return cached;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "api-fakes-tls-"));
    try {
        const keyFile = path.join(dir, "key.pem");
        const certFile = path.join(dir, "cert.pem");
        try {
            execFileSync(
                "openssl",
                ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyFile, "-out", certFile],
                { stdio: ["ignore", "ignore", "pipe"] },
            );
        } catch (err) {
            throw new Error("The loopback fakes need the openssl command to make a self-signed certificate (apt-get install openssl)", { cause: err });
        }
        cached = { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8") };
        return cached;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
