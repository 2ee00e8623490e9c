import { Hono } from "hono";
import * as z from "zod";
import { CreateShareBody, SHARE_PROOF_HEADER, ShareHandle, ShareId, type CreatedShare, type OpenedShare, type ShareList, type ShareState } from "../../core/contract";
import { findProject } from "../registry";
import { callerOf, requireMember } from "../membership";
import { projectRoom } from "../room";
import { jsonBody, parseParam } from "../validate";
import { ApiError, unwrap } from "../errors";
import { clientAddress, takeRateLimit } from "../auth/rate-limit";
import type { AppEnv } from "../app-env";

/** Seconds of the SHARE_OPEN_LIMITER binding's period (wrangler.toml). */
const SHARE_OPEN_PERIOD_SECONDS = 60;

const Proof = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/**
 * Managers' side of one-time links: create (ciphertext only), list, revoke. Editors and owners
 * only: a link names who holds access, and managers see links by a handle that cannot open them.
 */
export const projectShareRoutes = new Hono<AppEnv>()
  .use(requireMember("editor"))
  .get("/", async (c) => {
    const result = unwrap(await projectRoom(c.env, c.get("project").id).listShares(c.get("project"), callerOf(c)));
    return c.json({ shares: result.shares } satisfies ShareList);
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, CreateShareBody);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).createShare(project, callerOf(c), body));
    // The link's id is in this one answer: never cache it.
    c.header("Cache-Control", "no-store");
    return c.json({ share: result.share, id: result.id } satisfies CreatedShare, 201);
  })
  .delete("/:handle", async (c) => {
    const handle = parseParam(ShareHandle, c.req.param("handle"), "share link");
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).revokeShare(project, callerOf(c), handle));
    return c.json({ share: result.share });
  });

/**
 * The recipient's side: no session; the link's id names the project, and the open proof (derived
 * in the browser from the key in the link's #fragment, and the passphrase if it has one) shows the
 * caller holds the whole link. Wrong proofs are counted by the room; the fifth burns the link.
 */
export const publicShareRoutes = new Hono<AppEnv>()
  /**
   * Whether the link is still openable, without a proof and without using anything up: the page
   * asks first, so a used link says so even once its key has left the address bar. Unknown ids
   * get the open's own 404s, and the same rate limit keeps this from being a cheaper oracle.
   */
  .get("/:id/status", async (c) => {
    await takeRateLimit(c.env.SHARE_OPEN_LIMITER, `share-open:${clientAddress(c)}`, SHARE_OPEN_PERIOD_SECONDS, "link openings from your address");
    const id = parseParam(ShareId, c.req.param("id"), "share link");
    const project = await findProject(c.env, id.slice(0, id.indexOf(".")));
    if (!project) throw new ApiError("not_found", "This link does not exist. Check that you copied all of it.");
    const result = unwrap(await projectRoom(c.env, project.id).shareState(id));
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    return c.json(result.state satisfies ShareState);
  })
  .get("/:id", async (c) => {
  // Link ids are unguessable (128 random bits); the limit keeps a guesser from trying at scale.
  await takeRateLimit(c.env.SHARE_OPEN_LIMITER, `share-open:${clientAddress(c)}`, SHARE_OPEN_PERIOD_SECONDS, "link openings from your address");
  const id = parseParam(ShareId, c.req.param("id"), "share link");
  const header = c.req.header(SHARE_PROOF_HEADER);
  const proof = header === undefined ? null : Proof.safeParse(header);
  if (proof && !proof.success) throw new ApiError("invalid", `The ${SHARE_PROOF_HEADER} header must be 43 base64url characters.`);
  const project = await findProject(c.env, id.slice(0, id.indexOf(".")));
  if (!project) throw new ApiError("not_found", "This link does not exist. Check that you copied all of it.");
  const result = unwrap(await projectRoom(c.env, project.id).openShare(project, id, proof ? proof.data : null));
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  return c.json(result.opened satisfies OpenedShare);
  });
