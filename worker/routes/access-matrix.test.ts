// Proves the route × role × project matrix: every project route lets exactly the roles it should through, forbids (403) members below it, and hides the project (404) from strangers and from members of other projects — no request crosses a project boundary.
import { describe, expect, it } from "vitest";
import { api, login, registerProject } from "../../test/workers/harness";
import { framesUntil, listen } from "../../test/workers/live";

type Role = "viewer" | "editor" | "owner";
type Outcome = "allowed" | "forbidden" | "hidden";

/**
 * Each route with the least role it needs. Bodies are invalid (or name nothing) on purpose: a
 * request that gets through answers 400/404/409 from the route itself and changes nothing.
 */
const routes: Array<{ method: string; path: string; body?: unknown; least: Role }> = [
  { method: "GET", path: "", least: "viewer" },
  { method: "GET", path: "/activity", least: "viewer" },
  { method: "POST", path: "/refresh", body: {}, least: "editor" },
  { method: "GET", path: "/members", least: "viewer" },
  { method: "PUT", path: "/members/x%40example.com", body: { role: "nobody" }, least: "owner" },
  { method: "DELETE", path: "/members/nobody%40example.com", least: "owner" },
  { method: "GET", path: "/notifications", least: "viewer" },
  { method: "PUT", path: "/notifications", body: { webhookUrl: "http://10.0.0.1/", format: "slack", events: [], digestMinutes: 0 }, least: "owner" },
  { method: "POST", path: "/notifications/test", body: {}, least: "owner" },
  { method: "GET", path: "/settings", least: "viewer" },
  { method: "PUT", path: "/settings", body: { defaultUserExpiryDays: 0 }, least: "owner" },
  { method: "POST", path: "/buckets", body: { name: "Bad Name" }, least: "editor" },
  { method: "PATCH", path: "/buckets/no-such-bucket", body: { versioning: "yes" }, least: "editor" },
  { method: "DELETE", path: "/buckets/no-such-bucket", least: "editor" },
  { method: "POST", path: "/buckets/no-such-bucket/actions", body: { action: "retry" }, least: "editor" },
  { method: "POST", path: "/users", body: { name: "" }, least: "editor" },
  { method: "PATCH", path: "/users/nobody", body: {}, least: "editor" },
  { method: "DELETE", path: "/users/nobody", least: "editor" },
  { method: "POST", path: "/users/nobody/actions", body: { action: "retry" }, least: "editor" },
  { method: "GET", path: "/users/nobody/keys", least: "viewer" },
  { method: "POST", path: "/users/nobody/keys", body: {}, least: "editor" },
  { method: "PATCH", path: "/users/nobody/keys/AKIAEXAMPLE000000000", body: { status: "Maybe" }, least: "editor" },
  { method: "DELETE", path: "/users/nobody/keys/AKIAEXAMPLE000000000", least: "editor" },
  { method: "POST", path: "/users/nobody/keys/rotate", body: { graceDays: 0 }, least: "editor" },
  { method: "GET", path: "/access-review", least: "viewer" },
  { method: "POST", path: "/access-review/refresh", body: {}, least: "editor" },
  { method: "GET", path: "/shares", least: "editor" },
  { method: "POST", path: "/shares", body: { user: "" }, least: "editor" },
  { method: "DELETE", path: "/shares/AAAAAAAAAAAAAAAA", least: "editor" },
  { method: "DELETE", path: "/operations/00000000-0000-4000-8000-000000000000", least: "editor" },
];

const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

async function outcome(res: Response): Promise<Outcome> {
  if (res.status === 403) return "forbidden";
  if (res.status === 404) {
    const body = await res.json<{ error: { message: string } }>();
    if (/that you are a member of/.test(body.error.message)) return "hidden";
  }
  expect(res.status, "an allowed request must never fail on our side").toBeLessThan(500);
  return "allowed";
}

describe("route × role × project matrix", () => {
  it("lets each role through exactly the routes it may use, in its own project only", async () => {
    const own = await registerProject();
    const foreign = await registerProject({ members: [{ email: "owner@example.com", role: "viewer" }, { email: "foreign-owner@example.com", role: "owner" }] });
    const callers: Array<{ who: string; role: Role | null }> = [
      { who: "viewer@example.com", role: "viewer" },
      { who: "editor@example.com", role: "editor" },
      { who: "owner@example.com", role: "owner" },
      { who: "stranger@example.com", role: null },
    ];
    const seen: string[] = [];
    for (const { who, role } of callers) {
      const cookie = await login(who);
      for (const route of routes) {
        const path = `/api/projects/${own.id}${route.path.replace("PROJECT", own.id)}`;
        const init = { method: route.method, ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }) };
        const expected: Outcome = role === null ? "hidden" : rank[role] >= rank[route.least] ? "allowed" : "forbidden";
        const got = await outcome(await api(cookie, path, init));
        seen.push(`${who} ${route.method} ${route.path}: ${got}`);
        expect(got, `${who} ${route.method} ${route.path}`).toBe(expected);
      }
      // Another project: only what the caller's role there allows (the owner here is a viewer there).
      const roleThere: Role | null = who === "owner@example.com" ? "viewer" : null;
      for (const route of routes) {
        const path = `/api/projects/${foreign.id}${route.path.replace("PROJECT", foreign.id)}`;
        const init = { method: route.method, ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }) };
        const expected: Outcome = roleThere === null ? "hidden" : rank[roleThere] >= rank[route.least] ? "allowed" : "forbidden";
        expect(await outcome(await api(cookie, path, init)), `${who} in the other project: ${route.method} ${route.path}`).toBe(expected);
      }
    }
    expect(seen).toHaveLength(callers.length * routes.length);
  }, 60_000);

  it("opens the live socket for members only (strangers get close code 4404)", async () => {
    const project = await registerProject();
    for (const [who, allowed] of [["viewer@example.com", true], ["stranger@example.com", false]] as const) {
      const socket = listen(await api(await login(who), `/api/projects/${project.id}/live`, { headers: { Upgrade: "websocket" } }));
      // Whichever comes first: the close, or the first frame.
      const first = await Promise.race([socket.closed.then((c) => `closed ${c.code}`), framesUntil(socket.frames, (fs) => fs.length > 0).then((fs) => fs[0]?.type ?? "nothing")]);
      expect(first, who).toBe(allowed ? "hello" : "closed 4404");
      socket.ws.close();
    }
  });
});
