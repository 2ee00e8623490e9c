import type { Context } from "hono";
import type { ProjectRecord } from "../../../core/contract";
import { ApiError } from "../../errors";
import { projectRegistry } from "../../registry";
import type { AppEnv } from "../../app-env";

/** The `:p` project as the registry (the authority, never a cached copy) has it; 404 otherwise. */
export async function registered(c: Context<AppEnv>): Promise<ProjectRecord> {
  const id = c.req.param("p") ?? "";
  const project = await projectRegistry(c.env).get(id);
  if (!project) throw new ApiError("not_found", `No project “${id}” is registered.`);
  return project;
}
