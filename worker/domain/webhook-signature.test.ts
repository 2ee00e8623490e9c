// Proves webhook signatures are Stripe-style HMAC-SHA256, survive secret rotation and refuse every forged, stale or garbled header.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signBody, verifySignature } from "./webhook-signature";

const body = '{"events":[{"stackName":"stackroom-demo-bucket-a"}]}';
const now = 1_790_000_000;

describe("signBody", () => {
  it("produces t=<unix>,v1=<hex> matching an independent HMAC of `${t}.${body}`", async () => {
    const header = await signBody(body, ["s3cret"], now + 0.9);
    const expected = createHmac("sha256", "s3cret").update(`${now}.${body}`).digest("hex");
    expect(header).toBe(`t=${now},v1=${expected}`);
  });

  it("adds one v1 per non-empty secret, ignoring empty and duplicate ones", async () => {
    const header = await signBody(body, ["new", "", "old", "new"], now);
    expect(header.split(",").map((p) => p.split("=")[0])).toEqual(["t", "v1", "v1"]);
  });

  it("refuses to sign without a secret", async () => {
    await expect(signBody(body, ["", ""], now)).rejects.toThrow("No webhook secret");
  });
});

describe("verifySignature", () => {
  it("accepts its own signature", async () => {
    expect(await verifySignature(await signBody(body, ["a"], now), body, ["a"], now)).toEqual({ ok: true });
  });

  it("accepts during rotation from either side", async () => {
    // Bridge already signs with new+old, Worker still knows only old.
    expect((await verifySignature(await signBody(body, ["new", "old"], now), body, ["old"], now)).ok).toBe(true);
    // Worker knows new+old, bridge still signs with old.
    expect((await verifySignature(await signBody(body, ["old"], now), body, ["new", "old"], now)).ok).toBe(true);
  });

  it("accepts uppercase hex and timestamps exactly at the tolerance edge", async () => {
    const header = (await signBody(body, ["a"], now)).toUpperCase().replace("T=", "t=").replace("V1=", "v1=");
    expect((await verifySignature(header, body, ["a"], now + 300)).ok).toBe(true);
    expect((await verifySignature(header, body, ["a"], now - 300)).ok).toBe(true);
  });

  it.each([
    ["a wrong secret", async () => signBody(body, ["other"], now), body, "does not match"],
    ["a changed body", async () => signBody(body, ["a"], now), body.replace("a\"", "b\""), "does not match"],
    ["a stale timestamp", async () => signBody(body, ["a"], now - 301), body, "away from now"],
    ["a future timestamp", async () => signBody(body, ["a"], now + 301), body, "away from now"],
    ["a missing header", async () => null, body, "Missing"],
    ["an empty header", async () => "  ", body, "Missing"],
    ["garbage", async () => "hello", body, "malformed"],
    ["no timestamp", async () => `v1=${"a".repeat(64)}`, body, "no timestamp"],
    ["two timestamps", async () => `t=${now},t=${now},v1=${"a".repeat(64)}`, body, "timestamp is malformed"],
    ["a non-numeric timestamp", async () => `t=soon,v1=${"a".repeat(64)}`, body, "timestamp is malformed"],
    ["no v1", async () => `t=${now},v0=${"a".repeat(64)}`, body, "no v1"],
    ["non-hex v1", async () => `t=${now},v1=${"g".repeat(64)}`, body, "64 hex"],
    ["a short v1", async () => `t=${now},v1=abcd`, body, "64 hex"],
    ["too many v1", async () => `t=${now}` + `,v1=${"a".repeat(64)}`.repeat(9), body, "too many"],
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
