import type { ResourceKind } from "$contract";

/**
 * The page of one resource: `/projects/:p/buckets/:name`, `/projects/:p/users/:name`, and the
 * project's SFTP server at `/projects/:p/sftp`. Tables, the activity and toasts link here.
 */
export function resourceHref(project: string, kind: ResourceKind, name: string): string {
  const p = encodeURIComponent(project);
  if (kind === "sftp") return `/projects/${p}/sftp`;
  return `/projects/${p}/${kind === "bucket" ? "buckets" : "users"}/${encodeURIComponent(name)}`;
}
