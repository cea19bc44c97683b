/** FUNC-10, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { WebAppProps } from "../../lib/rules/functionApp";
import { isSetAt, peek, showAt } from "../../lib/unknowns";
import { isObj, lower, obj, show, strings } from "../../lib/values";

const IDENTITY_AUTH = ["systemassignedidentity", "userassignedidentity"];

export const func10DeploymentStorageIdentity = resourceRule({
    id: "FUNC-10",
    name: "func-10-flex-deployment-storage-identity",
    description:
        "A Flex Consumption app (functionAppConfig set) must read its deployment package from the blob container with a managed identity: functionAppConfig.deployment.storage.authentication.type \"UserAssignedIdentity\" (with userAssignedIdentityResourceId, one of the app's identities) or \"SystemAssignedIdentity\", never \"StorageAccountConnectionString\" (absent authentication means the connection string in DEPLOYMENT_STORAGE_CONNECTION_STRING). The identity needs Storage Blob Data Contributor on the account (MicrosoftDocs/azure-docs articles/azure-functions/flex-consumption-how-to.md, \"Configure deployment settings\"), which is what lets the account turn shared keys off (STG-01).",
    remediationSteps:
        "Set functionAppConfig.deployment.storage = { type: \"blobContainer\", value: \"https://<account>.blob.core.windows.net/<container>\", authentication: { type: \"UserAssignedIdentity\", userAssignedIdentityResourceId: <identity id> } } and grant the identity Storage Blob Data Contributor on the account.",
    severity: "high",
    anchors: "MS Flex Consumption deployment settings (no built-in policy)",
    kinds: ["webApp"],
    validate(props, { report }) {
        const fac = peek(props, "functionAppConfig");
        if (!fac.known || fac.value === undefined || fac.value === null) return; // not a Flex Consumption app (or decided at up)
        const storage = obj(obj(obj((props as WebAppProps).functionAppConfig).deployment).storage);
        const auth = obj(storage.authentication);
        const type = lower(auth.type);
        if (type === undefined || !IDENTITY_AUTH.includes(type)) {
            report(`functionAppConfig.deployment.storage.authentication.type is ${show(auth.type)}${auth.type === undefined ? " (connection string)" : ""}; it must be "UserAssignedIdentity" or "SystemAssignedIdentity".`);
            return;
        }
        if (isSetAt(auth, "storageAccountConnectionStringName")) {
            report(`functionAppConfig.deployment.storage.authentication.storageAccountConnectionStringName is set (${showAt(auth, "storageAccountConnectionStringName")}); it belongs to connection-string authentication only.`);
        }
        if (type === "userassignedidentity") {
            if (!isSetAt(auth, "userAssignedIdentityResourceId")) {
                report("functionAppConfig.deployment.storage.authentication.type is UserAssignedIdentity but userAssignedIdentityResourceId is absent.");
                return;
            }
            const id = peek(auth, "userAssignedIdentityResourceId");
            const ids = peek(obj((props as WebAppProps).identity), "userAssignedIdentities");
            if (!id.known || !ids.known) return;
            const own = (Array.isArray(ids.value) ? strings(ids.value) : isObj(ids.value) ? Object.keys(ids.value) : []).map((s) => s.toLowerCase());
            const want = lower(id.value);
            if (want !== undefined && own.length > 0 && !own.includes(want)) {
                report(`functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId ${show(id.value)} is not one of the app's identities (identity.userAssignedIdentities).`);
            }
        } else if (!(lower(obj((props as WebAppProps).identity).type) ?? "").includes("systemassigned")) {
            report("functionAppConfig.deployment.storage.authentication.type is SystemAssignedIdentity but the app has no system-assigned identity (identity.type).");
        }
    },
});
