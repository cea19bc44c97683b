/** Small helpers shared by the API's suites. */
import * as assert from "node:assert/strict";

export interface Reply {
    status: number;
    headers: Headers;
    text: string;
    json: any;
}

export async function call(url: string, init: RequestInit = {}): Promise<Reply> {
    const res = await fetch(url, init);
    const text = await res.text();
    let json: unknown;
    try {
        json = text === "" ? undefined : JSON.parse(text);
    } catch {
        json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
}

export const bearer = (token: string, extra: Record<string, string> = {}): Record<string, string> => ({ authorization: `Bearer ${token}`, ...extra });

/** Asserts an RFC 9457 problem document of the given status and type slug. */
export function assertProblem(r: Reply, status: number, type: string): void {
    assert.equal(r.status, status, r.text);
    assert.match(r.headers.get("content-type") ?? "", /^application\/problem\+json/);
    assert.equal(r.json.type, `urn:secure-iot:api:problem:${type}`);
    assert.equal(r.json.status, status);
    assert.equal(typeof r.json.title, "string");
    assert.equal(typeof r.json.detail, "string");
    assert.match(r.json.instance, /^urn:uuid:[0-9a-f-]{36}$/);
    assert.equal(r.json.instance, `urn:uuid:${r.headers.get("x-correlation-id")}`);
}
