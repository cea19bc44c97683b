/**
 * Bootstrap project: run once per organisation, by an administrator, before the platform's
 * first pipeline run (`pulumi up --cwd bootstrap`, see docs/DELIVERY.md). Validates the
 * configuration at the edge, registers the state backend, the stacks' resource groups and the
 * CI identities, and exports exactly the values the workflows and `Pulumi.<stack>.yaml` need.
 */
import * as pulumi from "@pulumi/pulumi";
import { BootstrapConfigError, loadBootstrapConfig } from "./config";
import { deployBootstrap } from "./program";

function load() {
    try {
        return loadBootstrapConfig();
    } catch (e) {
        // A RunError is printed without a stack trace: the message already names every key and fix.
        if (e instanceof BootstrapConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}

const out = deployBootstrap(load());

export const tenantId = out.tenantId;
export const subscriptionId = out.subscriptionId;
export const backendUrl = out.backendUrl;
export const secretsProvider = out.secretsProvider;
export const stateResourceGroupName = out.stateResourceGroupName;
export const stateStorageAccountName = out.stateStorageAccountName;
export const stateContainerName = out.stateContainerName;
export const previewClientId = out.previewClientId;
export const stacks = out.stacks;
export const federatedSubjects = out.federatedSubjects;
export const githubRepositoryVariables = out.githubRepositoryVariables;
export const githubEnvironmentVariables = out.githubEnvironmentVariables;
export const githubSetupCommands = out.githubSetupCommands;
export const graphAdminConsent = out.graphAdminConsent;
