// Proves the Worker fails closed on a missing or unknown sign-in configuration (a clear 503 on every /api/* request, never a guess and never a 500) and that dev sign-in answers only in dev mode on a loopback host.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fetchWith } from "../../test/workers/access";
import { readAuthConfig } from "./config";

type Envelope = { error: { code: string; message: string } };
const login = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "owner@example.com" }) };

describe("sign-in configuration", () => {
  it.each([
    [{ AUTH_MODE: "" }, /AUTH_MODE is not set/],
    [{ AUTH_MODE: "sso" }, /AUTH_MODE “sso” is not a sign-in mode/],
    [{ AUTH_MODE: "access", ACCESS_TEAM_DOMAIN: "", ACCESS_AUD: "aud" }, /ACCESS_TEAM_DOMAIN is not set/],
    [{ AUTH_MODE: "access", ACCESS_TEAM_DOMAIN: "http://team.example.com", ACCESS_AUD: "aud" }, /must use https/],
    [{ AUTH_MODE: "access", ACCESS_TEAM_DOMAIN: "https://team.cloudflareaccess.com", ACCESS_AUD: "" }, /ACCESS_AUD is not set/],
    [{ AUTH_MODE: "dev", SESSION_SECRET: "short" }, /SESSION_SECRET/],
  ])("refuses every /api/* request with 503 naming the problem: %o", async (vars, problem) => {
    const broken = { ...env, ...vars };
    for (const [path, init] of [["/api/me", {}], ["/api/projects", {}], ["/api/dev/login", login], ["/api/shares/demo.AAAAAAAAAAAAAAAAAAAAAA", {}]] as const) {
      const res = await fetchWith(broken, path, init);
      expect(res.status, path).toBe(503);
      const body = await res.json<Envelope>();
      expect(body.error.code).toBe("unavailable");
      expect(body.error.message).toMatch(/misconfigured/);
      expect(body.error.message).toMatch(problem);
    }
  });

  it("accepts plain http for a loopback test team only", () => {
    expect(readAuthConfig({ AUTH_MODE: "access", ACCESS_TEAM_DOMAIN: "http://127.0.0.1:9999", ACCESS_AUD: "a" })).toMatchObject({ ok: true });
    expect(readAuthConfig({ AUTH_MODE: "access", ACCESS_TEAM_DOMAIN: "http://localhost:9999", ACCESS_AUD: "a" })).toMatchObject({ ok: true });
    expect(readAuthConfig({ AUTH_MODE: "access", ACCESS_TEAM_DOMAIN: "http://10.0.0.1", ACCESS_AUD: "a" })).toMatchObject({ ok: false });
    expect(readAuthConfig({ AUTH_MODE: "access", ACCESS_TEAM_DOMAIN: "https://team.cloudflareaccess.com/x", ACCESS_AUD: "a" })).toMatchObject({ ok: false });
  });

  it("answers dev sign-in only on a loopback host", async () => {
    for (const [base, status] of [["http://127.0.0.1:8787", 204], ["http://localhost:5173", 204], ["https://stackroom.example.com", 404]] as const) {
      const res = await fetchWith(env, `${base}/api/dev/login`, { ...login, headers: { ...login.headers, "CF-Connecting-IP": "10.9.9.9" } });
      expect(res.status, base).toBe(status);
    }
  });
});
