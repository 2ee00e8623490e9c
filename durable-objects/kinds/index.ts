import type { ResourceKind } from "../../core/contract";
import type { KindModule } from "./kind";
import { bucketKind } from "./bucket";
import { userKind } from "./user";
import { sftpKind } from "./sftp";

/**
 * Every resource kind the room manages, by name. Adding a kind is adding its module here (and
 * its contract, template, routes and app panel); nothing else in the room names a kind.
 */
export const kinds: Record<ResourceKind, KindModule> = {
  bucket: bucketKind,
  user: userKind,
  sftp: sftpKind,
};

export const kindList: readonly KindModule[] = Object.values(kinds);

export type { KindModule } from "./kind";
