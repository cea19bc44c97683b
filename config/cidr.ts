/** Moved to the shared facts package; kept as a re-export until the lead drops it at merge. */
export * from "@secure-iot/azure-facts/dist/cidr";
