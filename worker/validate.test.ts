// Proves oversized bodies are refused with 413 in the envelope before they are read: by Content-Length, and by counting a chunked body's bytes as they arrive; and that nothing changes.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ProjectView } from "../core/contract";
import { api, login, ORIGIN, registerProject } from "../test/workers/harness";
import { MAX_JSON_BODY_BYTES } from "./validate";

function chunked(totalBytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(`{"name":"${"a".repeat(1000)}`);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.byteLength;
    },
  });
}

describe("body size limits", () => {
  it("refuses a JSON body over the limit, whether announced by Content-Length or streamed", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const headers = { cookie, origin: ORIGIN, "content-type": "application/json" };
    const path = `${ORIGIN}/api/projects/${project.id}/buckets`;
    const big = JSON.stringify({ name: "too-big", padding: "x".repeat(MAX_JSON_BODY_BYTES) });
    const announced = await SELF.fetch(path, { method: "POST", headers, body: big });
    expect(announced.status).toBe(413);
    expect(await announced.json()).toMatchObject({ error: { code: "too_large" } });

    const streamed = await SELF.fetch(path, { method: "POST", headers, body: chunked(4 * MAX_JSON_BODY_BYTES) });
    expect(streamed.status).toBe(413);

    const fits = await SELF.fetch(path, { method: "POST", headers, body: JSON.stringify({ name: "fits-fine" }) });
    expect(fits.status).toBe(202);
    const view = await (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>();
    expect(view.buckets.map((b) => b.name)).not.toContain("too-big");
  });
});
