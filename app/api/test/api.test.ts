/** The API's suites (token validation, routes against the fakes, units, adapters and package), in one process. */
import "./auth.spec";
import "./routes.spec";
import "./units.spec";
import "./adapters.spec";
