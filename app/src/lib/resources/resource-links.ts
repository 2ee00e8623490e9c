import type { ResourceKind } from "$contract";
import { isSingle } from "$lib/kinds";

/** Where each kind's pages sit under the project (the route folders in routes/projects/[id]/). */
const PAGES = { bucket: "buckets", user: "users", sftp: "sftp" } satisfies Record<ResourceKind, string>;

/**
 * The page of one resource: `/projects/:p/buckets/:name`, `/projects/:p/users/:name`, and the
 * project's SFTP server at `/projects/:p/sftp` (a kind a project has one of has one page).
 * Tables, the activity and toasts link here.
 */
export function resourceHref(project: string, kind: ResourceKind, name: string): string {
  const page = `/projects/${encodeURIComponent(project)}/${PAGES[kind]}`;
  return isSingle(kind) ? page : `${page}/${encodeURIComponent(name)}`;
}
