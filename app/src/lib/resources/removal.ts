import type { ResourceKind } from "$contract";
import { deleteBucket, deleteUser, setSftp } from "$lib/api";
import type { KindView } from "$lib/kinds";
import type { ProjectState } from "$lib/project/project-state.svelte";
import type { Accepted } from "./operations";

/**
 * How each kind's resource is removed, by kind, so a new kind cannot fall into another kind's
 * call or words: the compiler asks for its row.
 */

interface RemoveOptions {
  /** false: answer 409 `locked` instead of waiting behind a running operation. */
  queue?: boolean;
  /** Buckets only: also take the bucket out of every user's permissions, in the same operation. */
  removeGrants?: boolean;
}

/** Each kind's removal call; the resource it answers goes into the page's state at once. */
export const removals: Record<ResourceKind, (project: ProjectState, name: string, opts?: RemoveOptions) => Promise<Accepted>> = {
  bucket: async (project, name, { queue, removeGrants } = {}) => {
    const answer = await deleteBucket(project.project.id, name, { queue, removeGrants });
    if (answer?.bucket) project.offer("bucket", answer.bucket);
    return { resource: answer?.bucket, operationId: answer?.operationId };
  },
  user: async (project, name, { queue } = {}) => {
    const answer = await deleteUser(project.project.id, name, { queue });
    if (answer?.user) project.offer("user", answer.user);
    return { resource: answer?.user, operationId: answer?.operationId };
  },
  // The SFTP server is turned off rather than deleted; a project has one, so no name.
  sftp: async (project, _name, { queue } = {}) => {
    const { sftp, operationId } = await setSftp(project.project.id, false, { queue });
    project.offer("sftp", sftp);
    return { resource: sftp, operationId };
  },
};

/** What a confirmed delete does in AWS, as the delete dialog warns before the name is typed. */
const DELETE_WARNINGS: { [K in ResourceKind]: (resource: KindView<K> | undefined) => string } = {
  bucket: () =>
    "This deletes the bucket and its stack in AWS. Stackroom never destroys data silently: a bucket that still holds objects is refused, and you will be told so.",
  user: (user) => {
    const keys = user?.keys.length ?? 0;
    const lost = keys === 0 ? [] : [`Its ${keys === 1 ? "access key is" : `${keys} access keys are`} deleted first, so anyone using ${keys === 1 ? "it" : "them"} loses access at once.`];
    return ["This deletes the IAM user and its stack in AWS.", ...lost, "Share links for this user stop being useful. Buckets and their objects are not touched."].join(" ");
  },
  sftp: () => "This turns SFTP off: the AWS Transfer Family server and its stack are deleted, and partners can no longer connect. The buckets and their files stay as they are.",
};

/** The delete dialog's warning for `resource` (as the page holds it now) of `kind`. */
export function deleteWarning<K extends ResourceKind>(kind: K, resource: KindView<K> | undefined): string {
  return DELETE_WARNINGS[kind](resource);
}
