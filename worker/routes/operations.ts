import { Hono } from "hono";
import * as z from "zod";
import { callerOf, requireMember } from "../membership";
import { projectRoom } from "../room";
import { parseParam } from "../validate";
import { unwrap } from "../errors";
import type { AppEnv } from "../app-env";

/** Queued edits: `DELETE /api/projects/:p/operations/:id` cancels one before it starts. */
export const operationRoutes = new Hono<AppEnv>().delete("/:id", requireMember("editor"), async (c) => {
  const id = parseParam(z.uuid(), c.req.param("id"), "queued edit");
  const result = unwrap(await projectRoom(c.env, c.get("project").id).cancel(c.get("project"), callerOf(c), id));
  return c.json({ cancelled: result.edit });
});
