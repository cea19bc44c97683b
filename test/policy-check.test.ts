/** The offline policy check's suites (analyzer protocol, units, CLI), in one process. */
import "./policy-check-protocol.spec";
import "./policy-check-units.spec";
import "./policy-check-cli.spec";
