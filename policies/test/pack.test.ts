/**
 * The policy pack's test suite, in one process: each Node test file costs a runtime and loader
 * start (~0.5 s on this 2-core machine), so the suites are modules imported here.
 *
 *   ./node_modules/.bin/node --import tsx --test policies/test/**\/*.test.ts   (from the repository root)
 *
 * FC_SEED=<n> changes the seed of the property-based robustness suite.
 */
import "./lib.spec";
import "./tokens.spec";
import "./metadata.spec";
import "./layout.spec";
import "./iotHub.spec";
import "./dps.spec";
import "./enrollments.spec";
import "./cosmos.spec";
import "./entra.spec";
import "./stackRules.spec";
import "./iotHubRouting.spec";
import "./eventHubs.spec";
import "./functionApp.spec";
import "./customRoles.spec";
import "./storageAndInsights.spec";
import "./stacks.spec";
import "./robustness.spec";
