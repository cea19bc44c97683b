/** Sourced from the shared facts package (packages/azure-facts/src/x509.ts). */
export * from "@secure-iot/azure-facts/dist/x509";
