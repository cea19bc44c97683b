/**
 * A function app's deployment package (the ingest function's from app/ingest/dist, which
 * `npm run build:ingest` produces, contract in app/ingest/src/settings.ts; the API's from
 * app/api/dist, `npm run build:api`, contract in app/api/src/settings.ts), zipped deterministically: the
 * same files give the same bytes and the same SHA-256, so the package's identity is known at
 * preview and a deployment happens exactly when the code changes.
 *
 * The zip is written under its hash (by default to out/ingest-package, which git ignores), for the
 * deployment step (components/functionDeployment.ts) to upload to the app's one-deploy endpoint.
 * Both paths are given to the engine relative to the working directory when they lie
 * inside it (Pulumi runs the program in the project directory), so a preview on a laptop and an
 * update in CI register the same inputs and only a change of content deploys.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { deflateRawSync } from "node:zlib";
import { INGEST_PACKAGE_DIR } from "../app/ingest/src/settings";
import { API_PACKAGE_DIR } from "../app/api/src/settings";

/**
 * Where the built package is: INGEST_PACKAGE_DIR when set (the offline tests build their own),
 * else app/ingest/dist under the working directory (the project directory under Pulumi).
 */
export function ingestPackageDirFrom(env: Record<string, string | undefined> = process.env): string {
    return env.INGEST_PACKAGE_DIR || path.join(process.cwd(), INGEST_PACKAGE_DIR);
}

/** Where the API's built package is: API_PACKAGE_DIR when set, else app/api/dist under the working directory. */
export function apiPackageDirFrom(env: Record<string, string | undefined> = process.env): string {
    return env.API_PACKAGE_DIR || path.join(process.cwd(), API_PACKAGE_DIR);
}

/** Which app a package is for: names the zip and the build command in errors. */
export interface PackageKind {
    /** Zip file name stem, e.g. "telemetry-ingest". */
    name: string;
    /** Who the package is for, in messages, e.g. "The ingest function's". */
    owner: string;
    /** The command that builds it, e.g. "npm run build:ingest". */
    buildCommand: string;
    /** What the build writes, for the message. */
    builds: string;
}

export const INGEST_PACKAGE: PackageKind = {
    name: "telemetry-ingest",
    owner: "The ingest function's",
    buildCommand: "npm run build:ingest",
    builds: "host.json, package.json and the bundled code to app/ingest/dist",
};

export const API_PACKAGE: PackageKind = {
    name: "api",
    owner: "The API's",
    buildCommand: "npm run build:api",
    builds: "host.json, package.json and the bundled code to app/api/dist",
};

export interface FunctionPackage {
    /** The folder the package was read from. */
    dir: string;
    /** Paths inside the package, `/`-separated, sorted. */
    files: string[];
    /** SHA-256 of the zip, hex. */
    sha256: string;
    /** Where the zip was written. */
    zipPath: string;
    /** `dir` and `zipPath` as the engine gets them: relative to the working directory when inside it. */
    engineDir: string;
    engineZipPath: string;
    bytes: number;
}

export class MissingFunctionPackageError extends Error {
    constructor(dir: string, problem: string, kind: PackageKind = INGEST_PACKAGE) {
        super(`${kind.owner} deployment package ${problem} (${dir}). Build it with \`${kind.buildCommand}\` (it writes ${kind.builds}), then run the program again.`);
        this.name = "MissingFunctionPackageError";
    }
}

/** Reads and zips the package folder; throws MissingFunctionPackageError naming the build command. */
export function readFunctionPackage(dir: string, outDir = path.join(process.cwd(), "out", "ingest-package"), kind: PackageKind = INGEST_PACKAGE): FunctionPackage {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new MissingFunctionPackageError(dir, "is missing", kind);
    // The Functions host needs host.json at the package root (and package.json for the Node worker).
    for (const required of ["host.json", "package.json"]) {
        if (!existsSync(path.join(dir, required))) throw new MissingFunctionPackageError(dir, `has no ${required}`, kind);
    }
    const files = listFiles(dir);
    const zip = zipFiles(files.map((name) => ({ name, data: readFileSync(path.join(dir, ...name.split("/"))) })));
    const sha256 = createHash("sha256").update(zip).digest("hex");
    mkdirSync(outDir, { recursive: true });
    const zipPath = path.join(outDir, `${kind.name}-${sha256.slice(0, 16)}.zip`);
    if (!existsSync(zipPath)) writeFileSync(zipPath, zip);
    return { dir, files, sha256, zipPath, bytes: zip.length, engineDir: forEngine(dir), engineZipPath: forEngine(zipPath) };
}

function forEngine(p: string): string {
    const rel = path.relative(process.cwd(), path.resolve(p));
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : path.resolve(p);
}

function listFiles(root: string, rel = ""): string[] {
    const out: string[] = [];
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const name = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) out.push(...listFiles(root, name));
        else if (entry.isFile()) out.push(name);
    }
    return out;
}

const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        t[n] = c >>> 0;
    }
    return t;
})();

export function crc32(data: Uint8Array): number {
    let c = 0xffffffff;
    for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

/** DOS date and time of 1980-01-01 00:00, the earliest a zip can hold: entries carry no build time. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * A zip archive (PKWARE APPNOTE: local headers, deflated data, central directory, end record) of
 * the given files, with fixed timestamps and regular-file permissions, so it depends on content
 * only.
 */
export function zipFiles(files: { name: string; data: Buffer }[]): Buffer {
    const locals: Buffer[] = [];
    const centrals: Buffer[] = [];
    let offset = 0;
    for (const { name, data } of files) {
        const nameBytes = Buffer.from(name, "utf8");
        const deflated = deflateRawSync(data);
        const crc = crc32(data);
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
        local.writeUInt16LE(0x0800, 6); // UTF-8 names
        local.writeUInt16LE(8, 8); // deflate
        local.writeUInt16LE(DOS_TIME, 10);
        local.writeUInt16LE(DOS_DATE, 12);
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(deflated.length, 18);
        local.writeUInt32LE(data.length, 22);
        local.writeUInt16LE(nameBytes.length, 26);
        local.writeUInt16LE(0, 28);
        locals.push(local, nameBytes, deflated);

        const central = Buffer.alloc(46);
        central.writeUInt32LE(0x02014b50, 0);
        central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
        central.writeUInt16LE(20, 6);
        central.writeUInt16LE(0x0800, 8);
        central.writeUInt16LE(8, 10);
        central.writeUInt16LE(DOS_TIME, 12);
        central.writeUInt16LE(DOS_DATE, 14);
        central.writeUInt32LE(crc, 16);
        central.writeUInt32LE(deflated.length, 20);
        central.writeUInt32LE(data.length, 24);
        central.writeUInt16LE(nameBytes.length, 28);
        central.writeUInt16LE(0, 30); // extra
        central.writeUInt16LE(0, 32); // comment
        central.writeUInt16LE(0, 34); // disk
        central.writeUInt16LE(0, 36); // internal attributes
        central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
        central.writeUInt32LE(offset, 42);
        centrals.push(central, nameBytes);
        offset += local.length + nameBytes.length + deflated.length;
    }
    const centralDir = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(0, 4);
    end.writeUInt16LE(0, 6);
    end.writeUInt16LE(files.length, 8);
    end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(centralDir.length, 12);
    end.writeUInt32LE(offset, 16);
    end.writeUInt16LE(0, 20);
    return Buffer.concat([...locals, centralDir, end]);
}
