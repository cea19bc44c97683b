/**
 * The program's suites (configuration, what each stack deploys, production posture), in one
 * process: every Node test process pays about a second to load the Pulumi and Azure SDKs, and
 * these suites share the offline harness, which runs one stack at a time anyway.
 */
import "./config.spec";
import "./cidr.spec";
import "./platform.spec";
import "./production.spec";
import "./telemetry.spec";
import "./enrollments.spec";
import "./functionDeployment.spec";
import "./api.spec";
