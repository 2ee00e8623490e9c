// Proves state changes and the live socket are refused (403) unless Origin is the app's own or listed in ALLOWED_ORIGINS, while reads, ops calls and webhooks need none, and that every API answer carries the security headers.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, login, ORIGIN, registerProject } from "../../test/workers/harness";
import { fetchWith } from "../../test/workers/access";

const createBody = JSON.stringify({ name: "bad name!" }); // invalid on purpose: an allowed request gets 400, never reaches AWS

describe("Origin checks", () => {
  it("refuses a state change without Origin, or from another origin, with 403 in the envelope", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const path = `/api/projects/${project.id}/buckets`;
    const post = (origin?: string) =>
      SELF.fetch(`${ORIGIN}${path}`, { method: "POST", headers: { cookie, "content-type": "application/json", ...(origin ? { origin } : {}) }, body: createBody });
    for (const origin of [undefined, "https://evil.example", "http://127.0.0.1:9999", "null"]) {
      const res = await post(origin);
      expect(res.status, String(origin)).toBe(403);
      expect((await res.json<{ error: { code: string; message: string } }>()).error).toMatchObject({ code: "forbidden" });
    }
    expect((await post(ORIGIN)).status).toBe(400);
    for (const method of ["PATCH", "DELETE"]) {
      const res = await SELF.fetch(`${ORIGIN}${path}/some-bucket`, { method, headers: { cookie, origin: "https://evil.example" } });
      expect(res.status, method).toBe(403);
    }
  });

  it("accepts origins listed in ALLOWED_ORIGINS", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const allowed = { ...env, ALLOWED_ORIGINS: "https://admin.example.com, https://other.example.com" };
    const post = (origin: string) =>
      fetchWith(allowed, `/api/projects/${project.id}/buckets`, { method: "POST", headers: { cookie, origin, "content-type": "application/json" }, body: createBody });
    expect((await post("https://admin.example.com")).status).toBe(400);
    expect((await post("https://other.example.com")).status).toBe(400);
    expect((await post("https://evil.example.com")).status).toBe(403);
  });

  it("refuses a live socket from another origin (close code 4403) and accepts the app's own", async () => {
    const project = await registerProject();
    const cookie = await login("viewer@example.com");
    const open = async (origin: string) => {
      const res = await api(cookie, `/api/projects/${project.id}/live`, { headers: { Upgrade: "websocket", origin } });
      const ws = res.webSocket;
      if (!ws) throw new Error(`no websocket: ${res.status}`);
      const first = new Promise<{ code?: number; data?: string }>((resolve) => {
        ws.addEventListener("close", (e) => resolve({ code: e.code }));
        ws.addEventListener("message", (e) => resolve({ data: String(e.data) }));
      });
      ws.accept();
      const result = await first;
      ws.close();
      return result;
    };
    expect(await open("https://evil.example")).toEqual({ code: 4403 });
    expect((await open(ORIGIN)).data).toMatch(/"type":"hello"/);
  });

  it("needs no Origin for reads, ops calls and webhooks", async () => {
    const project = await registerProject();
    const cookie = await login("viewer@example.com");
    expect((await SELF.fetch(`${ORIGIN}/api/projects/${project.id}`, { headers: { cookie } })).status).toBe(200);
    expect((await SELF.fetch(`${ORIGIN}/api/ops/projects`, { headers: { authorization: `Bearer ${env.OPS_TOKEN}` } })).status).toBe(200);
    const webhook = await SELF.fetch(`${ORIGIN}/webhooks/cloudformation/${project.id}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(webhook.status).toBe(401); // refused for its signature, not for a missing Origin
  });

  it("sends security headers on every answer, errors included", async () => {
    for (const path of ["/api/health", "/api/me", "/api/nothing-here"]) {
      const res = await SELF.fetch(`${ORIGIN}${path}`);
      expect(res.headers.get("content-security-policy"), path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("strict-transport-security"), path).toMatch(/max-age=/);
    }
  });
});
