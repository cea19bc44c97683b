/**
 * What looks like a secret in a device twin: property names (password, token, key, connection
 * string...) and values (connection strings, SAS tokens, private keys, JWTs, base64 key material).
 * One definition, dependency-free, for the policy pack (DPS-22) and the program's configuration
 * edge (config/enrollments.ts), which rejects the same twins before anything is registered.
 */
const SECRET_WORDS = new Set(["password", "passwd", "passphrase", "pwd", "secret", "secrets", "token", "tokens", "credential", "credentials", "sas", "signature", "apikey", "privatekey", "connectionstring", "sharedaccesskey"]);
const SECRET_PAIRS = new Set(["access key", "account key", "api key", "auth key", "private key", "primary key", "secondary key", "shared key", "symmetric key", "device key", "group key", "connection string", "shared access", "client secret"]);

/** The words of a property name: `wifiPassword` -> wifi, password; `api_key` -> api, key. */
function nameWords(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w !== "");
}

/** Why a twin property name looks like it holds a secret (password, token, key, connection string...), or undefined. */
export function secretLikeName(name: string): string | undefined {
    const w = nameWords(name);
    if (w.length === 1 && (w[0] === "key" || w[0] === "keys")) return `its name "${name}" is a key`;
    const hit = w.find((x) => SECRET_WORDS.has(x));
    if (hit) return `its name "${name}" says ${hit}`;
    for (let i = 0; i + 1 < w.length; i++) if (SECRET_PAIRS.has(`${w[i]} ${w[i + 1]}`)) return `its name "${name}" says ${w[i]} ${w[i + 1]}`;
    return undefined;
}

/** Why a twin value looks like a secret (connection string, SAS, private key, JWT, base64 key material), or undefined. */
export function secretLikeValue(value: string): string | undefined {
    if (/(SharedAccessKey|AccountKey|SharedAccessSignature)\s*=|\bsig=[A-Za-z0-9%/+]{10,}/i.test(value)) return "it holds a connection string or SAS token";
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return "it holds a private key";
    if (/^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+$/.test(value)) return "it holds a JSON Web Token";
    if (/^[A-Za-z0-9+/]{42,}={0,2}$/.test(value) && value.length % 4 === 0 && !/^[0-9a-fA-F]+$/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value)) {
        return "it looks like base64 key material (32 bytes or more)";
    }
    return undefined;
}
