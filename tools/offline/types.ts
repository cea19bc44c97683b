/**
 * What the offline harness records for every resource the program registers while it runs
 * under mocks. This is the contract between the harness (which runs the program) and the
 * consumers of its result: the offline plan printer and the offline policy check, which
 * replays each resource to the policy pack over the analyzer protocol.
 */

/** Pulumi's wire sentinel for a value that is not known (at preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Key that marks a wire object as a special value; SECRET_SIG marks a secret `{ [SIG_KEY]: SECRET_SIG, value }`. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface SourcePosition {
    /** file:// URI of the program file that declared the resource. */
    uri: string;
    line: number;
    column: number;
}

export interface CapturedResource {
    urn: string;
    /** Type token, e.g. `azure-native:iothub:IotHubResource`. */
    type: string;
    name: string;
    /** false for component resources and the root stack. */
    custom: boolean;
    /** Parent URN (empty for the root stack). */
    parent: string;
    /** Provider reference, if one was set explicitly. */
    provider: string;
    /**
     * Inputs exactly as the language SDK sent them to the engine (wire form, JSON): secrets are
     * `{ [SIG_KEY]: SECRET_SIG, value }` objects and values unknown at preview are the UNKNOWN
     * string, at any depth. The engine forwards this form to analyzers.
     */
    inputs: Record<string, unknown>;
    /** Input property name -> URNs of the resources that property's value came from. */
    propertyDependencies: Record<string, string[]>;
    /** URNs this resource depends on (explicit dependsOn plus all property dependencies). */
    dependencies: string[];
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    additionalSecretOutputs: string[];
    /** Alias specs the SDK sent (type tokens of the v2 module names live here). */
    aliases: unknown[];
    /** The `import` resource option: the id of an existing resource to adopt (empty when not importing). */
    importId?: string;
    /** Where in the program the resource was declared, when the SDK reported it. */
    sourcePosition?: SourcePosition;
}

export interface StackRun {
    stack: string;
    project: string;
    /** true when the run modelled `pulumi preview` (Azure-computed outputs unknown). */
    preview: boolean;
    resources: CapturedResource[];
    /** Stack outputs in wire form (secrets as secret objects, unknowns as UNKNOWN). */
    outputs: Record<string, unknown>;
}
