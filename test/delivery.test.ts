/** Delivery suites (GitHub workflows linted with actionlint, the bootstrap project), in one process. */
import "./workflows.spec";
import "./bootstrap.spec";
