/**
 * Start-time optimisation for the analyzer process (imported first by index.ts).
 *
 * `@pulumi/policy` loads the full `@pulumi/pulumi` index, whose closure-serialisation and
 * automation code load `@npmcli/arborist` (with pacote and hundreds of files), `normalize-package-data`
 * and `execa` at require time: about 0.35 s of the pack's start on a 2-core machine. A policy pack
 * never serialises closures nor runs the automation API, so those three modules are registered
 * here as lazy stand-ins: the real module is loaded on first use, with the same exports, so
 * behaviour is unchanged if anything ever does use them.
 *
 * It only acts when the module is not loaded yet and resolves exactly as `@pulumi/pulumi` would
 * resolve it; any failure leaves module loading untouched. Set PULUMI_POLICY_NO_LAZY_LOAD=1 to disable.
 */
import Module, { createRequire } from "node:module";
import path from "node:path";

/** Modules deferred, and the @pulumi/pulumi file that requires each (for resolution). */
const DEFERRED: Array<[request: string, requiredFrom: string]> = [
    ["@npmcli/arborist", "runtime/closure/codePaths.js"],
    ["normalize-package-data", "runtime/closure/codePaths.js"],
    ["execa", "automation/cmd.js"],
];

const load = createRequire(__filename);

function defer(file: string): void {
    const cache = load.cache;
    if (cache[file] !== undefined) return;
    const stub = new Module(file, module);
    let real: Record<PropertyKey, unknown> | undefined;
    const loadReal = (): Record<PropertyKey, unknown> => {
        if (real === undefined) {
            delete cache[file];
            try {
                real = load(file) as Record<PropertyKey, unknown>;
            } finally {
                // Keep the real module cached for everyone else (or the stand-in if loading failed).
                cache[file] ??= stub;
            }
        }
        return real;
    };
    // A function target so the stand-in can also be called or constructed like the real export.
    const target = function lazyModule(): void {};
    const proxy = new Proxy(target, {
        get(_t, key) {
            // TypeScript's __importStar/__importDefault return an __esModule object as-is instead
            // of copying its keys (which would load the module at once).
            if (key === "__esModule") return true;
            const r = loadReal();
            return key === "default" && !("default" in r) ? r : r[key];
        },
        has: (_t, key) => key in loadReal(),
        apply: (_t, thisArg, args) => Reflect.apply(loadReal() as unknown as (...a: unknown[]) => unknown, thisArg, args),
        construct: (_t, args) => Reflect.construct(loadReal() as unknown as new (...a: unknown[]) => object, args),
        ownKeys: () => [...new Set([...Reflect.ownKeys(loadReal()), ...Reflect.ownKeys(target)])],
        getOwnPropertyDescriptor: (_t, key) =>
            Reflect.getOwnPropertyDescriptor(target, key) ?? (() => {
                const d = Reflect.getOwnPropertyDescriptor(loadReal(), key);
                if (d) d.configurable = true;
                return d;
            })(),
    });
    stub.filename = file;
    stub.loaded = true;
    stub.exports = proxy;
    cache[file] = stub;
}

function install(): void {
    if (process.env["PULUMI_POLICY_NO_LAZY_LOAD"]) return;
    let pulumiDir: string;
    try {
        pulumiDir = path.dirname(load.resolve("@pulumi/pulumi/package.json", { paths: [load.resolve("@pulumi/policy")] }));
    } catch {
        return;
    }
    for (const [request, from] of DEFERRED) {
        try {
            defer(load.resolve(request, { paths: [path.dirname(path.join(pulumiDir, from))] }));
        } catch {
            // Not resolvable from @pulumi/pulumi (another version): leave it alone.
        }
    }
}

install();
