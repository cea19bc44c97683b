/**
 * The telemetry ingest function's suites, in one process (they share the Azure SDK load): the
 * mapping, the Cosmos DB write path against loopback fakes, and the built package.
 */
import "./mapping.spec";
import "./writer.spec";
import "./package.spec";
