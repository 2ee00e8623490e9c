import type { Context, MiddlewareHandler } from "hono";
import { notAMember, ProjectId, roleAtLeast, roleTooLow, type Member, type ProjectRecord, type Role } from "../core/contract";
import type { Caller } from "../core/room-result";
import { MembersDocument, membersKey } from "../core/kv-documents";
import { ApiError } from "./errors";
import { errorText, logEvent } from "../core/log";
import { parseCopy, readCopy } from "./kv-copy";
import { findProject } from "./registry";
import { projectRoom } from "./room";
import type { AppEnv } from "./app-env";

/*
 * Who belongs to a project, as its room last published it to KV (domain/kv-documents.ts). The
 * room is the authority: it checks every change against its own member table in the same call.
 * The KV copy only lets reads (and the project lists) skip a round trip to the room; a copy that
 * is missing or unreadable is replaced by asking the room, and a copy that says no is confirmed
 * with the room before anyone is refused (they may have just been added).
 */

/** KV's bulk read takes at most 100 keys per call. */
const BULK_GET_MAX = 100;

function roleIn(members: readonly Member[], email: string): Role | undefined {
  return members.find((m) => m.email === email.toLowerCase())?.role;
}

/** The members: the KV copy, else the room's own list (which the room then writes to KV again). */
async function readMembers(env: Env, projectId: string): Promise<Member[]> {
  const copy = await readCopy(env.STACK_CACHE, membersKey(projectId), MembersDocument);
  return copy?.members ?? (await projectRoom(env, projectId).republishMembers(projectId));
}

/** The projects `email` belongs to, with their role there: one bulk KV read per 100 projects. */
export async function membershipsOf(env: Env, projects: readonly ProjectRecord[], email: string): Promise<Array<{ project: ProjectRecord; role: Role }>> {
  const found: Array<{ project: ProjectRecord; role: Role }> = [];
  for (let i = 0; i < projects.length; i += BULK_GET_MAX) {
    const chunk = projects.slice(i, i + BULK_GET_MAX);
    const docs = await env.STACK_CACHE.get(chunk.map((p) => membersKey(p.id))).catch((err: unknown) => {
      logEvent("error", "kv_read_failed", { keys: chunk.length, error: errorText(err) });
      return new Map<string, string | null>();
    });
    const lists = await Promise.all(
      chunk.map(async (project) => {
        const key = membersKey(project.id);
        return parseCopy(key, docs.get(key) ?? null, MembersDocument)?.members ?? (await projectRoom(env, project.id).republishMembers(project.id));
      }),
    );
    chunk.forEach((project, j) => {
      const role = roleIn(lists[j] ?? [], email);
      if (role) found.push({ project, role });
    });
  }
  return found;
}

/** The signed-in caller as the room needs it (set by requireIdentity). */
export function callerOf(c: Context<AppEnv>): Caller {
  return { email: c.get("email"), sessionId: c.get("sessionId"), sessionExpiresAt: c.get("sessionExpiresAt") };
}

/**
 * Middleware for `/api/projects/:p/*`: loads the project, 404 unless the caller is a member
 * (non-members cannot learn that a project exists), 403 unless their role is at least `minRole`.
 * The KV copy may let a read through; a refusal is always the room's (the authority's) answer.
 * Changes are checked again by the room itself, whatever this found.
 */
export function requireMember(minRole: Role = "viewer"): MiddlewareHandler<AppEnv> {
  return async function requireMember(c, next) {
    const id = c.req.param("p") ?? "";
    const project = ProjectId.safeParse(id).success ? await findProject(c.env, id) : undefined;
    if (!project) throw new ApiError("not_found", notAMember(id));
    let role = roleIn(await readMembers(c.env, project.id), c.get("email"));
    if (!role || !roleAtLeast(role, minRole)) role = (await projectRoom(c.env, project.id).roleOf(c.get("email"))) ?? undefined;
    if (!role) throw new ApiError("not_found", notAMember(id));
    if (!roleAtLeast(role, minRole)) throw new ApiError("forbidden", roleTooLow(project.name, role, minRole));
    c.set("project", project);
    c.set("role", role);
    await next();
  };
}
