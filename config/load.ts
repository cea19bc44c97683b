/**
 * The edge: reads the project's configuration from the Pulumi runtime (as `pulumi up`, `pulumi
 * preview` and the offline harness set it) and validates it into a `PlatformConfig`. This is the
 * only place that reads Pulumi configuration; components take the typed object.
 */
import * as pulumi from "@pulumi/pulumi";
import { decodeConfigText } from "./decode";
import { CONFIG_KEYS, parseConfig, type ConfigKey, type PlatformConfig, type RawConfig, type RawValue } from "./schema";


/**
 * Whether the stack holds a key as a secret. The SDK keeps this check internal
 * (`runtime/config.isConfigSecret`); without it every value counts as plain.
 */
function isSecret(fullKey: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const internal = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
    return internal.isConfigSecret?.(fullKey) ?? false;
}

/**
 * Builds the raw configuration from the full config map the CLI passes (`project:key` -> text).
 * Project keys the program does not declare are kept as unknown keys, to be reported as typos.
 */
export function rawConfigFrom(project: string, stack: string, all: Record<string, string>, isSecretKey: (fullKey: string) => boolean): RawConfig {
    const values: RawConfig["values"] = {};
    for (const [key, kind] of Object.entries(CONFIG_KEYS) as [ConfigKey, (typeof CONFIG_KEYS)[ConfigKey]][]) {
        const full = `${project}:${key}`;
        const text = all[full];
        if (text === undefined) continue;
        const value: RawValue = { value: decodeConfigText(kind, text), secret: isSecretKey(full) };
        values[key] = value;
    }
    const unknownKeys = Object.keys(all)
        .filter((k) => k.startsWith(`${project}:`))
        .map((k) => k.slice(project.length + 1))
        .filter((k) => !(k in CONFIG_KEYS));
    return { project, stack, values, unknownKeys };
}

/** Reads every declared key from the running Pulumi program's configuration. */
export function readRawConfig(): RawConfig {
    return rawConfigFrom(pulumi.getProject(), pulumi.getStack(), pulumi.runtime.allConfig(), isSecret);
}

/** Reads and validates the configuration; throws a ConfigError listing every problem. */
export function loadPlatformConfig(): PlatformConfig {
    const config = parseConfig(readRawConfig());
    for (const warning of configWarnings(config)) void pulumi.log.warn(warning);
    return config;
}

/** Valid but incomplete settings the user should act on; they do not stop the deployment. */
export function configWarnings(config: PlatformConfig): string[] {
    const warnings: string[] = [];
    if (config.iotHub.restrictOutboundNetworkAccess && !config.iotHub.extraAllowedFqdns.some((f) => f.endsWith(".servicebus.windows.net"))) {
        warnings.push(
            "iotHubAllowedFqdns does not list the hub's built-in endpoint: with restricted egress, the fallback route and consumer groups " +
                "receive nothing until it does. After the first `pulumi up`, run " +
                "`pulumi config set --path 'iotHubAllowedFqdns[0]' \"$(pulumi stack output iotHubBuiltInEndpointFqdn)\"` and `pulumi up` again.",
        );
    }
    if (!config.telemetry.routeEnabled) {
        warnings.push(
            "telemetryRouteEnabled is false: the hub keeps telemetry on its built-in endpoint and nothing reaches the Event Hubs namespace, " +
                "the ingest function or Cosmos DB yet. The Event Hubs firewall admits the hub as a trusted service only with its system-assigned " +
                "identity, which exists once the hub does and must hold its Data Sender role before the route is saved. After this " +
                "`pulumi up`, run `pulumi config set telemetryRouteEnabled true` and `pulumi up` again (docs/TELEMETRY.md, first deployment).",
        );
    }
    return warnings;
}
