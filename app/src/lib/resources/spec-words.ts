import type { BucketSpec, Lock, Permission, QueuedEdit, ResourceKind, SftpServerSpec, UserSpec } from "$contract";
import { capitalize } from "$core/words";
import { accessLabel, encryptionLabel, shortDateTime } from "$lib/format";
import type { KindSpec } from "$lib/kinds";

/** A resource's settings in a manager's words, for "what is being applied". */
function bucketSettings(spec: BucketSpec): string[] {
  return [
    `versioning ${spec.versioning ? "on" : "off"}`,
    encryptionLabel[spec.encryption],
    spec.expireAfterDays === null ? "no expiry" : `objects expire after ${days(spec.expireAfterDays)}`,
  ];
}

function userSettings(spec: UserSpec): string[] {
  const grants = spec.permissions.length;
  return [
    grants === 0 ? "no bucket access" : grants === 1 ? `access to ${grantLabel(spec.permissions[0])}` : `access to ${grants} buckets/prefixes`,
    spec.expiresAt ? `expires ${shortDateTime(spec.expiresAt)}` : "never expires",
    ...(spec.sftp ? [sftpKeys(spec.sftp.sshPublicKeys.length)] : []),
  ];
}

/** The SFTP server's settings: what a manager may want to know about a Transfer server. */
function sftpSettings(spec: SftpServerSpec): string[] {
  return [`security policy ${spec.securityPolicy}`, `logs kept ${days(spec.logRetentionDays)}`];
}

function sftpChanges(before: SftpServerSpec, after: SftpServerSpec): string[] {
  const changes: string[] = [];
  if (before.securityPolicy !== after.securityPolicy) changes.push(`security policy ${before.securityPolicy} → ${after.securityPolicy}`);
  if (before.logRetentionDays !== after.logRetentionDays) changes.push(`logs kept ${days(before.logRetentionDays)} → ${days(after.logRetentionDays)}`);
  return changes;
}

/** What differs between two bucket specs, e.g. ["versioning on → off"]. */
function bucketChanges(before: BucketSpec, after: BucketSpec): string[] {
  const changes: string[] = [];
  if (before.versioning !== after.versioning) changes.push(`versioning ${before.versioning ? "on → off" : "off → on"}`);
  if (before.encryption !== after.encryption) changes.push(`encryption ${encryptionLabel[before.encryption]} → ${encryptionLabel[after.encryption]}`);
  if (before.expireAfterDays !== after.expireAfterDays) changes.push(`expiry ${expiry(before.expireAfterDays)} → ${expiry(after.expireAfterDays)}`);
  return changes;
}

/** What differs between two user specs, grant by grant. */
export function userChanges(before: UserSpec, after: UserSpec): string[] {
  const changes: string[] = [];
  if (before.description !== after.description) changes.push(after.description ? `description “${after.description}”` : "description removed");
  const key = (p: Permission) => `${p.bucket}/${p.prefix ?? ""}`;
  const old = new Map(before.permissions.map((p) => [key(p), p]));
  const now = new Map(after.permissions.map((p) => [key(p), p]));
  for (const [k, p] of now) {
    const was = old.get(k);
    if (!was) changes.push(`grant ${accessLabel[p.access].toLowerCase()} on ${grantLabel(p)}`);
    else if (was.access !== p.access) changes.push(`${grantLabel(p)}: ${accessLabel[was.access].toLowerCase()} → ${accessLabel[p.access].toLowerCase()}`);
  }
  for (const [k, p] of old) if (!now.has(k)) changes.push(`remove access to ${grantLabel(p)}`);
  if (before.expiresAt !== after.expiresAt) changes.push(after.expiresAt ? `expires ${shortDateTime(after.expiresAt)}` : "never expires");
  const keysBefore = before.sftp?.sshPublicKeys ?? null;
  const keysAfter = after.sftp?.sshPublicKeys ?? null;
  if (!keysAfter && keysBefore) changes.push("SFTP access removed");
  else if (keysAfter && (!keysBefore || keysBefore.join("\n") !== keysAfter.join("\n"))) changes.push(sftpKeys(keysAfter.length));
  return changes;
}

/**
 * A queued update's fields as the room writes them (`versioning → false`: the request body's field
 * and its JSON value), each in words; null when the value is not what the field takes.
 */
type FieldWords = Readonly<Record<string, (value: unknown) => string | null>>;

const bucketFields: FieldWords = {
  versioning: (value) => (typeof value === "boolean" ? `versioning ${value ? "on" : "off"}` : null),
  encryption: (value) => (value === "s3" || value === "kms" ? `encryption ${encryptionLabel[value]}` : null),
  expireAfterDays: (value) => (value === null ? "no expiry" : typeof value === "number" ? `objects expire after ${days(value)}` : null),
};

const userFields: FieldWords = {
  description: (value) => (typeof value === "string" ? `description “${value}”` : value === null ? "description removed" : null),
  permissions: (value) =>
    Array.isArray(value) ? (value.length === 0 ? "remove all bucket access" : `bucket access (${value.length === 1 ? "1 grant" : `${value.length} grants`})`) : null,
  expiresAt: (value) => (typeof value === "string" ? `expires ${shortDateTime(value)}` : value === null ? "never expires" : null),
  sftp: (value) => {
    if (value === null) return "SFTP access removed";
    return typeof value === "object" && "sshPublicKeys" in value && Array.isArray(value.sshPublicKeys) ? sftpKeys(value.sshPublicKeys.length) : null;
  },
};

/**
 * Each kind's spec in words: its settings, what changed, what a deletion does first, and the
 * fields of its queued updates. (The SFTP server's queued edits are whole sentences: no fields.)
 */
const SPEC_WORDS: {
  [K in ResourceKind]: { settings(spec: KindSpec<K>): string[]; changes(before: KindSpec<K>, after: KindSpec<K>): string[]; deletesFirst?: string; fields: FieldWords };
} = {
  bucket: { settings: bucketSettings, changes: bucketChanges, fields: bucketFields },
  user: { settings: userSettings, changes: userChanges, deletesFirst: "its access keys first", fields: userFields },
  sftp: { settings: sftpSettings, changes: sftpChanges, fields: {} },
};

/**
 * What a running operation does: the changes when the spec before it is known (this page saw the
 * resource before the lock), otherwise the settings being applied. For a deletion, what goes
 * first, or null. `spec` and `before` are of `kind`.
 */
export function operationDetail<K extends ResourceKind>(kind: K, lock: Lock, spec: KindSpec<K>, before: KindSpec<K> | undefined): { changes: boolean; text: string } | null {
  const words = SPEC_WORDS[kind];
  if (lock.action === "delete") return words.deletesFirst ? { changes: false, text: words.deletesFirst } : null;
  const changes = lock.action === "update" && before ? words.changes(before, spec) : [];
  if (changes.length) return { changes: true, text: changes.join(", ") };
  return { changes: false, text: words.settings(spec).join(", ") };
}

/** "Alice is updating this bucket" + this: ": versioning on → off", " to versioning off, …", " with …". */
export function operationPhrase(lock: Lock, detail: ReturnType<typeof operationDetail>): string {
  if (!detail) return "";
  if (detail.changes) return `: ${detail.text}`;
  const joiner = { create: " with ", update: " to ", delete: ", " } satisfies Record<Lock["action"], string>;
  return joiner[lock.action] + detail.text;
}

/**
 * A queued edit of a resource of `kind`, in words. The room writes `update versioning → false,
 * expireAfterDays → 30` (field names and JSON values); the kind's known fields are reworded,
 * anything else is shown as it came.
 */
export function queuedSummary(kind: ResourceKind, edit: QueuedEdit): string {
  // Own fields only: a summary naming `toString` is not a field.
  const fields = SPEC_WORDS[kind].fields;
  const known = Object.keys(fields);
  const match = /^update (.+)$/s.exec(edit.summary);
  if (!match?.[1] || known.length === 0) return capitalize(edit.summary);
  const field = new RegExp(`(?:${known.join("|")}) → `);
  if (!field.test(match[1])) return capitalize(edit.summary);
  const parts = match[1].split(new RegExp(`, (?=${field.source})`));
  const words = parts.map((part) => {
    const arrow = part.indexOf(" → ");
    const name = part.slice(0, arrow);
    const raw = part.slice(arrow + " → ".length);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the text
    }
    const reword = Object.hasOwn(fields, name) ? fields[name] : undefined;
    return reword?.(value) ?? part;
  });
  return capitalize(words.join(", "));
}

function sftpKeys(n: number): string {
  return n === 1 ? "SFTP with 1 key" : `SFTP with ${n} keys`;
}

function grantLabel(p: Permission | undefined): string {
  if (!p) return "";
  return p.prefix ? `${p.bucket}/${p.prefix}` : p.bucket;
}

function days(n: number): string {
  return n === 1 ? "1 day" : `${n} days`;
}

function expiry(n: number | null): string {
  return n === null ? "none" : days(n);
}
