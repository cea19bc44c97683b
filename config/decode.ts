/** The kinds a project's `config:` block can declare. */
/** `structured`: a JSON value (a list of objects) the CLI cannot type, declared in Pulumi.yaml without `type`. */
export type ConfigKind = "string" | "integer" | "boolean" | "array" | "structured";

/**
 * Converts the text the Pulumi CLI hands a program for a config key into the declared kind. A
 * value of the wrong kind is returned as it came, for the schema to reject with its message.
 */
export function decodeConfigText(kind: ConfigKind, text: string): unknown {
    switch (kind) {
        case "string":
            return text;
        case "integer":
            return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
        case "boolean":
            return text === "true" ? true : text === "false" ? false : text;
        case "array":
        case "structured":
            try {
                return JSON.parse(text);
            } catch {
                return text;
            }
    }
}
