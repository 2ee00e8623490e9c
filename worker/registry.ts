import * as z from "zod";
import { ProjectRecord, type ProjectSummary, type Role } from "./domain/contract";

/**
 * The project registry: one KV document holding every ProjectRecord (the AWS side; members live
 * with each project's room, see membership.ts). Projects are few (one AWS account each) and
 * change only when ops register one, so a single read answers every lookup instead of one
 * KV.get per project.
 */
const REGISTRY_KEY = "registry:projects";
const Registry = z.array(ProjectRecord);

/**
 * Parsed registry kept per isolate for a few seconds: every API request needs it, and KV itself
 * is eventually consistent for up to a minute anyway. A put in this isolate refreshes it at once.
 */
const MEMO_MS = 5_000;
let memo: { kv: KVNamespace; at: number; projects: ProjectRecord[] } | undefined;

export async function listProjects(kv: KVNamespace): Promise<ProjectRecord[]> {
  if (memo && memo.kv === kv && Date.now() - memo.at < MEMO_MS) return memo.projects;
  const raw = await kv.get(REGISTRY_KEY, "json");
  const parsed = Registry.safeParse(raw ?? []);
  if (!parsed.success) console.error("registry in KV is invalid; treating as empty", parsed.error.message);
  const projects = parsed.success ? parsed.data : [];
  memo = { kv, at: Date.now(), projects };
  return projects;
}

export async function findProject(kv: KVNamespace, id: string): Promise<ProjectRecord | undefined> {
  return (await listProjects(kv)).find((p) => p.id === id);
}

/** Adds or replaces a project (ops only). */
export async function putProject(kv: KVNamespace, record: ProjectRecord): Promise<void> {
  const others = (await listProjects(kv)).filter((p) => p.id !== record.id);
  const projects = [...others, record].sort((a, b) => a.id.localeCompare(b.id));
  await kv.put(REGISTRY_KEY, JSON.stringify(projects));
  memo = { kv, at: Date.now(), projects };
}

export function summarize(project: ProjectRecord, role: Role): ProjectSummary {
  return { id: project.id, name: project.name, accountId: project.accountId, region: project.region, role };
}
