// Proves the Workers Rate Limiting bindings guard dev sign-in, share-link openings and failed webhook signatures: past the limit the answer is 429 in the envelope with Retry-After, and other addresses are unaffected.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ORIGIN, randomAddress, registerProject } from "../../test/workers/harness";

async function until429(send: (address: string) => Promise<Response>, address: string, max: number): Promise<{ response: Response; count: number }> {
  for (let count = 1; count <= max; count++) {
    const response = await send(address);
    if (response.status === 429) return { response, count };
  }
  throw new Error(`no 429 within ${max} requests`);
}

async function expectLimited(send: (address: string) => Promise<Response>, limit: number): Promise<void> {
  const address = randomAddress();
  const { response, count } = await until429(send, address, limit + 5);
  expect(count).toBe(limit + 1);
  expect(response.headers.get("Retry-After")).toBe("60");
  expect((await response.json<{ error: { code: string } }>()).error.code).toBe("rate_limited");
  expect((await send(randomAddress())).status).not.toBe(429);
}

describe("rate limits", () => {
  it("limits dev sign-in per address (60 a minute)", async () => {
    await expectLimited(
      (address) =>
        SELF.fetch(`${ORIGIN}/api/dev/login`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: ORIGIN, "CF-Connecting-IP": address },
          body: JSON.stringify({ email: "someone@example.com" }),
        }),
      60,
    );
  });

  it("limits share-link openings per address (30 a minute), unknown links included", async () => {
    await expectLimited((address) => SELF.fetch(`${ORIGIN}/api/shares/nosuch.AAAAAAAAAAAAAAAAAAAAAA`, { headers: { "CF-Connecting-IP": address } }), 30);
  });

  it("limits failed webhook signatures per address (20 a minute)", async () => {
    const project = await registerProject();
    await expectLimited(
      (address) =>
        SELF.fetch(`${ORIGIN}/webhooks/cloudformation/${project.id}`, {
          method: "POST",
          headers: { "content-type": "application/json", "Stackroom-Signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`, "CF-Connecting-IP": address },
          body: JSON.stringify({ events: [] }),
        }),
      20,
    );
  });
});
