/**
 * The telemetry ingest function's suites, in one process (they share the Azure SDK load): the
 * mapping and the Cosmos DB write path against loopback fakes. The built package (package.test.ts,
 * which rebuilds it) runs in a process of its own, beside this one. The partition key has one
 * definition (src/settings.ts), which the program's container imports.
 */
import "./mapping.spec";
import "./writer.spec";
