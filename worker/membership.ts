import type { MiddlewareHandler } from "hono";
import { ProjectId, type Member, type ProjectRecord, type Role } from "./domain/contract";
import { MembersDocument, membersKey } from "./domain/kv-documents";
import { ApiError } from "./errors";
import { findProject } from "./registry";
import type { AppEnv } from "./app-env";

/*
 * Who belongs to a project, as the project's room last published it (domain/kv-documents.ts).
 * The room owns the member list (owners change it in the app; it checks the last-owner rule and
 * closes removed members' sockets); each project's list is its own KV key, written only by that
 * room, so two projects' changes can never overwrite each other.
 */

/** KV's bulk read takes at most 100 keys per call. */
const BULK_GET_MAX = 100;

export function roleIn(members: readonly Member[], email: string): Role | undefined {
  return members.find((m) => m.email === email.toLowerCase())?.role;
}

function parseMembers(projectId: string, raw: unknown): Member[] {
  if (raw === null || raw === undefined) return [];
  const parsed = MembersDocument.safeParse(raw);
  if (!parsed.success) console.error("member list in KV is invalid; treating as empty", { projectId, error: parsed.error.message });
  return parsed.success ? parsed.data.members : [];
}

export async function readMembers(kv: KVNamespace, projectId: string): Promise<Member[]> {
  return parseMembers(projectId, await kv.get(membersKey(projectId), "json"));
}

/** The projects `email` belongs to, with their role there: one bulk KV read per 100 projects. */
export async function membershipsOf(kv: KVNamespace, projects: readonly ProjectRecord[], email: string): Promise<Array<{ project: ProjectRecord; role: Role }>> {
  const found: Array<{ project: ProjectRecord; role: Role }> = [];
  for (let i = 0; i < projects.length; i += BULK_GET_MAX) {
    const chunk = projects.slice(i, i + BULK_GET_MAX);
    const docs = await kv.get(chunk.map((p) => membersKey(p.id)), "json");
    for (const project of chunk) {
      const role = roleIn(parseMembers(project.id, docs.get(membersKey(project.id))), email);
      if (role) found.push({ project, role });
    }
  }
  return found;
}

const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

/**
 * Middleware for `/api/projects/:p/*`: loads the project, 404 unless the caller is a member
 * (non-members cannot learn that a project exists), 403 unless their role is at least `minRole`.
 */
export function requireMember(minRole: Role = "viewer"): MiddlewareHandler<AppEnv> {
  return async function requireMember(c, next) {
    const id = c.req.param("p");
    const project = ProjectId.safeParse(id).success && id ? await findProject(c.env.STACK_CACHE, id) : undefined;
    const role = project ? roleIn(await readMembers(c.env.STACK_CACHE, project.id), c.get("email")) : undefined;
    if (!project || !role) throw new ApiError("not_found", `No project “${id ?? ""}” that you are a member of.`);
    if (rank[role] < rank[minRole]) {
      throw new ApiError("forbidden", `Your role in ${project.name} is ${role}; this needs ${minRole === "owner" ? "owner" : `${minRole} or owner`}.`);
    }
    c.set("project", project);
    c.set("role", role);
    await next();
  };
}
