import { Hono } from "hono";
import * as z from "zod";
import { ActivityQuery, type ActivityPage, type ProjectList, type ProjectView } from "../../core/contract";
import { LIVE_CALLER_HEADERS } from "../../core/room-result";
import { listProjects, summarize } from "../registry";
import { callerOf, membershipsOf, requireMember } from "../membership";
import { cachedSnapshot, viewText } from "../snapshot";
import { notModified, projectViewEtag } from "../conditional-get";
import { snapshotVersion } from "../../core/kv-documents";
import { projectRoom } from "../room";
import { ApiError, unwrap } from "../errors";
import { zodToApiError } from "../validate";
import type { AppEnv } from "../app-env";

const LiveQuery = z.object({ since: z.coerce.number().int().nonnegative().default(0) });

/** Project list, the cached project view, activity and the live socket. */
export const projectRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const memberships = await membershipsOf(c.env, await listProjects(c.env), c.get("email"));
    return c.json({ projects: memberships.map(({ project, role }) => summarize(project, role)) } satisfies ProjectList);
  })
  // Answered from the KV snapshot alone: reads never call CloudFormation. With an ETag: a client
  // whose copy is current gets a 304 without the snapshot being parsed (or sent) again. A copy
  // the room vouches for (its metadata) is sent as stored, not parsed and serialised again.
  .get("/:p", requireMember(), async (c) => {
    const project = c.get("project");
    const summary = summarize(project, c.get("role"));
    const cached = await cachedSnapshot(c.env, project.id);
    // Browsers keep the answer but ask again each time (no-cache), sending the ETag back.
    c.header("Cache-Control", "private, no-cache");
    if (cached.version !== null) {
      const etag = projectViewEtag(cached.version, summary);
      if (notModified(c.req.header("If-None-Match"), etag)) return c.body(null, 304, { ETag: etag });
      if (cached.text !== null) return c.body(viewText(summary, cached.text), 200, { ETag: etag, "Content-Type": "application/json" });
    }
    const snapshot = await cached.read();
    const { writtenAt: _written, ...state } = snapshot;
    c.header("ETag", projectViewEtag(snapshotVersion(snapshot), summary));
    const view: ProjectView = { project: summary, ...state };
    return c.json(view);
  })
  .get("/:p/activity", requireMember(), async (c) => {
    const query = ActivityQuery.safeParse(c.req.query());
    if (!query.success) throw zodToApiError(query.error, "The activity query");
    const { before, limit, ...filter } = query.data;
    const { ok: _ok, ...page } = unwrap(await projectRoom(c.env, c.get("project").id).activity(c.get("project"), callerOf(c), before ?? null, limit, filter));
    return c.json(page satisfies ActivityPage);
  })
  // Heals the cache from CloudFormation (missed events, changes made outside Stackroom).
  .post("/:p/refresh", requireMember("editor"), async (c) => {
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).refreshFor(project, callerOf(c)));
    return c.json({ changed: result.changed });
  })
  .get("/:p/live", requireMember(), async (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError("invalid", "This endpoint expects a WebSocket upgrade.");
    }
    const query = LiveQuery.safeParse(c.req.query());
    if (!query.success) throw zodToApiError(query.error, "The live query");
    const url = new URL(c.req.url);
    url.search = `?since=${query.data.since}`;
    const headers = new Headers(c.req.raw.headers);
    headers.set(LIVE_CALLER_HEADERS.email, c.get("email"));
    headers.set(LIVE_CALLER_HEADERS.session, c.get("sessionId"));
    headers.set(LIVE_CALLER_HEADERS.expires, String(c.get("sessionExpiresAt")));
    return projectRoom(c.env, c.get("project").id).fetch(new Request(url, { headers }));
  });
