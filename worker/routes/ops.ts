import { Hono } from "hono";
import { ApiError, unwrap } from "../errors";
import { ProjectRecord, ProjectRegistration } from "../domain/contract";
import { findProject, listProjects, putProject } from "../registry";
import { projectRoom } from "../room";
import { jsonBody } from "../validate";
import type { AppEnv } from "../app-env";

/**
 * Ops endpoints behind the `OPS_TOKEN` bearer secret: register a project (its AWS account, the
 * bridge's role and topic, its members) and list the registry. Used by `npm run ops`.
 */
export const opsRoutes = new Hono<AppEnv>()
  .use(async function requireOpsToken(c, next) {
    const given = c.req.header("Authorization")?.replace(/^Bearer\s+/i, "") ?? "";
    if (!c.env.OPS_TOKEN || !(await sameSecret(given, c.env.OPS_TOKEN))) {
      throw new ApiError("unauthenticated", "Ops endpoints need the ops bearer token (Authorization: Bearer <OPS_TOKEN>).");
    }
    await next();
  })
  .get("/projects", async (c) => c.json({ projects: await listProjects(c.env.STACK_CACHE) }))
  // Heals one project's cache from CloudFormation right now (the cron does it every 15 minutes).
  .post("/projects/:p/resync", async (c) => {
    const project = await findProject(c.env.STACK_CACHE, c.req.param("p"));
    if (!project) throw new ApiError("not_found", `No project “${c.req.param("p")}” is registered.`);
    return c.json(unwrap(await projectRoom(c.env, project.id).refresh(project)));
  })
  // Registers (or re-registers) a project's AWS side; a new project needs its first members.
  .put("/projects", async (c) => {
    const { members, replaceMembers, ...rest } = await jsonBody(c, ProjectRegistration);
    const record = ProjectRecord.parse(rest);
    const room = projectRoom(c.env, record.id);
    const current = await room.listMembers();
    if (current.length === 0 && !members) throw new ApiError("invalid", "A new project needs its first members (at least one owner).", { members: "Required for a new project." });
    await putProject(c.env.STACK_CACHE, record);
    const seeded = members ? await room.seedMembers(record, members, replaceMembers) : current;
    return c.json({ project: record, members: seeded });
  });

/** Constant-time comparison: both sides are hashed first so their lengths leak nothing either. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [ha, hb] = await Promise.all([a, b].map((v) => crypto.subtle.digest("SHA-256", encoder.encode(v))));
  return ha !== undefined && hb !== undefined && crypto.subtle.timingSafeEqual(ha, hb);
}
