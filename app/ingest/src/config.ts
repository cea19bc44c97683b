/**
 * The function's runtime settings, read once from the app settings (environment) named in
 * settings.ts. Every problem is reported at once, naming the setting.
 */
import { INGEST_SETTINGS } from "./settings";

export interface IngestRuntimeSettings {
    cosmosEndpoint: string;
    cosmosDatabase: string;
    cosmosContainer: string;
    /** Client id of the user-assigned identity; undefined means the system-assigned one. */
    clientId: string | undefined;
    ttlSeconds: number | undefined;
}

/** Cosmos DB's per-item ttl: -1 (never expires) or 1 .. 2^31-1 seconds. */
export function parseTtlSeconds(text: string | undefined): number | undefined {
    if (text === undefined || text.trim() === "") return undefined;
    const trimmed = text.trim();
    const n = Number(trimmed);
    if (!/^-?\d+$/.test(trimmed) || !Number.isSafeInteger(n) || !(n === -1 || (n >= 1 && n <= 2147483647))) {
        throw new Error(`${INGEST_SETTINGS.ttlSeconds} must be -1 or a whole number of seconds from 1 to 2147483647, got "${text}"`);
    }
    return n;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): IngestRuntimeSettings {
    const problems: string[] = [];
    const required = (name: string): string => {
        const value = env[name]?.trim();
        if (!value) problems.push(`${name} is not set`);
        return value ?? "";
    };
    const cosmosEndpoint = required(INGEST_SETTINGS.cosmosEndpoint);
    if (cosmosEndpoint && !/^https:\/\//i.test(cosmosEndpoint)) {
        problems.push(`${INGEST_SETTINGS.cosmosEndpoint} must be an https:// URL, got "${cosmosEndpoint}"`);
    }
    const cosmosDatabase = required(INGEST_SETTINGS.cosmosDatabase);
    const cosmosContainer = required(INGEST_SETTINGS.cosmosContainer);
    let ttlSeconds: number | undefined;
    try {
        ttlSeconds = parseTtlSeconds(env[INGEST_SETTINGS.ttlSeconds]);
    } catch (e) {
        problems.push((e as Error).message);
    }
    if (problems.length > 0) throw new Error(`telemetry ingest settings: ${problems.join("; ")}`);
    return {
        cosmosEndpoint,
        cosmosDatabase,
        cosmosContainer,
        clientId: env[INGEST_SETTINGS.clientId]?.trim() || undefined,
        ttlSeconds,
    };
}
