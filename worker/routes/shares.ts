import { Hono } from "hono";
import { CreateShareBody, ShareId, type OpenedShare, type ShareList } from "../domain/contract";
import { findProject } from "../registry";
import { requireMember } from "../membership";
import { projectRoom } from "../room";
import { jsonBody, parseParam } from "../validate";
import { ApiError, unwrap } from "../errors";
import { clientAddress, takeRateLimit } from "../auth/rate-limit";
import type { AppEnv } from "../app-env";

/** Seconds of the SHARE_OPEN_LIMITER binding's period (wrangler.toml). */
const SHARE_OPEN_PERIOD_SECONDS = 60;

/** Managers' side of one-time links: create (ciphertext only), list, revoke. */
export const projectShareRoutes = new Hono<AppEnv>()
  // Viewers may see which links exist and whether they were opened (never any payload).
  .get("/", requireMember("viewer"), async (c) => {
    const result = unwrap(await projectRoom(c.env, c.get("project").id).listShares());
    return c.json({ shares: result.shares } satisfies ShareList);
  })
  .post("/", requireMember("editor"), async (c) => {
    const body = await jsonBody(c, CreateShareBody);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).createShare(project, c.get("email"), body));
    return c.json({ share: result.share }, 201);
  })
  .delete("/:id", requireMember("editor"), async (c) => {
    const id = parseParam(ShareId, c.req.param("id"), "share link");
    const project = c.get("project");
    if (!id.startsWith(`${project.id}.`)) throw new ApiError("not_found", "No such share link in this project.");
    const result = unwrap(await projectRoom(c.env, project.id).revokeShare(c.get("email"), id));
    return c.json({ share: result.share });
  });

/** The recipient's side: no session; the link's id names the project, its #fragment (never sent) the key. */
export const publicShareRoutes = new Hono<AppEnv>().get("/:id", async (c) => {
  // Link ids are unguessable (128 random bits); the limit keeps a guesser from trying at scale.
  await takeRateLimit(c.env.SHARE_OPEN_LIMITER, `share-open:${clientAddress(c)}`, SHARE_OPEN_PERIOD_SECONDS, "link openings");
  const id = parseParam(ShareId, c.req.param("id"), "share link");
  const project = await findProject(c.env.STACK_CACHE, id.slice(0, id.indexOf(".")));
  if (!project) throw new ApiError("not_found", "This link does not exist. Check that you copied all of it.");
  const result = unwrap(await projectRoom(c.env, project.id).openShare(project, id));
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  return c.json(result.opened satisfies OpenedShare);
});
