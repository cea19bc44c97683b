/**
 * Entry point of the deployed function app (the bundle's main): validates the app settings once,
 * at start-up, and registers the HTTP functions. A configuration problem stops the worker with a
 * message naming each setting to fix.
 */
import { loadConfig } from "./config";
import { registerFunctions } from "./functions";
import { createServices } from "./services";

const config = loadConfig(process.env);
registerFunctions(createServices(config).api);
