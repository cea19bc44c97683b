/** Sourced from the shared facts package (packages/azure-facts/src/cidr.ts). */
export { coversInternet, parseIpv4, parseIpv4Cidr, type Ipv4Range } from "@secure-iot/azure-facts";
