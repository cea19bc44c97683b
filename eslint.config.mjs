// ESLint flat config for the whole repository: the platform program, its components and config,
// the offline tools, the tests, the policy pack, the bootstrap project and the apps (app/*).
//
// Type-aware rules are limited to the few that pay for themselves in a Pulumi program (a floating
// promise loses a resource registration error; an `Output` interpolated into a string becomes
// "Calling [toString] on an [Output<T>] is not supported" in Azure), and to the program files.
// Types come from the root tsconfig.json (bootstrap/tsconfig.json for bootstrap files while the
// root one excludes them).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// All TypeScript in the repository gets the syntactic rules.
const TS_FILES = [
    "index.ts",
    "components/**/*.ts",
    "config/**/*.ts",
    "tools/**/*.ts",
    "test/**/*.ts",
    "policies/**/*.ts",
    "bootstrap/**/*.ts",
    "app/**/*.ts",
    "packages/*/src/**/*.ts",
    "packages/*/test/**/*.ts",
];

// The Pulumi programs (the platform and bootstrap) also get the type-aware rules: that is where
// an Output ends up in a template string or a promise floats. Building the type information of
// the whole repository (tests, policy pack, tools) cost about three times the lint time for
// little gain, so those files are linted syntactically (tsc still type-checks them in npm test).
const PROGRAM_FILES = ["index.ts", "components/**/*.ts", "config/**/*.ts", "bootstrap/**/*.ts"];

export default tseslint.config(
    {
        ignores: [
            "packages/*/dist/**",
            "**/node_modules/**",
            "policies/bin/**",
            "app/*/dist/**",
            "out/**",
            ".pulumi/**",
            "**/*.d.ts",
        ],
    },
    {
        files: ["**/*.{js,mjs,cjs}"],
        extends: [js.configs.recommended],
        languageOptions: {
            globals: {
                console: "readonly",
                process: "readonly",
                require: "readonly",
                module: "writable",
                __dirname: "readonly",
                URL: "readonly",
            },
        },
    },
    {
        files: TS_FILES,
        extends: [js.configs.recommended, ...tseslint.configs.recommended],
        linterOptions: {
            reportUnusedDisableDirectives: "error",
        },
        rules: {
            // TypeScript already reports undefined names, with the real lib and @types/node.
            "no-undef": "off",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
            ],
            "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
            eqeqeq: ["error", "always", { null: "ignore" }],
            "no-console": "off",
        },
    },
    {
        files: PROGRAM_FILES,
        languageOptions: {
            parserOptions: {
                // The first project that contains a file gives its types: the root one (which
                // should include bootstrap/**, so one program serves both), else bootstrap's own.
                project: ["./tsconfig.json", "./bootstrap/tsconfig.json"],
                tsconfigRootDir: import.meta.dirname,
            },
        },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
            "@typescript-eslint/await-thenable": "error",
            // `${someOutput}` and String(output) produce Pulumi's toString error text, not the value;
            // `${maybeUndefined}` puts "undefined" into a resource name. `any` is allowed: it is
            // what Pulumi's mock and analyzer APIs hand over, and it is never an Output.
            "@typescript-eslint/restrict-template-expressions": [
                "error",
                { allowNumber: true, allowBoolean: true, allowNullish: false, allowAny: true, allowRegExp: false },
            ],
            "@typescript-eslint/no-base-to-string": "error",
            "@typescript-eslint/no-unnecessary-type-assertion": "error",
        },
    },
    {
        // Tests read untyped wire data (mock inputs, analyzer requests) and re-evaluate programs
        // with a fresh require (delete require.cache[...]; require(...)).
        files: ["test/**/*.ts", "policies/test/**/*.ts", "app/*/test/**/*.ts"],
        rules: {
            "@typescript-eslint/no-non-null-assertion": "off",
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
        },
    },
);
