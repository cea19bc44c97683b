import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { cidrContains, parseCidr, parseIpv4Cidr, coversInternet, toDotted } from "../src/cidr";

describe("cidr facts", () => {
    it("parses a bare address as /32 and rejects IPv6 with a message", () => {
        const r = parseCidr("203.0.113.7");
        assert.ok(r.ok && r.cidr.text === "203.0.113.7/32");
        const v6 = parseCidr("2001:db8::/32");
        assert.ok(!v6.ok && /IPv6/.test(v6.problem));
    });
    it("round-trips any network address and every range contains itself", () => {
        fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 8, max: 32 }), (raw, p) => {
            const n = (raw & ((0xffffffff << (32 - p)) >>> 0)) >>> 0;
            const r = parseCidr(`${toDotted(n)}/${p}`);
            assert.ok(r.ok);
            assert.ok(cidrContains(r.cidr, r.cidr));
            const lenient = parseIpv4Cidr(`${toDotted(n)}/${p}`);
            assert.equal(lenient?.prefix, p);
        }));
    });
    it("rule-side parsing: /0 covers the internet, garbage is undefined", () => {
        assert.equal(coversInternet(parseIpv4Cidr("1.2.3.4/0")!), true);
        assert.equal(parseIpv4Cidr("256.0.0.1"), undefined);
        assert.equal(parseIpv4Cidr(42), undefined);
    });
});
