/**
 * Deployment of a Flex Consumption function app's package by the program itself: a Pulumi dynamic
 * provider that performs the "one deploy" the Azure CLI performs for Flex Consumption, with the
 * deployer's Entra ID login (`@azure/identity` DefaultAzureCredential). No Azure CLI, no
 * `@pulumi/command`, no publishing credentials, no key.
 *
 * The contract, as the Azure CLI implements it (Azure/azure-cli,
 * src/azure-cli/azure/cli/command_modules/appservice/custom.py):
 * - `enable_zip_deploy_functionapp` sends a Flex Consumption app to `enable_zip_deploy_flex`, which
 *   POSTs the zip body to `<scm>/api/publish?RemoteBuild=<bool>&Deployer=az_cli` with
 *   `Content-Type: application/zip` and `Cache-Control: no-cache`; 202 means accepted (the body is
 *   the deployment id), 409 "an ongoing deployment", any other status an error.
 * - The headers come from `get_scm_site_headers_flex`: always a bearer token (Flex takes no basic
 *   credentials), from `get_bearer_token`, which asks for the scopes of
 *   `cli_ctx.cloud.endpoints.app_service_resource_id`: the App Service audience
 *   `https://appservice.azure.com` (`/.default`), not Azure Resource Manager's. The same audience
 *   (app id abfa0a7c-a6b6-4736-8310-5855508787cd, Microsoft.Azure.WebSites, as custom.py names it)
 *   is what microsoft/vscode-azuretools#2258 moved every Kudu call to ("ARM tokens are deprecated
 *   for App Service (Kudu) endpoint calls").
 * - `_check_zip_deployment_status_flex` then polls `<scm>/api/deployments/latest`: JSON `status`
 *   4 is success, 3 failed, -1 cancelled, 5 cancelled for another deployment, 6 partially
 *   successful (an error for the CLI); an HTTP 202 answer means still running, and a 404 after a
 *   202 ends the wait as done. The values are Kudu's DeployStatus (Pending 0, Building 1,
 *   Deploying 2, Failed 3, Success 4, Conflict 5, PartialSuccess 6, Unknown -1; Azure Functions Core
 *   Tools, src/Azure.Functions.Cli/Common/DeploymentStatus.cs). Kudu answers an asynchronous
 *   deployment "with a Location header pointing to the pollable deployment status URL"
 *   (projectkudu/kudu wiki, "Deploying from a zip file or url"): we poll that URL when it names the
 *   SCM site, else `/api/deployments/latest`.
 * - The SCM site of an app without a regional unique host name is `<app>.scm.azurewebsites.net`
 *   (projectkudu/kudu wiki, "Accessing the kudu service"; the Flex Consumption one-deploy samples
 *   post to the same host). The CLI reads it from the app's `hostNameSslStates` (type Repository).
 *
 * Differences from the CLI, on purpose: `RemoteBuild=false` always (our packages are bundled, no
 * npm install on the server); retries with backoff on 429 and 5xx (the CLI has none), honouring
 * `Retry-After`; the zip is checked against the SHA-256 the program computed before it is sent; and
 * no host-status check afterwards (the CLI's `check_flex_app_after_deployment` reads the app's
 * master key for it, a secret we do not want in the deploying process).
 *
 * The provider is serialized into the state (a dynamic provider runs from its serialized form in a
 * separate process), so every module it needs is required inside its methods, errors are plain
 * `Error`s (a serialized subclass loses its message), and nothing it keeps carries a secret: the
 * token lives only in the request's headers.
 *
 * Redeploys happen exactly when the package's SHA-256 changes (or it targets another app); the
 * zip's path, the poll interval and the timeout are not part of what was deployed.
 */
import * as pulumi from "@pulumi/pulumi";
// Types only (erased): the provider requires the modules inside its methods.
import type * as nodeFs from "node:fs";
import type * as nodePath from "node:path";
import type * as nodeCrypto from "node:crypto";

// Module-local constants: the serialized provider captures them by value. (Exported constants would
// be read through the module's `exports` object, which the serializer would have to capture.)
const SCOPE = "https://appservice.azure.com/.default";
const DEPLOYER_NAME = "secure-iot-pulumi";
const STATUS = { cancelled: -1, pending: 0, building: 1, deploying: 2, failed: 3, success: 4, conflict: 5, partialSuccess: 6 } as const;
const ATTEMPTS = 5;

/** The scope of the App Service (Kudu) audience the Azure CLI requests for one deploy (see the file comment). */
export const APP_SERVICE_SCOPE = SCOPE;
/** `Deployer` query parameter: names this program in the app's deployment history. */
export const DEPLOYER = DEPLOYER_NAME;
/** Deployment status values (Kudu DeployStatus, as the Azure CLI reads them for Flex Consumption). */
export const DEPLOY_STATUS = STATUS;
/** Attempts per request before a 429, 5xx or network failure is final. */
export const MAX_ATTEMPTS = ATTEMPTS;

/** The SCM (Kudu) site of an app, known from its name. */
export function scmUrlOf(appName: string): string {
    return `https://${appName}.scm.azurewebsites.net`;
}

export interface FunctionDeploymentState {
    appName: string;
    resourceGroupName: string;
    /** `https://<app>.scm.azurewebsites.net`; http only on a loopback address (the tests' fake). */
    scmUrl: string;
    /** SHA-256 of the zip, hex: what is deployed. */
    packageSha256: string;
    /** Where the zip is, relative to the working directory (the project directory under Pulumi) or absolute. */
    zipPath: string;
    /** The files in the package, for the plan and the state. */
    files: string[];
    /** Seconds between status polls; also the base of the retry backoff. */
    pollIntervalSeconds: number;
    /** Seconds to wait for a final status after the upload. */
    timeoutSeconds: number;
}

export interface FunctionDeploymentOutputs extends FunctionDeploymentState {
    /** The deployment id Kudu returned ("" if it gave none). */
    deploymentId: string;
    /** The final status text, e.g. "Success (4)". */
    status: string;
}

/** The fields whose change means a new deployment. */
const DEPLOYED_FIELDS = ["packageSha256", "scmUrl"] as const;

function deploymentError(s: FunctionDeploymentState, reason: string, hint?: string): Error {
    const e = new Error(
        `One deploy of package ${String(s.packageSha256).slice(0, 16)}… to function app "${s.appName}" (resource group ${s.resourceGroupName}) failed: ${reason}` +
            (hint ? `. ${hint}` : ""),
    );
    e.name = "FunctionDeploymentError";
    return e;
}

/** Problems with the inputs, by property; empty when they can be deployed. */
export function checkDeploymentInputs(s: Partial<FunctionDeploymentState>): { property: string; reason: string }[] {
    const failures: { property: string; reason: string }[] = [];
    if (typeof s.appName !== "string" || !/^[A-Za-z0-9][A-Za-z0-9-]{0,58}[A-Za-z0-9]$/.test(s.appName)) {
        failures.push({ property: "appName", reason: "must be a function app name (2-60 letters, digits or '-')" });
    }
    if (typeof s.packageSha256 !== "string" || !/^[0-9a-f]{64}$/.test(s.packageSha256)) {
        failures.push({ property: "packageSha256", reason: "must be the package's SHA-256, 64 lower-case hex digits" });
    }
    if (typeof s.zipPath !== "string" || s.zipPath === "") failures.push({ property: "zipPath", reason: "must name the package's zip file" });
    let url: URL | undefined;
    try {
        url = new URL(String(s.scmUrl));
    } catch {
        failures.push({ property: "scmUrl", reason: "must be the SCM site's URL, e.g. https://<app>.scm.azurewebsites.net" });
    }
    if (url) {
        const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
        if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
            failures.push({ property: "scmUrl", reason: "must use https (http only on a loopback address, for tests): the request carries a bearer token" });
        }
        if (url.pathname !== "/" || url.search !== "" || url.username !== "" || url.password !== "") {
            failures.push({ property: "scmUrl", reason: "must be the site's origin only, without path, query or credentials" });
        }
    }
    for (const key of ["pollIntervalSeconds", "timeoutSeconds"] as const) {
        const v = s[key];
        if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) failures.push({ property: key, reason: "must be a positive number of seconds" });
    }
    return failures;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), capped at two minutes; undefined without one. */
function retryAfterMs(header: string | null): number | undefined {
    if (header === null || header.trim() === "") return undefined;
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 120_000) : undefined;
}

/** The status endpoint: the Location header when it points into the SCM site, else /api/deployments/latest. */
function statusUrlOf(scmUrl: string, location: string | null): string {
    const fallback = `${scmUrl}/api/deployments/latest`;
    if (!location) return fallback;
    try {
        const u = new URL(location, scmUrl);
        return u.origin === new URL(scmUrl).origin ? u.toString() : fallback;
    } catch {
        return fallback;
    }
}

/** A short, single-line excerpt of a response body for an error message. */
function excerpt(text: string): string {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

/**
 * One request to the SCM site with a fresh bearer token, retried with exponential backoff (or the
 * server's Retry-After) on 429, 5xx and network failures, ATTEMPTS times at most.
 */
async function scmRequest(
    s: FunctionDeploymentState,
    token: () => Promise<string>,
    method: "GET" | "POST",
    url: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    timeoutMs: number,
): Promise<Response> {
    const baseMs = s.pollIntervalSeconds * 1000;
    let lastProblem = "";
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        let res: Response | undefined;
        try {
            res = await fetch(url, {
                method,
                headers: { ...headers, Authorization: `Bearer ${await token()}` },
                ...(body ? { body } : {}),
                redirect: "manual",
                signal: AbortSignal.timeout(timeoutMs),
            });
        } catch (err) {
            if (err instanceof Error && err.name === "FunctionDeploymentError") throw err;
            lastProblem = `${method} ${url} did not answer (${err instanceof Error ? err.message : String(err)})`;
        }
        if (res && res.status !== 429 && res.status < 500) return res;
        if (res) {
            lastProblem = `${method} ${new URL(url).pathname} answered HTTP ${res.status} ${excerpt(await res.text().catch(() => ""))}`.trim();
        }
        if (attempt === ATTEMPTS) break;
        await sleep(retryAfterMs(res?.headers.get("retry-after") ?? null) ?? Math.min(baseMs * 2 ** (attempt - 1), 30_000));
    }
    throw deploymentError(s, `${lastProblem}, ${ATTEMPTS} attempts`, "the SCM site is throttling or unavailable; run `pulumi up` again later");
}

function refusedHint(s: FunctionDeploymentState): string {
    return (
        `The SCM site accepts an Entra ID token for ${SCOPE.replace("/.default", "")} from a principal allowed ` +
        `Microsoft.Web/sites/publish/action on ${s.appName} (e.g. Website Contributor): check who DefaultAzureCredential signed in as ` +
        "(`az login`, AZURE_CLIENT_ID/AZURE_TENANT_ID with a secret or a federated token, or a managed identity)"
    );
}

/** Uploads the zip to the one-deploy endpoint and waits for the deployment's final status. */
async function oneDeploy(s: FunctionDeploymentState): Promise<{ deploymentId: string; status: string }> {
    /* eslint-disable @typescript-eslint/no-require-imports -- lazy: the provider runs from its serialized form */
    const fs: typeof nodeFs = require("node:fs");
    const path: typeof nodePath = require("node:path");
    const crypto: typeof nodeCrypto = require("node:crypto");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const problems = checkDeploymentInputs(s);
    if (problems.length > 0) throw deploymentError(s, problems.map((p) => `${p.property} ${p.reason}`).join("; "));

    const zipFile = path.resolve(s.zipPath);
    if (!fs.existsSync(zipFile)) {
        throw deploymentError(
            s,
            `the package ${zipFile} does not exist (working directory ${process.cwd()})`,
            "the program writes it when it runs: build the app (npm run build:ingest, npm run build:api) and run pulumi from the project directory",
        );
    }
    const zip = fs.readFileSync(zipFile);
    const sha256 = crypto.createHash("sha256").update(zip).digest("hex");
    if (sha256 !== s.packageSha256) {
        throw deploymentError(s, `${zipFile} has SHA-256 ${sha256.slice(0, 16)}…, not the package the program registered`, "run `pulumi up` again so the program re-reads the package");
    }

    let credential: { getToken(scope: string): Promise<{ token: string } | null> };
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { DefaultAzureCredential } = require("@azure/identity");
        credential = new DefaultAzureCredential();
    } catch (err) {
        throw deploymentError(s, `no credential: ${err instanceof Error ? err.message : String(err)}`);
    }
    const token = async (): Promise<string> => {
        try {
            const t = await credential.getToken(SCOPE);
            if (!t) throw new Error("the credential returned no token");
            return t.token;
        } catch (err) {
            throw deploymentError(
                s,
                `no Entra ID token for ${SCOPE} (${excerpt(err instanceof Error ? err.message : String(err))})`,
                "sign in first: `az login`, or the AZURE_* environment variables of a service principal, or run where a managed identity is available",
            );
        }
    };

    const publishUrl = `${s.scmUrl}/api/publish?RemoteBuild=false&Deployer=${DEPLOYER_NAME}`;
    const posted = await scmRequest(s, token, "POST", publishUrl, { "Content-Type": "application/zip", "Cache-Control": "no-cache" }, zip, 600_000);
    const postBody = (await posted.text().catch(() => "")).trim();
    if (posted.status === 401 || posted.status === 403) throw deploymentError(s, `the SCM site refused the token (HTTP ${posted.status})`, refusedHint(s));
    if (posted.status === 409) throw deploymentError(s, "another deployment is in progress (HTTP 409)", `wait for it (${s.scmUrl}/api/deployments/latest), then run \`pulumi up\` again`);
    if (posted.status !== 202 && posted.status !== 200) throw deploymentError(s, `the publish endpoint answered HTTP ${posted.status} ${excerpt(postBody)}`.trim());
    const unquoted = postBody.replace(/^"|"$/g, "");
    let deploymentId = /^[A-Za-z0-9._-]{1,100}$/.test(unquoted) ? unquoted : "";

    const statusUrl = statusUrlOf(s.scmUrl, posted.headers.get("location"));
    const deadline = Date.now() + s.timeoutSeconds * 1000;
    let seenRunning = false;
    let seenStatus = false;
    let last = "no status yet";
    while (Date.now() < deadline) {
        await sleep(s.pollIntervalSeconds * 1000);
        const res = await scmRequest(s, token, "GET", statusUrl, { Accept: "application/json" }, undefined, 60_000);
        const text = await res.text().catch(() => "");
        if (res.status === 401 || res.status === 403) throw deploymentError(s, `the SCM site refused the token on ${statusUrl} (HTTP ${res.status})`, refusedHint(s));
        if (res.status === 404) {
            // The CLI's reading of the Flex status endpoint: gone after "running" means done.
            if (seenRunning) return { deploymentId, status: "Success (the status endpoint answered 404 after 202, as the Azure CLI accepts)" };
            if (seenStatus) throw deploymentError(s, `the deployment status disappeared from ${statusUrl}`, "check the app's deployment log in the portal, then run `pulumi up` again");
            continue;
        }
        if (res.status !== 200 && res.status !== 202) throw deploymentError(s, `the status endpoint ${statusUrl} answered HTTP ${res.status} ${excerpt(text)}`.trim());
        if (res.status === 202) seenRunning = true;
        let record: { status?: unknown; status_text?: unknown; message?: unknown; id?: unknown; log_url?: unknown };
        try {
            record = text ? JSON.parse(text) : {};
        } catch {
            continue; // malformed data: the CLI retries too
        }
        if (typeof record.id === "string" && record.id !== "" && !deploymentId) deploymentId = record.id;
        if (typeof record.status !== "number") continue;
        seenStatus = true;
        const detail = [record.status_text, record.message].filter((x) => typeof x === "string" && x !== "").join("; ");
        const log = typeof record.log_url === "string" ? ` (log: ${record.log_url})` : "";
        last = `status ${record.status}${detail ? ` (${excerpt(detail)})` : ""}`;
        switch (record.status) {
            case STATUS.success:
                return { deploymentId, status: `Success (${STATUS.success})` };
            case STATUS.failed:
                throw deploymentError(s, `the deployment failed, ${last}${log}`);
            case STATUS.cancelled:
                throw deploymentError(s, `the deployment was cancelled, ${last}`);
            case STATUS.conflict:
                throw deploymentError(s, `the deployment was cancelled because another one is in progress, ${last}`, "run `pulumi up` again once it has finished");
            case STATUS.partialSuccess:
                throw deploymentError(s, `the deployment was only partially successful, ${last}${log}`);
            default:
                break; // pending, building, deploying
        }
    }
    throw deploymentError(s, `no final status within ${s.timeoutSeconds} s (last: ${last})`, `follow it at ${statusUrl}; \`pulumi up\` deploys again if it did not finish`);
}

function changed(olds: Partial<FunctionDeploymentState>, news: Partial<FunctionDeploymentState>): string[] {
    return DEPLOYED_FIELDS.filter((k) => olds[k] !== news[k]);
}

/** The provider: serialized into the state with every function above it uses (see the file comment). */
export const functionDeploymentProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: FunctionDeploymentState, news: FunctionDeploymentState) {
        return { inputs: news, failures: checkDeploymentInputs(news) };
    },
    async diff(_id: string, olds: FunctionDeploymentOutputs, news: FunctionDeploymentState) {
        return { changes: changed(olds, news).length > 0 };
    },
    async create(inputs: FunctionDeploymentState) {
        const result = await oneDeploy(inputs);
        const outs: FunctionDeploymentOutputs = { ...inputs, ...result };
        return { id: `${inputs.appName}/${inputs.packageSha256}`, outs };
    },
    async update(_id: string, _olds: FunctionDeploymentOutputs, news: FunctionDeploymentState) {
        const result = await oneDeploy(news);
        const outs: FunctionDeploymentOutputs = { ...news, ...result };
        return { outs };
    },
    // Nothing to undo: the package goes with the app, and a new deployment replaces it.
    async delete() {},
};

export interface FunctionPackageDeploymentArgs {
    appName: string;
    resourceGroupName: pulumi.Input<string>;
    packageSha256: string;
    zipPath: string;
    files: string[];
    /** Default `https://<app>.scm.azurewebsites.net`. */
    scmUrl?: string;
    /** Default 2 s (the CLI polls every 1-2 s). */
    pollIntervalSeconds?: number;
    /** Default 900 s (the CLI waits up to 450 polls). */
    timeoutSeconds?: number;
}

/** One deploy of a package to a Flex Consumption app, redeployed when the package's SHA-256 changes. */
export class FunctionPackageDeployment extends pulumi.dynamic.Resource {
    public declare readonly deploymentId: pulumi.Output<string>;
    public declare readonly status: pulumi.Output<string>;
    public declare readonly packageSha256: pulumi.Output<string>;
    public declare readonly scmUrl: pulumi.Output<string>;

    constructor(name: string, args: FunctionPackageDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs: Record<keyof FunctionDeploymentState, pulumi.Input<unknown>> & { deploymentId: undefined; status: undefined } = {
            appName: args.appName,
            resourceGroupName: args.resourceGroupName,
            scmUrl: args.scmUrl ?? scmUrlOf(args.appName),
            packageSha256: args.packageSha256,
            zipPath: args.zipPath,
            files: args.files,
            pollIntervalSeconds: args.pollIntervalSeconds ?? 2,
            timeoutSeconds: args.timeoutSeconds ?? 900,
            // Outputs the provider sets.
            deploymentId: undefined,
            status: undefined,
        };
        super(functionDeploymentProvider, name, inputs, opts, "web", "FunctionPackageDeployment");
    }
}
