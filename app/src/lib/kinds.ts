import type * as z from "zod";
import type { ResourceKind } from "$contract";
import { kindFacts, type KINDS } from "$core/kinds";

/**
 * The kind table (core/kinds.ts) as the app's types and words see it: a kind's facts are read from
 * its row, so a new kind's lists, labels and titles need no new code here.
 */

/**
 * Each kind's view (`Bucket`, `User`, `SftpServer`), by kind: a map, so that code generic in the
 * kind can index it and TypeScript keeps a kind and its view together.
 */
type KindViews = { [K in ResourceKind]: z.infer<(typeof KINDS)[K]["view"]> };

/** A resource of kind K as the project's view lists it; the union of every kind's by default. */
export type KindView<K extends ResourceKind = ResourceKind> = KindViews[K];
/** What a resource of kind K is asked to be (`BucketSpec`, …); the union by default. */
export type KindSpec<K extends ResourceKind = ResourceKind> = KindView<K>["spec"];

/**
 * What a resource's test ids start with: buckets keep their historical unprefixed ids, other kinds
 * are prefixed with their key (`user-lock-acme`), so equal names of two kinds never clash.
 */
export function testIdPrefix(kind: ResourceKind): string {
  return kind === "bucket" ? "" : `${kind}-`;
}

/**
 * A kind a project has at most one of (the SFTP server): named by its definite noun, never counted.
 * Total: a kind the table does not have (a hand-edited link's `toString`) is not single.
 */
export function isSingle(kind: string): boolean {
  return kindFacts(kind)?.stack.single !== undefined;
}
