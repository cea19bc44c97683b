/** COS-21, rule family `cosmosData` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { CosmosProps } from "../../lib/rules/cosmosNetwork";
import { show, str } from "../../lib/values";

const ACCOUNT_NAME = /^[a-z0-9]([a-z0-9-]{1,42}[a-z0-9])$/;

export const cos21AccountName = resourceRule({
    id: "COS-21",
    name: "cos-21-cosmos-account-name-valid",
    description:
        "Cosmos DB account names must be 3-44 characters of lower-case letters, digits and hyphens, not starting or ending with a hyphen (the name becomes the account's DNS label). Without an explicit accountName the Pulumi resource name, which auto-naming builds on, is checked for the character rules.",
    remediationSteps: "Set accountName (or the resource name) to a lower-case DNS-safe name of 3-44 characters.",
    severity: "low",
    anchors: "PSR Azure.Cosmos.AccountName",
    kinds: ["cosmosAccount"],
    validate(props, { args, report }) {
        const explicit = (props as CosmosProps).accountName;
        if (explicit !== undefined && explicit !== null) {
            const s = str(explicit) ?? "";
            if (!ACCOUNT_NAME.test(s)) report(`accountName ${show(explicit)} is not 3-44 characters of [a-z0-9-] without a leading or trailing hyphen.`);
            return;
        }
        const logical = str(args.name) ?? "";
        if (!/^[a-z0-9][a-z0-9-]*$/.test(logical)) {
            report(`resource name ${show(args.name)} (the base of the auto-generated account name) must use only [a-z0-9-] and start with a letter or digit.`);
        }
    },
});
