/**
 * The telemetry ingest function's suites, in one process (they share the Azure SDK load): the
 * mapping and the Cosmos DB write path against loopback fakes. The built package (package.test.ts,
 * which rebuilds it) and the contract with the program (contract.test.ts, which loads the Pulumi
 * SDK) run in processes of their own, beside this one.
 */
import "./mapping.spec";
import "./writer.spec";
