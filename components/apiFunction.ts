/**
 * Hosting of the platform's HTTP API (code in app/api, contract in app/api/src/settings.ts): its
 * own Flex Consumption app (components/flexFunctionApp.ts), with its own identity, subnet and
 * scaling, and App Service authentication in front of it. Why an app of its own and not a second
 * function in the ingest app: docs/API.md.
 *
 * The front door, App Service authentication ("Easy Auth" v2, `web.WebAppAuthSettingsV2`, API
 * 2021-02-01 in azure-native 3.28), configured from the API's app registration for token
 * validation only (MicrosoftDocs/azure-docs articles/app-service/configure-authentication-provider-aad.md):
 * - Microsoft identity provider with the registration's client id and the issuer
 *   `https://login.microsoftonline.com/<tenant>/v2.0` ("Issuer Url: Use `<authentication-endpoint>/<tenant-id>/v2.0`",
 *   "Enable Microsoft Entra ID in your App Service app"); no client secret
 *   (`clientSecretSettingName` unset: a secret is only for the sign-in flow, which an API does not run);
 * - allowed token audiences `api://<apiClientId>` and the client id ("Allowed Token Audiences";
 *   v2 access tokens carry the client id, the scope URI is what callers ask for);
 * - `requireAuthentication: true` and `unauthenticatedClientAction: Return401` ("Configure
 *   authentication settings": Require authentication; "HTTP 401 Unauthorized: recommended for
 *   APIs");
 * - the built-in authorization policy `defaultAuthorizationPolicy.allowedApplications`: the mobile
 *   app, the Azure CLI where a stack lets operators use it, and the daemons granted app roles; it
 *   "evaluates the `appid` or `azp` claim of the incoming token" and answers 403 otherwise ("Use a
 *   built-in authorization policy"); the app setting `WEBSITE_AUTH_AAD_ALLOWED_TENANTS` requires the
 *   token's `tid` to be the tenant (same section);
 * - token store off ("You can disable this behavior later if your app doesn't need tokens":
 *   nothing here signs in, so nothing is stored); `httpSettings.requireHttps`.
 * The API validates every token itself as well (app/api/src/auth.ts): the platform check is a
 * second wall, not the only one.
 *
 * Caveat (docs/API.md): the Flex Consumption page available here, from the plan's preview, says
 * "EasyAuth isn't currently supported. Unauthenticated callers currently aren't blocked when
 * EasyAuth is enabled in a Flex Consumption plan app" (articles/azure-functions/flex-consumption-plan.md,
 * "Considerations"). The API's own validation is what holds if that is still so; README's "Call
 * the API" shows how to tell which layer answered.
 */
import * as pulumi from "@pulumi/pulumi";
import * as web from "@pulumi/azure-native/web";
import { API_SETTINGS } from "../app/api/src/settings";
import { FlexFunctionApp, type FlexFunctionAppArgs } from "./flexFunctionApp";

export const ENTRA_LOGIN = "https://login.microsoftonline.com";

/** The Entra ID v2 issuer of a tenant's tokens. */
export function entraIssuer(tenantId: string): string {
    return `${ENTRA_LOGIN}/${tenantId}/v2.0`;
}

export interface ApiFunctionArgs extends FlexFunctionAppArgs {
    /** The tenant whose tokens the API accepts (known at preview: the deployer's tenant). */
    tenantId: pulumi.Input<string>;
    /** The API registration's client id: the audience. */
    apiClientId: pulumi.Input<string>;
    /** The mobile public client's id: the delegated client. */
    mobileClientId: pulumi.Input<string>;
    /** Other delegated clients (the Azure CLI where allowed): API_ADDITIONAL_CLIENT_IDS and Easy Auth's allowed applications. */
    additionalDelegatedClientIds: string[];
    /** Daemons granted the API's app roles: Easy Auth's allowed applications. */
    appOnlyClientIds: string[];
    iotHubHostName: pulumi.Input<string>;
    cosmos: { endpoint: pulumi.Input<string>; database: string; container: string };
}

export class ApiFunction extends FlexFunctionApp {
    /** App Service authentication, in front of every request to the main site. */
    public declare readonly authSettings: web.WebAppAuthSettingsV2;
    /** `https://<app>.azurewebsites.net`: the routes hang off it directly (empty route prefix). */
    public readonly baseUrl: string;

    constructor(name: string, args: ApiFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings: Record<string, pulumi.Input<string>> = {
            [API_SETTINGS.tenantId]: args.tenantId,
            [API_SETTINGS.apiClientId]: args.apiClientId,
            [API_SETTINGS.mobileClientId]: args.mobileClientId,
            ...(args.additionalDelegatedClientIds.length > 0 ? { [API_SETTINGS.additionalClientIds]: args.additionalDelegatedClientIds.join(",") } : {}),
            [API_SETTINGS.iotHubHostName]: args.iotHubHostName,
            [API_SETTINGS.cosmosEndpoint]: args.cosmos.endpoint,
            [API_SETTINGS.cosmosDatabase]: args.cosmos.database,
            [API_SETTINGS.cosmosContainer]: args.cosmos.container,
            [API_SETTINGS.managedIdentityClientId]: args.identity.clientId,
            // App Service authentication: the token's tid must be this tenant.
            WEBSITE_AUTH_AAD_ALLOWED_TENANTS: args.tenantId,
        };
        let auth: web.WebAppAuthSettingsV2 | undefined;
        super("secure-iot:compute:ApiFunction", name, args, { purpose: "api", mainSite: "public", settings }, opts, (self) => {
            auth = new web.WebAppAuthSettingsV2(
                "auth",
                {
                    name: self.app.name,
                    resourceGroupName: args.resourceGroupName,
                    platform: { enabled: true, runtimeVersion: "~1" },
                    globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "Return401" },
                    httpSettings: { requireHttps: true },
                    identityProviders: {
                        azureActiveDirectory: {
                            enabled: true,
                            registration: {
                                clientId: args.apiClientId,
                                openIdIssuer: pulumi.output(args.tenantId).apply(entraIssuer),
                            },
                            validation: {
                                allowedAudiences: [pulumi.interpolate`api://${args.apiClientId}`, args.apiClientId],
                                defaultAuthorizationPolicy: {
                                    allowedApplications: [args.mobileClientId, ...args.additionalDelegatedClientIds, ...args.appOnlyClientIds],
                                },
                            },
                        },
                    },
                    login: { tokenStore: { enabled: false } },
                },
                { parent: self },
            );
            return [auth];
        });
        if (!auth) throw new Error("unreachable: the front door is built in the base constructor");
        this.authSettings = auth;
        this.baseUrl = `https://${this.hostName}`;
    }
}
