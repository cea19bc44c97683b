/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policies [--policy-pack-config
 * policies/config/<stack>.json]`. The engine runs the compiled form (package.json "main" ->
 * main.js -> bin/index.js, built by `npm run build` in this directory); see README.md.
 */
import "./lib/fastStart"; // must stay first: it defers modules the analyzer never uses
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, allPolicies } from "./policies";

new PolicyPack(PACK_NAME, {
    policies: [...allPolicies],
    enforcementLevel: "mandatory",
    displayName: "Secure IoT platform security baseline",
    description:
        "Security baseline for the secure IoT platform (IoT Hub, DPS, Cosmos DB, Entra ID, diagnostics, cross-cutting, and the telemetry path: routing, Event Hubs, Functions, Storage, Application Insights). Every policy name and description carries its baseline id.",
    provider: "azure",
    tags: ["azure", "iot", "security-baseline"],
});
