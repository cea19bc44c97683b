/**
 * The DPS enrollment provider against a fake DPS service, in a process of its own: it needs no
 * program run, so it does not wait behind the program suites.
 */
import "./enrollment-provider.spec";
