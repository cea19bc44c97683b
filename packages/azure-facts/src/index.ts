export * from "./cidr";
export * from "./x509";
