import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { coversInternet, parseIpv4Cidr } from "../lib/cidr";
import { readConfig } from "../lib/define";
import { hubNameFromConnectionString, parseConnectionString, readSasPolicies, sameRights, splitRights } from "../lib/sas";
import { containsUnknown, isSetAt, knownElements, peek } from "../lib/unknowns";
import { bool, lastSegment, normRegion, num, obj, arr, str } from "../lib/values";
import { parseCertificate } from "../lib/x509";
import { goDurationDays, redirectProblem } from "../lib/rules/entraApplications";
import { identifierUriProblem } from "../lib/rules/entraApiExposure";
import { broadScope } from "../lib/rules/controlPlaneRbac";
import { caCert, pemToBase64Der } from "./certs";
import { toWire, UNKNOWN, unknownCheckingProxy, UnknownValueError } from "./runPolicies";

const proxy = <T>(x: T): T => unknownCheckingProxy(toWire(x) as T);

describe("values", () => {
    it("bool accepts strings in any case, nothing else", () => {
        assert.equal(bool("TRUE"), true);
        assert.equal(bool(" false "), false);
        assert.equal(bool(1), undefined);
        assert.equal(bool("yes"), undefined);
    });
    it("num accepts numeric strings", () => {
        assert.equal(num("2"), 2);
        assert.equal(num(" 4000 "), 4000);
        assert.equal(num(""), undefined);
        assert.equal(num(Number.NaN), undefined);
        assert.equal(num({}), undefined);
    });
    it("obj/arr/str never throw and default sensibly", () => {
        assert.deepEqual(obj(null), {});
        assert.deepEqual(obj<object>([1]), {});
        assert.deepEqual(arr("x"), []);
        assert.equal(str({}), undefined);
        assert.equal(str(12), "12");
    });
    it("normRegion and lastSegment", () => {
        assert.equal(normRegion("West Europe"), "westeurope");
        assert.equal(lastSegment("/a/B/"), "b");
        assert.equal(lastSegment(""), undefined);
    });
});

describe("cidr", () => {
    it("parses addresses and ranges", () => {
        assert.deepEqual(parseIpv4Cidr("10.0.0.1"), { address: 167772161, prefix: 32, text: "10.0.0.1" });
        assert.equal(parseIpv4Cidr(" 0.0.0.0/0 ")?.prefix, 0);
        assert.ok(coversInternet(parseIpv4Cidr("1.2.3.4/0")!));
    });
    it("rejects malformed input", () => {
        for (const bad of ["256.0.0.1", "1.2.3", "1.2.3.4/33", "1.2.3.4/", "01.2.3.4", "a.b.c.d", "::1", "", "1.2.3.4/1/2"]) {
            assert.equal(parseIpv4Cidr(bad), undefined, bad);
        }
        assert.equal(parseIpv4Cidr(42), undefined);
    });
});

describe("sas", () => {
    it("splits comma-joined rights, trims and canonicalises casing", () => {
        assert.deepEqual(splitRights("RegistryWrite, serviceconnect,, "), ["RegistryWrite", "ServiceConnect"]);
        assert.deepEqual(splitRights(["RegistryRead", "DeviceConnect, ServiceConnect"]), ["RegistryRead", "DeviceConnect", "ServiceConnect"]);
        assert.deepEqual(splitRights(undefined), []);
        assert.ok(sameRights(["ServiceConnect", "RegistryWrite"], ["registrywrite", "serviceconnect"]));
        assert.ok(!sameRights(["ServiceConnect"], ["ServiceConnect", "RegistryWrite"]));
    });
    it("parses connection strings with base64 keys", () => {
        const cs = "HostName=Hub-1.azure-devices.net;SharedAccessKeyName=dps-link;SharedAccessKey=abc==";
        assert.equal(parseConnectionString(cs)["sharedaccesskey"], "abc==");
        assert.equal(hubNameFromConnectionString(cs), "hub-1");
        assert.equal(hubNameFromConnectionString("garbage"), undefined);
    });
    it("reads policies defensively and spots keys", () => {
        const p = readSasPolicies([null, "x", { keyName: "a", rights: "RegistryRead", primaryKey: "k" }, { keyName: "b" }]);
        assert.equal(p.length, 2);
        assert.equal(p[0].hasLiteralKey, true);
        assert.deepEqual(p[1].rights, []);
    });
});

describe("unknowns", () => {
    it("peek does not throw on unknown values; a direct read does", () => {
        const props = proxy({ a: UNKNOWN, b: { c: 1 }, list: [1, UNKNOWN] }) as Record<string, unknown>;
        assert.deepEqual(peek(props, "a"), { known: false });
        assert.equal((peek(props, "b") as { value: { c: number } }).value.c, 1);
        assert.ok(isSetAt(props, "a"));
        assert.ok(!isSetAt(props, "missing"));
        assert.deepEqual(knownElements(props["list"]).map((e) => e.index), [0]);
        assert.ok(containsUnknown(props));
        assert.throws(() => props["a"], (e: Error) => e instanceof UnknownValueError);
    });
});

describe("config coercion", () => {
    const props = {
        n: { type: "integer" as const, default: 5, description: "n" },
        b: { type: "boolean" as const, default: false, description: "b" },
        s: { type: "string" as const, enum: ["x", "y"], default: "x", description: "s" },
        a: { type: "array" as const, items: { type: "string" as const }, default: ["d"], description: "a" },
        o: { type: "object" as const, default: { k: "v" }, description: "o" },
    };
    it("coerces odd values and falls back to defaults", () => {
        assert.deepEqual(readConfig({ n: "7", b: "true", s: "y", a: ["p", 3, null], o: { k: 1 } }, props), { n: 7, b: true, s: "y", a: ["p", "3"], o: { k: "1" } });
        assert.deepEqual(readConfig({ n: "x", b: 2, s: "z", a: "p", o: [] }, props), { n: 5, b: false, s: "x", a: ["d"], o: { k: "v" } });
        assert.deepEqual(readConfig("garbage", props), { n: 5, b: false, s: "x", a: ["d"], o: { k: "v" } });
    });
});

describe("x509", () => {
    it("parses PEM, base64 DER and base64 PEM; rejects garbage", () => {
        const pem = caCert(-1, 10);
        for (const form of [pem, pemToBase64Der(pem), Buffer.from(pem).toString("base64")]) assert.ok(parseCertificate(form)?.ca);
        for (const bad of ["", "abc", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", 5]) assert.equal(parseCertificate(bad), undefined);
    });
});

describe("rule helpers", () => {
    it("goDurationDays", () => {
        assert.equal(goDurationDays("24h"), 1);
        assert.equal(goDurationDays("36h30m"), (36 * 3600 + 30 * 60) / 86400);
        assert.equal(goDurationDays("1d"), undefined);
        assert.equal(goDurationDays(""), undefined);
    });
    it("redirectProblem", () => {
        const c = { allowLocalhost: false, nativeSchemePatterns: ["^msauth\\.[a-z.]+://auth$"] };
        assert.equal(redirectProblem("https://x.contoso.com/cb", "Web", c), undefined);
        assert.equal(redirectProblem("msauth.com.x://auth", "PublicClient", c), undefined);
        assert.match(redirectProblem("not a uri", "Web", c) ?? "", /not an absolute URI/);
        assert.equal(redirectProblem("http://127.0.0.1:5000", "PublicClient", { ...c, allowLocalhost: true }), undefined);
    });
    it("identifierUriProblem", () => {
        assert.equal(identifierUriProblem("api://aaaaaaaa-1111-4222-8333-444444444444", []), undefined);
        assert.match(identifierUriProblem("api://my-api", []) ?? "", /neither/);
    });
    it("broadScope", () => {
        assert.equal(broadScope("/subscriptions/x/resourceGroups/rg"), undefined);
        assert.match(broadScope("/SUBSCRIPTIONS/X") ?? "", /subscription/);
        assert.match(broadScope("/") ?? "", /tenant root/);
    });
});
