// Proves Cloudflare Access sign-in through the real Worker: only a token signed by the team's published keys, for this application, in date and naming a person gets in; every other token is a 401 saying why, never a 500.
import { describe, expect, it, vi } from "vitest";
import { registerProject } from "../../test/workers/harness";
import { accessEnv, accessTeam, fetchWith, hmacToken, mintToken, rotateTeam, unsignedToken } from "../../test/workers/access";

type Envelope = { error: { code: string; message: string } };

async function meWith(token: string, via: "header" | "cookie" = "header", team?: Awaited<ReturnType<typeof accessTeam>>) {
  const t = team ?? (await accessTeam());
  const headers: Record<string, string> = via === "header" ? { "Cf-Access-Jwt-Assertion": token } : { cookie: `CF_Authorization=${token}` };
  return fetchWith(accessEnv(t), "/api/me", { headers });
}

async function refusal(res: Response): Promise<string> {
  expect(res.status).toBe(401);
  const body = await res.json<Envelope>();
  expect(body.error.code).toBe("unauthenticated");
  return body.error.message;
}

describe("Cloudflare Access sign-in", () => {
  it("accepts a valid token from the header or the CF_Authorization cookie; the identity is its email", async () => {
    const team = await accessTeam();
    const project = await registerProject({ members: [{ email: "access-owner@example.com", role: "owner" }] });
    const token = await mintToken(team, { email: "Access-Owner@Example.com" });
    for (const via of ["header", "cookie"] as const) {
      const res = await meWith(token, via, team);
      expect(res.status).toBe(200);
      const me = await res.json<{ email: string; projects: Array<{ id: string; role: string }> }>();
      expect(me.email).toBe("access-owner@example.com");
      expect(me.projects).toContainEqual(expect.objectContaining({ id: project.id, role: "owner" }));
    }
  });

  it("refuses a request without a token", async () => {
    const team = await accessTeam();
    expect(await refusal(await fetchWith(accessEnv(team), "/api/me"))).toMatch(/Sign in with Cloudflare Access/);
  });

  it("refuses an expired token, allowing no more than a small clock skew", async () => {
    const team = await accessTeam();
    expect(await refusal(await meWith(await mintToken(team, { expiresIn: -120 }), "header", team))).toMatch(/expired/);
    // 10 s past expiry is within the skew Access and the edge may disagree by.
    expect((await meWith(await mintToken(team, { expiresIn: -10 }), "header", team)).status).toBe(200);
  });

  it("refuses a token it accepted before once that token has expired (verified tokens are remembered only until their end)", async () => {
    const team = await accessTeam();
    const token = await mintToken(team, { expiresIn: 60 });
    expect((await meWith(token, "header", team)).status).toBe(200);
    expect((await meWith(token, "cookie", team)).status).toBe(200);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      vi.setSystemTime(Date.now() + 95_000);
      expect(await refusal(await meWith(token, "header", team))).toMatch(/expired/);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a token that is not valid yet", async () => {
    const team = await accessTeam();
    expect(await refusal(await meWith(await mintToken(team, { notBeforeIn: 600 }), "header", team))).toMatch(/not valid yet/);
  });

  it("refuses a token for another application (audience)", async () => {
    const team = await accessTeam();
    expect(await refusal(await meWith(await mintToken(team, { audience: "someone-elses-aud" }), "header", team))).toMatch(/wrong audience/);
  });

  it("refuses a token from another issuer", async () => {
    const team = await accessTeam();
    const token = await mintToken(team, { issuer: "https://other-team.cloudflareaccess.com" });
    expect(await refusal(await meWith(token, "header", team))).toMatch(/wrong issuer/);
  });

  it("refuses a token signed by a key the team does not publish", async () => {
    const team = await accessTeam();
    expect(await refusal(await meWith(await mintToken(team, { key: "unpublished" }), "header", team))).toMatch(/does not publish/);
  });

  it("refuses alg:none and HS256 tokens (no signature, algorithm confusion)", async () => {
    const team = await accessTeam();
    expect(await refusal(await meWith(unsignedToken(team), "header", team))).toMatch(/malformed|allowed algorithm/);
    expect(await refusal(await meWith(await hmacToken(team), "header", team))).toMatch(/allowed algorithm/);
  });

  it("refuses garbage and a tampered signature with a 401, never a 500", async () => {
    const team = await accessTeam();
    expect(await refusal(await meWith("not-a-jwt", "header", team))).toMatch(/malformed/);
    const token = await mintToken(team);
    const tampered = `${token.slice(0, token.lastIndexOf(".") + 1)}${"A".repeat(20)}${token.slice(token.lastIndexOf(".") + 21)}`;
    expect(await refusal(await meWith(tampered, "header", team))).toMatch(/signature is invalid|malformed/);
  });

  it("refuses service tokens (no email) on manager routes", async () => {
    const team = await accessTeam();
    const token = await mintToken(team, { email: null, commonName: "0123abcd.access" });
    expect(await refusal(await meWith(token, "header", team))).toMatch(/service token/);
  });

  it("accepts tokens signed with a key that appears in the JWKS later (rotation)", async () => {
    const before = await accessTeam("rotating");
    expect((await meWith(await mintToken(before), "header", before)).status).toBe(200);
    const after = await rotateTeam(before);
    expect(after.keys.at(-1)?.kid).not.toBe(before.keys.at(-1)?.kid);
    // jose fetches the key set again for an unknown kid only once its cooldown (5 s, access.ts)
    // has passed since the last fetch: the test moves jose's clock (Date) past it instead of
    // waiting. Only Date is faked, so fetches and their timeouts run as usual.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      expect(await refusal(await meWith(await mintToken(after), "header", after))).toMatch(/does not publish/);
      vi.setSystemTime(Date.now() + 5_001);
      expect((await meWith(await mintToken(after), "header", after)).status).toBe(200);
      // Tokens of the previous key keep working while Access still publishes it.
      expect((await meWith(await mintToken(after, { key: before.keys.at(-1) }), "header", after)).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it("answers 503, not 401 or 500, when the team's keys cannot be fetched", async () => {
    const team = await accessTeam();
    const token = await mintToken(team);
    const res = await fetchWith(accessEnv({ url: "http://127.0.0.1:9", audience: team.audience }), "/api/me", { headers: { "Cf-Access-Jwt-Assertion": token } });
    expect(res.status).toBe(503);
    expect((await res.json<Envelope>()).error.code).toBe("unavailable");
  });

  it("tells the app where Access signs in and out for this host", async () => {
    const team = await accessTeam();
    const info = await (await fetchWith(accessEnv(team), "/api/auth")).json<{ mode: string; signInUrl: string; signOutUrl: string }>();
    expect(info.mode).toBe("access");
    expect(info.signInUrl).toBe(`${team.url}/cdn-cgi/access/login/127.0.0.1:8787?kid=${team.audience}&redirect_url=%2F`);
    expect(info.signOutUrl).toBe("/cdn-cgi/access/logout");
  });

  it("has no dev sign-in: POST /api/dev/login is a 404", async () => {
    const team = await accessTeam();
    const res = await fetchWith(accessEnv(team), "/api/dev/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "owner@example.com" }) });
    expect(res.status).toBe(404);
  });
});
