// Proves webhook signatures are Stripe-style HMAC-SHA256 with each signature naming its secret, survive secret rotation, refuse every forged, stale or garbled header, and refuse one that names no accepted secret before any HMAC over the body.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { secretKid, signBody, verifySignature } from "./webhook-signature";

const body = '{"events":[{"stackName":"stackroom-demo-bucket-a"}]}';
const now = 1_790_000_000;

describe("signBody", () => {
  it("produces t=<unix>,k=<kid>,v1=<hex> matching independent HMACs of the kid label and of `${t}.${body}`", async () => {
    const header = await signBody(body, ["s3cret"], now + 0.9);
    const expected = createHmac("sha256", "s3cret").update(`${now}.${body}`).digest("hex");
    const kid = createHmac("sha256", "s3cret").update("stackroom-webhook-kid").digest("hex").slice(0, 16);
    expect(await secretKid("s3cret")).toBe(kid);
    expect(header).toBe(`t=${now},k=${kid},v1=${expected}`);
  });

  it("adds one k and v1 per non-empty secret, ignoring empty and duplicate ones, and refuses a third", async () => {
    const header = await signBody(body, ["new", "", "old", "new"], now);
    expect(header.split(",").map((p) => p.split("=")[0])).toEqual(["t", "k", "v1", "k", "v1"]);
    await expect(signBody(body, ["a", "b", "c"], now)).rejects.toThrow("At most 2");
  });

  it("refuses to sign without a secret", async () => {
    await expect(signBody(body, ["", ""], now)).rejects.toThrow("No webhook secret");
  });
});

describe("verifySignature", () => {
  it("accepts its own signature", async () => {
    expect(await verifySignature(await signBody(body, ["a"], now), body, ["a"], now)).toEqual({ ok: true, secret: "a" });
  });

  it("accepts during rotation from either side", async () => {
    // Bridge already signs with new+old, Worker still knows only old.
    expect((await verifySignature(await signBody(body, ["new", "old"], now), body, ["old"], now)).ok).toBe(true);
    // Worker knows new+old, bridge still signs with old.
    expect((await verifySignature(await signBody(body, ["old"], now), body, ["new", "old"], now)).ok).toBe(true);
  });

  it("accepts uppercase hex and timestamps exactly at the tolerance edge", async () => {
    const header = (await signBody(body, ["a"], now)).replace(/v1=([0-9a-f]+)/, (_m, hex: string) => `v1=${hex.toUpperCase()}`);
    expect((await verifySignature(header, body, ["a"], now + 300)).ok).toBe(true);
    expect((await verifySignature(header, body, ["a"], now - 300)).ok).toBe(true);
  });

  it.each([
    ["a forged signature under the right name", async () => `t=${now},k=${await secretKid("a")},v1=${"a".repeat(64)}`, body, "does not match"],
    ["a changed body", async () => signBody(body, ["a"], now), body.replace("a\"", "b\""), "does not match"],
    ["a stale timestamp", async () => signBody(body, ["a"], now - 301), body, "away from now"],
    ["a future timestamp", async () => signBody(body, ["a"], now + 301), body, "away from now"],
    ["a missing header", async () => null, body, "Missing"],
    ["an empty header", async () => "  ", body, "Missing"],
    ["garbage", async () => "hello", body, "malformed"],
    ["no timestamp", async () => `k=${await secretKid("a")},v1=${"a".repeat(64)}`, body, "no timestamp"],
    ["two timestamps", async () => `t=${now},t=${now},v1=${"a".repeat(64)}`, body, "timestamp is malformed"],
    ["a non-numeric timestamp", async () => `t=soon,v1=${"a".repeat(64)}`, body, "timestamp is malformed"],
    ["no v1", async () => `t=${now},v0=${"a".repeat(64)}`, body, "no v1"],
    ["non-hex v1", async () => `t=${now},v1=${"g".repeat(64)}`, body, "64 hex"],
    ["a short v1", async () => `t=${now},v1=abcd`, body, "64 hex"],
    ["a v1 that names no secret", async () => `t=${now},v1=${"a".repeat(64)}`, body, "must follow the k="],
    ["a malformed k", async () => `t=${now},k=zz,v1=${"a".repeat(64)}`, body, "not 16 hex"],
    ["a k of no accepted secret", async () => signBody(body, ["other"], now), body, "names no secret this project accepts"],
    ["too many v1", async () => `t=${now}` + `,k=${await secretKid("a")},v1=${"a".repeat(64)}`.repeat(3), body, "too many"],
    ["a huge header", async () => `t=${now},x=${"a".repeat(3000)}`, body, "too long"],
  ])("refuses %s", async (_name, makeHeader, checkedBody, reason) => {
    const result = await verifySignature(await makeHeader(), checkedBody, ["a"], now);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });

  it("refuses everything when no non-empty secret is configured", async () => {
    const header = await signBody(body, ["a"], now);
    expect(await verifySignature(header, body, [], now)).toEqual({ ok: false, reason: "No webhook secret is configured." });
    expect((await verifySignature(header, body, [""], now)).ok).toBe(false);
  });

  it("ignores unknown schemes next to a valid v1", async () => {
    const header = `${await signBody(body, ["a"], now)},v0=legacy`;
    expect((await verifySignature(header, body, ["a"], now)).ok).toBe(true);
  });
});
