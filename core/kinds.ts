import * as z from "zod";
import { Bucket, BucketName } from "./contract/bucket";
import { User } from "./contract/user";
import { SftpServer, SFTP_SERVER_NAME } from "./contract/sftp";
import type { ResourceKind } from "./contract/resource";

/**
 * The kind table: every fact about a resource kind that more than one part of Stackroom needs
 * (the Worker, the rooms, the bridge, the app), in one row per kind. The project's view and
 * snapshot, the live change frame, stack-name parsing, status words and the app's kind lists are
 * derived from it; `KINDS` must have exactly one row per `ResourceKind`, so a kind missing a fact
 * does not compile. A kind's behaviour (plan, run, heal) is its room module's, not this table's.
 */

/** How a kind's resources name their CloudFormation stacks: `stackroom-<project>-<segment>[-<name>]`. */
export interface StackNaming {
  /** The stack name's kind segment: lowercase letters only (no hyphen, so parsing is unambiguous). */
  segment: string;
  /** A kind with one resource per project (the SFTP server): its name, and its stack has no name part. */
  single?: string;
  /** Whether `name` can name a resource of the kind (and so a stack). */
  isName(name: string): boolean;
  /** The name as stack-safe text (`[A-Za-z0-9-]`), reversibly; default: the name itself. */
  encode?(name: string): string;
  /** Inverse of `encode`; null when the text is no encoding of a name. */
  decode?(text: string): string | null;
}

/** One row of the kind table. */
export interface KindFacts<View extends z.ZodType = z.ZodType> {
  /** Where the kind's resources are listed in the project's view and snapshot (`buckets`). */
  listKey: string;
  /** A resource's public view (the list items, and a change frame's field named by the kind). */
  view: View;
  /** The word before a resource's name in messages ("bucket logs", "SFTP server"). */
  noun: string;
  /** The kind in a sentence without a name: "the bucket", "the SFTP server". */
  definite: string;
  /** The resource in a sentence, quoted where a name is: "bucket “logs”", "the SFTP server". */
  label(name: string): string;
  /** One of them, and many, as the app says it: "bucket" / "buckets", "SFTP server" / "SFTP servers". */
  singular: string;
  plural: string;
  /** The heading of its tab or section: "Buckets". */
  title: string;
  stack: StackNaming;
}

/**
 * IAM user names allow `+=,.@_-`, stack names only `-`. Users are escaped reversibly with `-`
 * as the escape character (`-` itself becomes `-h`), so `alice` stays `alice` and
 * `ann.lee` becomes `ann-dlee`. Bucket names are already stack-safe and stay as they are.
 */
const USER_ESCAPES: Record<string, string> = { "-": "h", "+": "p", "=": "e", ",": "c", ".": "d", "@": "a", _: "u" };
const USER_UNESCAPES = Object.fromEntries(Object.entries(USER_ESCAPES).map(([raw, code]) => [code, raw]));

function encodeUserName(name: string): string {
  return [...name].map((c) => (USER_ESCAPES[c] === undefined ? c : `-${USER_ESCAPES[c]}`)).join("");
}

function decodeUserName(encoded: string): string | null {
  let out = "";
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded.charAt(i);
    if (c !== "-") {
      out += c;
      continue;
    }
    const raw = USER_UNESCAPES[encoded.charAt(++i)];
    if (raw === undefined) return null;
    out += raw;
  }
  return out;
}

/** Any IAM user name (healing reads users Stackroom's own form would refuse, e.g. 64 characters). */
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

const named = (noun: string) => (name: string) => `${noun} “${name}”`;

export const KINDS = {
  bucket: {
    listKey: "buckets",
    view: Bucket,
    noun: "bucket",
    definite: "the bucket",
    label: named("bucket"),
    singular: "bucket",
    plural: "buckets",
    title: "Buckets",
    stack: { segment: "bucket", isName: (name: string) => BucketName.safeParse(name).success },
  },
  user: {
    listKey: "users",
    view: User,
    noun: "user",
    definite: "the user",
    label: named("user"),
    singular: "user",
    plural: "users",
    title: "Users",
    stack: { segment: "user", isName: (name: string) => IAM_USER_NAME.test(name), encode: encodeUserName, decode: decodeUserName },
  },
  sftp: {
    listKey: "sftpServers",
    view: SftpServer,
    noun: "SFTP",
    definite: "the SFTP server",
    label: () => "the SFTP server",
    singular: "SFTP server",
    plural: "SFTP servers",
    title: "SFTP",
    stack: { segment: "sftp", single: SFTP_SERVER_NAME, isName: (name: string) => name === SFTP_SERVER_NAME },
  },
} as const satisfies Record<ResourceKind, KindFacts>;

type Kinds = typeof KINDS;

/** The kinds a project has one resource of (their stack has no name part): `sftp`. */
export type SingleKind = { [K in ResourceKind]: Kinds[K]["stack"] extends { single: string } ? K : never }[ResourceKind];

/** The kinds in table order (the order the app lists them in). */
export const KIND_KEYS = Object.keys(KINDS) as ResourceKind[];

/** The resource lists of the project's view and snapshot, one per kind (`buckets: Bucket[]`, …). */
export type KindListsShape = { [K in ResourceKind as Kinds[K]["listKey"]]: z.ZodDefault<z.ZodArray<Kinds[K]["view"]>> };
/** A change frame's resource fields: the kind's new view, or null when it is gone. */
export type KindFrameShape = { [K in ResourceKind]: z.ZodOptional<z.ZodNullable<Kinds[K]["view"]>> };

/** `{ buckets: z.array(Bucket).default([]), … }`: a list missing from older stored snapshots is empty. */
export function kindListsShape(): KindListsShape {
  return Object.fromEntries(KIND_KEYS.map((k) => [KINDS[k].listKey, z.array(KINDS[k].view).default([])])) as unknown as KindListsShape;
}

/** `{ bucket: Bucket.nullable().optional(), … }`. */
export function kindFrameShape(): KindFrameShape {
  return Object.fromEntries(KIND_KEYS.map((k) => [k, KINDS[k].view.nullable().optional()])) as unknown as KindFrameShape;
}

/**
 * Kinds registered at run time besides the table's (a test's extra kind proves a kind is a
 * plugin): stack naming and parsing see them; the typed lists and frames are the table's.
 */
const extraKinds = new Map<string, KindFacts>();

/** Names a kind's key or list key may not take: the other fields of a change frame and of the project's view and snapshot. */
const RESERVED_KEYS = new Set(["type", "seq", "activity", "members", "member", "project", "writtenAt"]);

/** Why a row cannot join the kinds known now (the table's and registered ones), or null when it can. */
function rowProblem(key: string, facts: KindFacts, known: Array<[string, KindFacts]>): string | null {
  if (!/^[a-z]+$/.test(key) || RESERVED_KEYS.has(key)) return `The kind key ${key} is not lowercase letters, or names another field of the frames.`;
  if (!/^[a-z][A-Za-z]*$/.test(facts.listKey) || RESERVED_KEYS.has(facts.listKey)) return `The list key ${facts.listKey} is not a plain name, or names another field of the view.`;
  // No hyphen in a segment: stackroom-<project>-<segment>-<name> parses unambiguously.
  if (!/^[a-z]+$/.test(facts.stack.segment)) return `A stack segment is lowercase letters: ${facts.stack.segment}.`;
  for (const [other, row] of known) {
    if (other === key) return `The kind ${key} is registered already.`;
    if (row.listKey === facts.listKey) return `The list key ${facts.listKey} is ${other}'s.`;
    if (row.stack.segment === facts.stack.segment) return `The stack segment ${facts.stack.segment} is ${other}'s.`;
  }
  return null;
}

// The table's own rows obey the same rules (checked once, when the table loads).
(Object.entries(KINDS) as Array<[string, KindFacts]>).forEach(([key, facts], i, rows) => {
  const problem = rowProblem(key, facts, rows.slice(0, i));
  if (problem) throw new Error(`core/kinds.ts: ${problem}`);
});

/** Adds a kind to what stack naming and parsing know. Refuses a key, list key or stack segment in use or reserved. */
export function registerKind(key: string, facts: KindFacts): void {
  const problem = rowProblem(key, facts, allKinds());
  if (problem) throw new Error(problem);
  extraKinds.set(key, facts);
}

/** Every kind known now: the table's, then registered ones. */
export function allKinds(): Array<[string, KindFacts]> {
  return [...(Object.entries(KINDS) as Array<[string, KindFacts]>), ...extraKinds];
}

/** A kind's row by its key (the table's or a registered one's); undefined for anything else, `toString` included. */
export function kindFacts(key: string): KindFacts | undefined {
  return Object.hasOwn(KINDS, key) ? KINDS[key as ResourceKind] : extraKinds.get(key);
}
