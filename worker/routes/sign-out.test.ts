// Proves sign-out ends a sign-in everywhere Stackroom can: the session is revoked server-side, its live sockets close (4401) in every project within moments, other sign-ins stay live; with Access the answer sends the browser to Access's logout. A socket also ends with its sign-in: the room closes it when the Access token's exp (or the dev session's) passes.
import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, eventually, login, ORIGIN, registerProject } from "../../test/workers/harness";
import { accessEnv, accessTeam, fetchWith, mintToken } from "../../test/workers/access";
import { closedWithin, framesUntil, listen, openWhen, presenceCounted } from "../../test/workers/live";

const liveOf = (cookie: string, projectId: string) => api(cookie, `/api/projects/${projectId}/live`, { headers: { Upgrade: "websocket" } }).then(listen);

describe("sign-out", () => {
  it("revokes the dev session, closes its sockets in every project and leaves other sign-ins alone", async () => {
    const one = await registerProject();
    const two = await registerProject();
    const thisBrowser = await login("owner@example.com");
    const otherBrowser = await login("owner@example.com");
    const tabs = [await liveOf(thisBrowser, one.id), await liveOf(thisBrowser, one.id), await liveOf(thisBrowser, two.id)];
    const elsewhere = await liveOf(otherBrowser, one.id);

    const res = await api(thisBrowser, "/api/logout", { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ signOutUrl: null });
    expect(res.headers.get("set-cookie")).toMatch(/stackroom_session=;/);

    for (const tab of tabs) expect(await closedWithin(tab, 2_000)).toMatchObject({ code: 4401 });
    // The room tells the sockets left in project one that this owner is down to one (elsewhere's).
    expect(await openWhen(elsewhere, presenceCounted("owner@example.com", 1))).toBe("open");
    // The cookie itself no longer works, even if a copy of it survived the browser.
    const after = await SELF.fetch(`${ORIGIN}/api/me`, { headers: { cookie: thisBrowser } });
    expect(after.status).toBe(401);
    expect((await after.json<{ error: { message: string } }>()).error.message).toMatch(/signed out/);
    expect((await api(otherBrowser, "/api/me")).status).toBe(200);
    elsewhere.ws.close();
  });

  it("with Access: revokes the token, closes its sockets and points the browser at Access's logout", async () => {
    const team = await accessTeam();
    const project = await registerProject({ members: [{ email: "access-signout@example.com", role: "owner" }] });
    const token = await mintToken(team, { email: "access-signout@example.com" });
    const workerEnv = accessEnv(team);
    const headers = { "Cf-Access-Jwt-Assertion": token };
    const tab = listen(await fetchWith(workerEnv, `/api/projects/${project.id}/live`, { headers: { ...headers, Upgrade: "websocket" } }));

    const res = await fetchWith(workerEnv, "/api/logout", { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{}" });
    expect(await res.json()).toEqual({ signOutUrl: "/cdn-cgi/access/logout" });
    expect(await closedWithin(tab, 2_000)).toMatchObject({ code: 4401 });
    expect((await fetchWith(workerEnv, "/api/me", { headers })).status).toBe(401);
  });

  it("answers a sign-out without a valid session calmly (nothing to end)", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/logout`, { method: "POST", headers: { "content-type": "application/json", origin: ORIGIN }, body: "{}" });
    expect(res.status).toBe(200);
  });

  it("closes a live socket when its sign-in ends: the Access token's exp, carried into the room", async () => {
    const team = await accessTeam();
    const project = await registerProject({ members: [{ email: "short-lived@example.com", role: "owner" }, { email: "long-lived@example.com", role: "owner" }] });
    const workerEnv = accessEnv(team);
    // Past its exp already, but within the 30 s of clock skew the Worker allows: its sign-in ends in about four seconds,
    // margin enough for the socket to open and hear hello on a loaded CI machine (one second was not).
    const shortToken = await mintToken(team, { email: "short-lived@example.com", expiresIn: -26 });
    const longToken = await mintToken(team, { email: "long-lived@example.com", expiresIn: 600 });
    const ending = listen(await fetchWith(workerEnv, `/api/projects/${project.id}/live`, { headers: { "Cf-Access-Jwt-Assertion": shortToken, Upgrade: "websocket" } }));
    const staying = listen(await fetchWith(workerEnv, `/api/projects/${project.id}/live`, { headers: { "Cf-Access-Jwt-Assertion": longToken, Upgrade: "websocket" } }));
    expect((await framesUntil(ending.frames, (fs) => fs.some((f) => f.type === "hello"))).map((f) => f.type)).toContain("hello");

    // The room's alarm is due when the first sign-in ends; it closes exactly that socket.
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    const closed = await eventually(async () => (await runDurableObjectAlarm(stub), closedWithin(ending, 50)), (v) => v !== "open", 10_000);
    expect(closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/sign-in ended/) });
    expect(await openWhen(staying, presenceCounted("short-lived@example.com", 0))).toBe("open");
    staying.ws.close();
  });
});
