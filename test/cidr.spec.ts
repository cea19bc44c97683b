/**
 * The hub's IP block list as allow-only rules: property-based tests of the split. For any allowed
 * and blocked ranges, no address in a blocked range is allowed, every other allowed address still
 * is, nothing outside the allowed ranges is, and no rule is redundant.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { cidrContains, cidrHas, parseCidr, subtractCidrs, toDotted, type Cidr } from "@secure-iot/azure-facts";
import { hubIpAllowRules } from "../components/iotHub";

const cidr = (text: string): Cidr => {
    const r = parseCidr(text);
    if (!r.ok) throw new Error(r.problem);
    return r.cidr;
};

/** A range inside 10.0.0.0/8 (so the generated lists overlap often) with a prefix from 8 to 32. */
const range = fc.tuple(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 8, max: 32 })).map(([low, prefix]) => {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return cidr(`${toDotted(((0x0a000000 | low) & mask) >>> 0)}/${prefix}`);
});
/** Addresses to probe: the edges of every range involved, their neighbours, and random ones. */
function probes(ranges: Cidr[], extra: number[]): number[] {
    const out = new Set<number>(extra.map((n) => (0x0a000000 | n) >>> 0));
    for (const r of ranges) {
        const last = (r.network + 2 ** (32 - r.prefix) - 1) >>> 0;
        for (const a of [r.network - 1, r.network, r.network + 1, last - 1, last, last + 1]) out.add(a >>> 0);
    }
    return [...out];
}

describe("the hub's block list, carved out of the allow list", () => {
    it("no blocked address is allowed, every other allowed address still is, nothing else is", () => {
        fc.assert(
            fc.property(fc.array(range, { minLength: 1, maxLength: 4 }), fc.array(range, { maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 0xffffff }), { maxLength: 20 }), (allowed, blocked, random) => {
                const rules = subtractCidrs(allowed, blocked);
                for (const address of probes([...allowed, ...blocked], random)) {
                    const expected = allowed.some((a) => cidrHas(a, address)) && !blocked.some((b) => cidrHas(b, address));
                    assert.equal(rules.some((r) => cidrHas(r, address)), expected, `${toDotted(address)} with allowed ${allowed.map((c) => c.text)} blocked ${blocked.map((c) => c.text)}`);
                }
                // No rule sits inside another one.
                rules.forEach((r, i) => rules.forEach((o, j) => assert.ok(i === j || !cidrContains(o, r), `${r.text} is inside ${o.text}`)));
            }),
            { numRuns: 400 },
        );
    });
    it("leaves an allow list without blocks as it is", () => {
        fc.assert(
            fc.property(fc.uniqueArray(range, { minLength: 1, maxLength: 5, selector: (c) => c.text }), (allowed) => {
                const disjoint = allowed.filter((a, i) => !allowed.some((b, j) => i !== j && cidrContains(b, a)));
                assert.deepEqual(subtractCidrs(allowed, []).map((c) => c.text), disjoint.map((c) => c.text));
            }),
        );
    });
    it("splits 203.0.113.0/24 around 203.0.113.128/28 into four allow rules, in address order", () => {
        assert.deepEqual(hubIpAllowRules(["203.0.113.0/24", "198.51.100.0/24"], ["203.0.113.128/28"]), [
            { filterName: "allow-1", action: "Allow", ipMask: "203.0.113.0/25" },
            { filterName: "allow-2", action: "Allow", ipMask: "203.0.113.144/28" },
            { filterName: "allow-3", action: "Allow", ipMask: "203.0.113.160/27" },
            { filterName: "allow-4", action: "Allow", ipMask: "203.0.113.192/26" },
            { filterName: "allow-5", action: "Allow", ipMask: "198.51.100.0/24" },
        ]);
    });
    it("a blocked range that covers an allowed one removes it", () => {
        assert.deepEqual(subtractCidrs([cidr("198.51.100.0/25"), cidr("203.0.113.0/24")], [cidr("198.51.100.0/24")]).map((c) => c.text), ["203.0.113.0/24"]);
    });
});
