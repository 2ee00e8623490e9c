import type { ProjectRecord, ProjectSummary, Role } from "../core/contract";
import { REGISTRY_CACHE_KEY, RegistryCache } from "../core/kv-documents";
import { readCopy } from "./kv-copy";
import type { ProjectRegistry } from "../durable-objects/project-registry";

/**
 * The project registry as requests read it: the KV copy the ProjectRegistry object writes (one
 * read answers every lookup), falling back to the object itself, the authority, whenever the copy
 * is missing or unreadable (and having it written again), or does not know a project yet.
 */

/** The one registry object's name (`PROJECT_REGISTRY.idFromName`). */
export const REGISTRY_NAME = "registry";

/** The deployment's one registry object. */
export function projectRegistry(env: Env): DurableObjectStub<ProjectRegistry> {
  return env.PROJECT_REGISTRY.get(env.PROJECT_REGISTRY.idFromName(REGISTRY_NAME));
}

/**
 * The parsed copy, kept per isolate for a few seconds: every API request needs it, and KV itself
 * may be a minute behind anyway. A registration lands in the authority at once.
 */
const MEMO_MS = 5_000;
let memo: { kv: KVNamespace; at: number; projects: ProjectRecord[] } | undefined;

export async function listProjects(env: Env): Promise<ProjectRecord[]> {
  if (memo && memo.kv === env.STACK_CACHE && Date.now() - memo.at < MEMO_MS) return memo.projects;
  const copy = await readCopy(env.STACK_CACHE, REGISTRY_CACHE_KEY, RegistryCache);
  // publish() answers the authority's list and writes the copy again.
  const projects = copy ? copy.projects : await projectRegistry(env).publish();
  memo = { kv: env.STACK_CACHE, at: Date.now(), projects };
  return projects;
}

/** The project, from the copy; one the copy does not know (yet) is asked of the authority. */
export async function findProject(env: Env, id: string): Promise<ProjectRecord | undefined> {
  const cached = (await listProjects(env)).find((p) => p.id === id);
  if (cached) return cached;
  return (await projectRegistry(env).get(id)) ?? undefined;
}

/** Forgets this isolate's copy (after ops changed the registry here). */
export function forgetRegistryMemo(): void {
  memo = undefined;
}

export function summarize(project: ProjectRecord, role: Role): ProjectSummary {
  return { id: project.id, name: project.name, accountId: project.accountId, region: project.region, role };
}
