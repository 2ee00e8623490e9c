// Proves that nothing a client sends gets a 5xx: every route of the app, with every path parameter replaced by malformed names and encodings (percent signs, broken UTF-8, slashes, dots, control characters, huge values), malformed queries and bodies, answers 4xx in the documented envelope and changes nothing in the project's room.
import { createExecutionContext, env, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ErrorEnvelope } from "../../core/contract";
import { app } from "../app";
import { login, ORIGIN, readyBucket, readyUser, registerProject } from "../../test/workers/harness";
import { stackName } from "../../core/naming";

/** Path segments as they appear on the wire (already percent-encoded where they are). */
const SEGMENTS = [
  "%25", "%", "%E0%A4%A", "%C0%AF", "%00", "%0A", "%09", "%2F", "a%2Fb", "..", "%2e%2e", ".", "UPPER", "a%20b", "%F0%9F%98%80",
  "%3Cscript%3E", "-", "_", "x".repeat(300), "y".repeat(5000), "%5C", "null", "undefined", "__proto__", "constructor", "0", "-1",
];
const QUERIES = ["?before=-1", "?before=abc&limit=0", "?limit=99999999999999999999", "?since=%FF", "?queue=maybe", "?removeGrants=%00", "?prefix=%E0%A4%A&limit=-5", `?x=${"q".repeat(4000)}`];
const BODIES: Array<string | undefined> = [
  undefined, "", "{", "null", "[]", "\"text\"", "42", "{\"name\":null}", "{\"name\":{\"$gt\":\"\"}}", "{\"__proto__\":{\"admin\":true}}",
  JSON.stringify({ name: "n".repeat(10_000) }), JSON.stringify({ role: "owner", extra: 1 }), JSON.stringify({ permissions: "all" }),
  "[".repeat(5000) + "]".repeat(5000), JSON.stringify({ action: "retry", name: "\u0000" }), JSON.stringify({ enabled: "yes" }),
];

/** A well-formed value for each path parameter, so that one malformed parameter is reached on its own. */
const VALID: Record<string, string> = {
  name: "data",
  user: "partner",
  kind: "bucket",
  email: "editor%40example.com",
  keyId: "AKIAAAAAAAAAAAAAAAAA",
  handle: "AAAAAAAAAAAAAAAA",
  id: "00000000-0000-4000-8000-000000000000",
};

type Route = { method: string; path: string };

/** Every route the app answers, as Hono registered it (a new route is fuzzed without editing this file). */
function routes(): Route[] {
  const seen = new Set<string>();
  return app.routes
    .filter((r) => r.method !== "ALL" && r.path.includes("/"))
    .map((r) => ({ method: r.method, path: r.path }))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
}

/** The route's path with each `:param` filled: the project's id for `:p`, `fill` elsewhere. */
function concrete(path: string, projectId: string, fill: (param: string) => string): string {
  return path.replace(/:([A-Za-z]+)/g, (_m, param: string) => (param === "p" || param === "project" ? projectId : fill(param)));
}

describe("route-by-route fuzz", () => {
  it("answers every malformed request with a 4xx envelope and changes nothing", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "data");
    await readyUser(owner, project, { name: "partner", permissions: [{ bucket: "data", access: "read" }] }, stackName(project.id, "user", "partner"));
    const stub = env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(project.id));
    const seq = () => runInDurableObject(stub, (room) => room.store.seq());
    const all = routes();
    expect(all.length).toBeGreaterThan(25);

    const failures: string[] = [];
    let sent = 0;
    /** One request; its failure (a 5xx, or a 4xx outside the envelope) is noted. Answers whether it was refused. */
    async function send(method: string, path: string, body: string | undefined): Promise<boolean> {
      const headers: Record<string, string> = { origin: ORIGIN, cookie: owner, authorization: `Bearer ${env.OPS_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) };
      // The app itself, in this isolate, with the real bindings: requests through SELF get slower
      // the more a single test file sends (a test-runner effect, not the Worker's).
      const ctx = createExecutionContext();
      const res = await app.request(`${ORIGIN}${path}`, { method, headers, ...(body === undefined || method === "GET" ? {} : { body }) }, env, ctx);
      await waitOnExecutionContext(ctx);
      sent++;
      const text = await res.text();
      const what = `${method} ${path.slice(0, 120)} ${body === undefined ? "" : body.slice(0, 40)} → ${res.status}`;
      if (res.status >= 500) failures.push(`${what}: ${text.slice(0, 200)}`);
      else if (res.status >= 400) {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // reported below
        }
        if (!ErrorEnvelope.safeParse(json).success) failures.push(`${what}: not the error envelope: ${text.slice(0, 120)}`);
      }
      return res.status >= 400;
    }
    /** A batch of requests, one after the other; when every one was refused, the room must not have changed. */
    async function batch(label: string, requests: Array<[string, string, string | undefined]>): Promise<void> {
      const before = await seq();
      const refused: boolean[] = [];
      for (const [method, path, body] of requests) refused.push(await send(method, path, body));
      if (refused.every(Boolean) && (await seq()) !== before) failures.push(`${label}: every request was refused, yet the room changed`);
    }

    // Signing out would end the session every other request uses: fuzzed last, below.
    for (const route of all.filter((r) => r.path !== "/api/logout")) {
      const label = `${route.method} ${route.path}`;
      const bodyless = route.method === "GET" || route.method === "DELETE";
      const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]).filter((p) => p !== "p" && p !== "project");
      // Each path parameter malformed in turn, the others well-formed, with an acceptable-looking body.
      const valid = (param: string) => VALID[param === "name" && route.path.includes("/users") ? "user" : param] ?? "x";
      for (const param of params) {
        await batch(`${label} (:${param})`, SEGMENTS.map((segment) => [route.method, concrete(route.path, project.id, (p) => (p === param ? segment : valid(p))), bodyless ? undefined : "{}"]));
      }
      // Malformed project ids.
      if (route.path.includes(":p")) await batch(`${label} (project)`, ["%25", "%E0%A4%A", "UPPER", "a".repeat(500), "%2e%2e"].map((segment) => [route.method, route.path.replace(":p", segment).replace(/:([A-Za-z]+)/g, "data"), undefined]));
      // Malformed queries and bodies on well-formed paths.
      const good = concrete(route.path, project.id, valid);
      await batch(`${label} (query)`, QUERIES.map((query) => [route.method, `${good}${query}`, bodyless ? undefined : "{}"]));
      if (route.method !== "GET") await batch(`${label} (body)`, BODIES.map((body) => [route.method, good, body]));
    }
    for (const body of BODIES) await send("POST", "/api/logout", body);
    expect(failures, failures.join("\n")).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
  }, 240_000);
});
