import { Hono } from "hono";
import * as z from "zod";
import { ResourceKind } from "../../core/contract";
import { isResourceName } from "../../core/naming";
import { callerOf, requireMember } from "../membership";
import { projectRoom } from "../room";
import { parseParam } from "../validate";
import { unwrap } from "../errors";
import type { AppEnv } from "../app-env";

/**
 * `GET /api/projects/:p/resources/:kind/:name/events`: the CloudFormation events the project's
 * room holds for one resource's stack (a resource page's progress). Any member may read them;
 * nothing here calls AWS.
 */
export const resourceEventRoutes = new Hono<AppEnv>().get("/:kind/:name/events", requireMember(), async (c) => {
  const kind = parseParam(ResourceKind, c.req.param("kind"), "resource kind");
  const name = parseParam(z.string().refine((n) => isResourceName(kind, n)), c.req.param("name"), kind);
  const { ok: _ok, ...events } = unwrap(await projectRoom(c.env, c.get("project").id).resourceEvents(c.get("project"), callerOf(c), kind, name));
  return c.json(events);
});
