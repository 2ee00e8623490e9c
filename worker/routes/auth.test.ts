// Proves dev sign-in, sessions, /api/me and membership/roles through the real Worker.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, login, ORIGIN, registerProject } from "../../test/workers/harness";

describe("auth and roles", () => {
  it("signs in, lists only the caller's projects with their role", async () => {
    const a = await registerProject();
    const b = await registerProject({ members: [{ email: "someone@example.com", role: "owner" }] });
    const cookie = await login("Editor@Example.com");
    const me = await (await api(cookie, "/api/me")).json<{ email: string; projects: { id: string; role: string }[] }>();
    expect(me.email).toBe("editor@example.com");
    expect(me.projects).toContainEqual({ id: a.id, name: a.name, role: "editor" });
    expect(me.projects.map((p) => p.id)).not.toContain(b.id);
  });

  it("answers 401 in the envelope without a session or with a forged cookie", async () => {
    for (const cookie of ["", "stackroom_session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4QHkueiJ9.AAAA"]) {
      const res = await SELF.fetch(`${ORIGIN}/api/me`, { headers: { cookie } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthenticated", message: "Sign in to continue." } });
    }
  });

  it("refuses bad login bodies with field errors", async () => {
    const headers = { "content-type": "application/json", origin: ORIGIN };
    const res = await SELF.fetch(`${ORIGIN}/api/dev/login`, { method: "POST", headers, body: JSON.stringify({ email: "nope" }) });
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { code: string; fields: Record<string, string> } }>();
    expect(body.error.code).toBe("invalid");
    expect(body.error.fields.email).toMatch(/valid email/);
    const garbage = await SELF.fetch(`${ORIGIN}/api/dev/login`, { method: "POST", headers, body: "{not json" });
    expect(garbage.status).toBe(400);
  });

  it("hides projects from non-members (404) and forbids viewers to write (403)", async () => {
    const project = await registerProject();
    const stranger = await login("stranger@example.com");
    expect((await api(stranger, `/api/projects/${project.id}`)).status).toBe(404);
    const viewer = await login("viewer@example.com");
    expect((await api(viewer, `/api/projects/${project.id}`)).status).toBe(200);
    const res = await api(viewer, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "viewer-bucket" }) });
    expect(res.status).toBe(403);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("forbidden");
  });

  // A cross-site page can only POST forms/text without a preflight: its Origin is refused first,
  // and even a same-origin form post is refused for not being JSON.
  it("refuses cross-site and form posts (CSRF) in the envelope", async () => {
    const post = (origin: string) =>
      SELF.fetch(`${ORIGIN}/api/dev/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin }, body: "email=a@b.c" });
    const crossSite = await post("https://evil.example");
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json<{ error: { code: string } }>()).error.code).toBe("forbidden");
    const form = await post(ORIGIN);
    expect(form.status).toBe(400);
    expect((await form.json<{ error: { message: string } }>()).error.message).toMatch(/application\/json/);
  });

  it("protects ops endpoints with the bearer token", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/ops/projects`, { headers: { authorization: "Bearer wrong" } });
    expect(res.status).toBe(401);
  });

  it("answers unknown routes with the envelope", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("not_found");
  });
});
