// Proves the Worker boots in workerd and answers.
import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";
it("answers /api/health", async () => {
  const res = await SELF.fetch("https://x/api/health");
  expect(await res.json()).toEqual({ ok: true });
});
