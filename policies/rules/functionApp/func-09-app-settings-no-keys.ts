/** FUNC-09, rule family `functionApp` (the family's notes and sources: policies/policies.ts). */
import { resourceRule } from "../../lib/define";
import type { SiteConfig, WebAppProps } from "../../lib/rules/functionApp";
import { isKind } from "../../lib/tokens";
import { knownElements, needValue, peek } from "../../lib/unknowns";
import { arr, eqi, isObj, obj, show, str } from "../../lib/values";

const KEY_MATERIAL: Array<[RegExp, string]> = [
    [/AccountKey\s*=\s*[^;\s]+/i, "a storage account key"],
    [/SharedAccessKey\s*=\s*[^;\s]+/i, "a shared access key"],
    [/SharedAccessSignature\s*=|[?&]sig=[^&\s]+/i, "a SAS token"],
    [/(^|;)\s*(Password|Pwd)\s*=\s*[^;\s]+/i, "a password"],
];

/**
 * Setting names whose values are identifiers, never secrets, and are often unknown at preview (an
 * identity's client id, an endpoint built from another resource): they are not waited for. The
 * identity-based connection suffixes are the Functions host's (`<prefix>__clientId`,
 * `__credential`, `__fullyQualifiedNamespace`, `__accountName`, `__<service>ServiceUri`).
 */
const IDENTIFIER_SETTING = /(^|_)CLIENT_?ID$|__clientId$|__credential$|__fullyQualifiedNamespace$|__accountName$|__(blob|queue|table)?ServiceUri$|_ENDPOINT$|_URI$|_NAME$|_DATABASE$|_CONTAINER$|^APPLICATIONINSIGHTS_CONNECTION_STRING$|^APPLICATIONINSIGHTS_AUTHENTICATION_STRING$/i;

interface Setting {
    name: string;
    container: unknown;
    key: string | number;
}

function appSettingsOf(props: Record<string, unknown>, type: string): { settings: Setting[]; connectionStrings: Setting[]; where: string } {
    if (isKind(type, "webAppSettings")) {
        const p = obj(props["properties"] as Record<string, unknown> | undefined);
        return { settings: Object.keys(p).map((name) => ({ name, container: p, key: name })), connectionStrings: [], where: "properties" };
    }
    if (isKind(type, "webAppConnectionStrings")) {
        const p = obj(props["properties"] as Record<string, unknown> | undefined);
        const connectionStrings = Object.keys(p).map((name) => {
            const e = p[name];
            return isObj(e) ? { name, container: e, key: "value" } : { name, container: p, key: name };
        });
        return { settings: [], connectionStrings, where: "properties" };
    }
    const sc = obj((props as WebAppProps).siteConfig) as Partial<SiteConfig>;
    const settings: Setting[] = [];
    for (const { value } of knownElements(arr<unknown>(sc.appSettings))) {
        if (isObj(value)) settings.push({ name: str(value["name"]) ?? "", container: value, key: "value" });
    }
    const connectionStrings: Setting[] = [];
    for (const { value } of knownElements(arr<unknown>(sc.connectionStrings))) {
        if (isObj(value)) connectionStrings.push({ name: str(value["name"]) ?? "", container: value, key: "connectionString" });
    }
    return { settings, connectionStrings, where: "siteConfig" };
}

export const func09NoSecretsInSettings = resourceRule({
    id: "FUNC-09",
    name: "func-09-app-settings-no-keys",
    description:
        "App settings and connection strings of function and web apps (siteConfig.appSettings / connectionStrings, web.WebAppApplicationSettings, web.WebAppConnectionStrings) must carry no credentials: no AccountKey=, SharedAccessKey=, SAS token or password; AzureWebJobsStorage is not a connection string (use AzureWebJobsStorage__accountName with the identity); no APPINSIGHTS_INSTRUMENTATIONKEY, and an Application Insights connection string (InstrumentationKey=) only with APPLICATIONINSIGHTS_AUTHENTICATION_STRING \"Authorization=AAD;...\". A value unknown at preview is waited for, except for settings that name identifiers (client ids, endpoints, __fullyQualifiedNamespace, __accountName).",
    remediationSteps:
        "Replace key-based settings with identity-based connections: <prefix>__fullyQualifiedNamespace, <prefix>__credential = managedidentity and <prefix>__clientId for Event Hubs; AzureWebJobsStorage__accountName (or __blobServiceUri/__queueServiceUri/__tableServiceUri) for host storage; APPLICATIONINSIGHTS_AUTHENTICATION_STRING = Authorization=AAD;ClientId=<client id>.",
    severity: "high",
    anchors: "beyond (MCSB IM-3); MS Functions identity-based connections",
    kinds: ["webApp", "webAppSettings", "webAppConnectionStrings"],
    validate(props, { args, report }) {
        const { settings, connectionStrings, where } = appSettingsOf(props, String(args.type));
        const pending: Array<() => unknown> = [];
        const known = new Map<string, string | undefined>();
        for (const s of settings) {
            const v = peek(s.container, s.key);
            if (!v.known) {
                known.set(s.name.toLowerCase(), undefined);
                if (!IDENTIFIER_SETTING.test(s.name)) pending.push(() => needValue(s.container, s.key));
                continue;
            }
            const text = str(v.value);
            known.set(s.name.toLowerCase(), text ?? "");
            if (text === undefined) continue;
            const setting = `${where} app setting ${show(s.name)}`;
            if (eqi(s.name, "AzureWebJobsStorage")) {
                if (text.trim() !== "") report(`${setting} is a connection string (key-based host storage); remove it and set AzureWebJobsStorage__accountName so the host uses its identity.`);
                continue;
            }
            if (eqi(s.name, "APPINSIGHTS_INSTRUMENTATIONKEY")) {
                report(`${setting} sends telemetry with the instrumentation key; use APPLICATIONINSIGHTS_CONNECTION_STRING with Entra ID authentication.`);
                continue;
            }
            for (const [re, what] of KEY_MATERIAL) if (re.test(text)) report(`${setting} holds ${what}; use an identity-based connection.`);
        }
        const aiConnection = [...known.entries()].some(([name, value]) => name === "applicationinsights_connection_string" || (value !== undefined && /InstrumentationKey\s*=/i.test(value)));
        if (aiConnection) {
            const hasAuth = known.has("applicationinsights_authentication_string");
            const auth = known.get("applicationinsights_authentication_string");
            if (!hasAuth) report(`${where} sends Application Insights telemetry with the instrumentation key only; add APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "Authorization=AAD;ClientId=<client id>" (AI-01 refuses key-based ingestion).`);
            else if (auth !== undefined && !/Authorization\s*=\s*AAD/i.test(auth)) report(`${where} app setting "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" is ${show(auth)}; it must start with "Authorization=AAD".`);
        }
        for (const c of connectionStrings) {
            const v = peek(c.container, c.key);
            if (!v.known) {
                pending.push(() => needValue(c.container, c.key));
                continue;
            }
            const text = str(v.value) ?? "";
            for (const [re, what] of KEY_MATERIAL) if (re.test(text)) report(`${where} connection string ${show(c.name)} holds ${what}; use an identity-based connection.`);
        }
        for (const p of pending) p();
    },
});
