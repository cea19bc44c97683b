/** Helpers for reading what a stack run registered. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SECRET_SIG, SIG_KEY, UNKNOWN, type CapturedResource, type StackRun } from "../tools/offline/types";
import { runStack } from "../tools/offline/runStack";

export function all(run: StackRun, type: string): CapturedResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function one(run: StackRun, type: string, name?: string): CapturedResource {
    const found = all(run, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    return found[0];
}

export function isSecretWire(v: unknown): v is { value: unknown } {
    return v !== null && typeof v === "object" && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The value with secret wrappers removed (for asserting on content). */
export function reveal(v: unknown): any {
    if (isSecretWire(v)) return reveal(v.value);
    if (Array.isArray(v)) return v.map(reveal);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    return v;
}

/** Paths at which the value holds an unknown. */
export function unknownPaths(v: unknown, path = ""): string[] {
    if (v === UNKNOWN) return [path || "(root)"];
    if (isSecretWire(v)) return unknownPaths(v.value, path);
    if (Array.isArray(v)) return v.flatMap((x, i) => unknownPaths(x, `${path}[${i}]`));
    if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => unknownPaths(x, path ? `${path}.${k}` : k));
    return [];
}

/** Paths at which `needle` occurs in plain text, outside any secret. */
export function plainOccurrences(v: unknown, needle: string, path = ""): string[] {
    if (isSecretWire(v)) return [];
    if (typeof v === "string") return v.includes(needle) ? [path || "(root)"] : [];
    if (Array.isArray(v)) return v.flatMap((x, i) => plainOccurrences(x, needle, `${path}[${i}]`));
    if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => plainOccurrences(x, needle, path ? `${path}.${k}` : k));
    return [];
}

/**
 * A second CA of the example PKI (public certificate only; "Contoso IoT Device Root CA 2024",
 * valid until 2034-11-19): the previous or next CA next to the one in Pulumi.prod.yaml.
 */
export const CONTOSO_CA_2024 = `-----BEGIN CERTIFICATE-----
MIICGzCCAaCgAwIBAgIUaWsve/5tJ7A4m4y9UZbdqKA1R64wCgYIKoZIzj0EAwMw
PDEQMA4GA1UECgwHQ29udG9zbzEoMCYGA1UEAwwfQ29udG9zbyBJb1QgRGV2aWNl
IFJvb3QgQ0EgMjAyNDAeFw0yNjExMjEyMzMyNDRaFw0zNDExMTkyMzMyNDRaMDwx
EDAOBgNVBAoMB0NvbnRvc28xKDAmBgNVBAMMH0NvbnRvc28gSW9UIERldmljZSBS
b290IENBIDIwMjQwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAASdtWjhZB5BC7TUpfp/
KN/WtuFb6IeFQN0BYV93WMcGNguthxqoXVpB9afcUlfJD+6W2uQ+FN1IrIzXM4NU
FabSkg7czTtAkUbHLvL+eItJRmhHgyHN3XAclzkvT/oVbEGjYzBhMB0GA1UdDgQW
BBSdmkCyCgpDOWojDKy3dqtAg6Fe8jAfBgNVHSMEGDAWgBSdmkCyCgpDOWojDKy3
dqtAg6Fe8jAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjO
PQQDAwNpADBmAjEA9wntTV69PiW3XolAnGn+xDBQHQ5ybK2r35wgLsn1e13bdNYg
mrc/6DbLn7Cz8jnpAjEA6D77MsGcet3AHTwXD5MEeTWPsU4L2Tr2Fqir56SWd8Ev
0htmZ9JXmznMe2WMjXkV
-----END CERTIFICATE-----
`;

/**
 * An ingest package for the program's runs under test, in a temporary folder, so the suite does not
 * depend on `npm run build:ingest` having run (the program reads INGEST_PACKAGE_DIR, see index.ts).
 * Its files are data for the packaging step (host.json, package.json and a bundle the harness never
 * executes); the real package is the ingest app's build output.
 */
export const TEST_INGEST_PACKAGE = (() => {
    const dir = mkdtempSync(path.join(tmpdir(), "ingest-package-"));
    writeFileSync(path.join(dir, "host.json"), JSON.stringify({ version: "2.0", extensionBundle: { id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" } }, null, 2));
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "telemetry-ingest", version: "0.0.0-test", main: "dist/index.js" }, null, 2));
    mkdirSync(path.join(dir, "dist"));
    writeFileSync(path.join(dir, "dist", "index.js"), "// test data for the packaging step (test/support.ts)\n");
    return dir;
})();
process.env.INGEST_PACKAGE_DIR ??= TEST_INGEST_PACKAGE;

/** Likewise an API package (the program reads API_PACKAGE_DIR, else app/api/dist). */
export const TEST_API_PACKAGE = (() => {
    const dir = mkdtempSync(path.join(tmpdir(), "api-package-"));
    writeFileSync(path.join(dir, "host.json"), JSON.stringify({ version: "2.0", extensions: { http: { routePrefix: "" } } }, null, 2));
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "secure-iot-api-function", version: "0.0.0-test", main: "main.js" }, null, 2));
    writeFileSync(path.join(dir, "main.js"), "// test data for the packaging step (test/support.ts)\n");
    return dir;
})();
process.env.API_PACKAGE_DIR ??= TEST_API_PACKAGE;

const baseRuns = new Map<string, Promise<StackRun>>();

/**
 * The run of a stack's own configuration, shared by the suites of one process (they only read
 * it): each run of the program costs about half a second.
 */
export function stackRun(stack: string, preview = true): Promise<StackRun> {
    const key = `${stack}/${preview ? "preview" : "up"}`;
    let run = baseRuns.get(key);
    if (!run) {
        run = runStack(stack, { preview });
        baseRuns.set(key, run);
    }
    return run;
}
