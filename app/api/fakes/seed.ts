/** Sample devices and telemetry for local mode and the benchmark. */
import type { FakeEnvironment } from "./environment";
import { sampleTelemetry } from "./fakeCosmos";

export const SAMPLE_DEVICES = { online: "sensor-01", offline: "sensor-02", stuck: "sensor-03" } as const;

/** sensor-01 online (answers every method), sensor-02 offline, sensor-03 never answers; 40 days of half-hourly telemetry for sensor-01. */
export function seed(env: FakeEnvironment, now = new Date()): { documents: number } {
    env.hub.devices.set(SAMPLE_DEVICES.online, {
        connected: true,
        desired: { telemetryIntervalSeconds: 60 },
        reported: { firmware: "1.4.2", telemetryIntervalSeconds: 60 },
        tags: { site: "plant-a" },
        version: 1,
        onMethod: (name, payload) => (name === "reboot" ? { status: 200, payload: { rebooting: true, inSeconds: 5 } } : { status: 200, payload: { method: name, received: payload } }),
    });
    env.hub.devices.set(SAMPLE_DEVICES.offline, { connected: false, desired: {}, reported: {}, version: 1 });
    env.hub.devices.set(SAMPLE_DEVICES.stuck, { connected: true, hang: true, desired: {}, reported: {}, version: 1 });
    const times = Array.from({ length: 40 * 48 }, (_, i) => new Date(now.getTime() - (i + 1) * 30 * 60_000));
    const docs = sampleTelemetry(SAMPLE_DEVICES.online, times);
    env.cosmos.docs.push(...docs);
    return { documents: docs.length };
}
