import { keyFingerprint, usersGranted, type Access, type Bucket, type BucketSpec, type Permission, type User, type UserSpec } from "$contract";
import { accessLabel, encryptionLabel, shortDateTime } from "./format";

/**
 * What an edit or a deletion will do, computed from the current spec and the new one before the
 * manager confirms: settings before → after, access gained or lost per user, and what is
 * destroyed or can no longer be undone. Pure: the dialogs render it, the tests read it.
 */
export interface ChangePreview {
  settings: SettingChange[];
  access: AccessChange[];
  /** Sentences about data or access that goes away; shown as a warning. */
  destroys: string[];
}

interface SettingChange {
  setting: string;
  before: string;
  after: string;
}

/** One user's access to one bucket (and prefix): null is no access. */
interface AccessChange {
  user: string;
  bucket: string;
  prefix?: string | undefined;
  before: Access | null;
  after: Access | null;
}

export const NO_CHANGE: ChangePreview = { settings: [], access: [], destroys: [] };

export function isEmpty(preview: ChangePreview): boolean {
  return preview.settings.length === 0 && preview.access.length === 0 && preview.destroys.length === 0;
}

const days = (n: number) => (n === 1 ? "1 day" : `${n} days`);
const expiryWords = (n: number | null) => (n === null ? "kept until deleted" : `deleted after ${days(n)}`);
const place = (c: { bucket: string; prefix?: string | undefined }) => (c.prefix ? `${c.bucket}/${c.prefix}` : c.bucket);
const can = { read: ["list", "download"], write: ["upload", "delete"], readwrite: ["list", "download", "upload", "delete"] } satisfies Record<Access, string[]>;

/** "Acme loses write access to uploads/incoming/", "… can no longer upload or delete in …". */
function accessLoss(change: AccessChange): string | null {
  if (change.before === null) return null;
  if (change.after === null) return `${change.user} loses ${accessLabel[change.before].toLowerCase()} access to ${place(change)}.`;
  const lost = can[change.before].filter((verb) => !can[change.after ?? "read"].includes(verb));
  return lost.length ? `${change.user} can no longer ${lost.join(" or ")} in ${place(change)}.` : null;
}

/** A bucket's settings, before → after; turning versioning off and adding or shortening expiry are called out. */
export function bucketEditPreview(before: BucketSpec, after: BucketSpec): ChangePreview {
  const settings: SettingChange[] = [];
  const destroys: string[] = [];
  if (before.versioning !== after.versioning) {
    settings.push({ setting: "Versioning", before: before.versioning ? "on" : "off", after: after.versioning ? "on" : "off" });
    if (!after.versioning) destroys.push("Versioning turns off: objects overwritten or deleted from now on cannot be recovered (versions already kept stay).");
  }
  if (before.encryption !== after.encryption) {
    settings.push({ setting: "Encryption", before: encryptionLabel[before.encryption], after: encryptionLabel[after.encryption] });
  }
  if (before.expireAfterDays !== after.expireAfterDays) {
    settings.push({ setting: "Objects", before: expiryWords(before.expireAfterDays), after: expiryWords(after.expireAfterDays) });
    if (after.expireAfterDays !== null && (before.expireAfterDays === null || after.expireAfterDays < before.expireAfterDays)) {
      destroys.push(`Objects older than ${days(after.expireAfterDays)} will be deleted automatically, including those already in the bucket.`);
    }
  }
  return { settings, access: [], destroys };
}

const grantKey = (p: { bucket: string; prefix?: string | undefined }) => `${p.bucket}\u0000${p.prefix ?? ""}`;

/** Per bucket and prefix, the access a user gains, loses or changes between two permission lists. */
export function accessChanges(user: string, before: readonly Permission[], after: readonly Permission[]): AccessChange[] {
  const old = new Map(before.map((p) => [grantKey(p), p]));
  const now = new Map(after.map((p) => [grantKey(p), p]));
  const changes: AccessChange[] = [];
  for (const key of new Set([...old.keys(), ...now.keys()])) {
    const was = old.get(key);
    const will = now.get(key);
    const grant = will ?? was;
    if (!grant || was?.access === will?.access) continue;
    changes.push({ user, bucket: grant.bucket, prefix: grant.prefix, before: was?.access ?? null, after: will?.access ?? null });
  }
  return changes.sort((a, b) => place(a).localeCompare(place(b), "en", { numeric: true }));
}

/** A user's description, expiry and (when given) permissions; an expiry that ends access is called out. */
export function userEditPreview(name: string, before: UserSpec, after: UserSpec, now: number): ChangePreview {
  const settings: SettingChange[] = [];
  const destroys: string[] = [];
  if ((before.description ?? "") !== (after.description ?? "")) {
    settings.push({ setting: "Description", before: before.description ?? "none", after: after.description ?? "none" });
  }
  if (before.expiresAt !== after.expiresAt) {
    const words = (at: string | null) => (at === null ? "never expires" : `expires ${shortDateTime(at)}`);
    settings.push({ setting: "Access", before: words(before.expiresAt), after: words(after.expiresAt) });
    if (after.expiresAt !== null) {
      destroys.push(
        Date.parse(after.expiresAt) <= now
          ? `${name} loses all access at once: its keys are deactivated and its bucket access removed.`
          : `On ${shortDateTime(after.expiresAt)} ${name}’s keys are deactivated and its bucket access removed.`,
      );
    }
  }
  const keys = (spec: UserSpec) => spec.sftp?.sshPublicKeys.length ?? 0;
  const sftpWords = (spec: UserSpec) => (keys(spec) === 0 ? "no SFTP" : keys(spec) === 1 ? "SFTP, 1 key" : `SFTP, ${keys(spec)} keys`);
  if ((before.sftp?.sshPublicKeys ?? []).join("\n") !== (after.sftp?.sshPublicKeys ?? []).join("\n")) {
    settings.push({ setting: "SFTP", before: sftpWords(before), after: sftpWords(after) });
    if (keys(before) > 0 && keys(after) === 0) destroys.push(`${name} can no longer sign in over SFTP; the S3 keys keep working.`);
    else {
      const kept = new Set((after.sftp?.sshPublicKeys ?? []).map(fingerprintOf));
      for (const gone of (before.sftp?.sshPublicKeys ?? []).map(fingerprintOf).filter((f) => !kept.has(f))) destroys.push(`SFTP key ${gone} stops working.`);
    }
  }
  const access = accessChanges(name, before.permissions, after.permissions);
  return { settings, access, destroys: [...destroys, ...access.flatMap((c) => accessLoss(c) ?? [])] };
}

/** The permission matrix's save: every changed user's access, in one preview. */
export function permissionsPreview(rows: readonly { user: string; before: readonly Permission[]; after: readonly Permission[] }[]): ChangePreview {
  const access = rows.flatMap((r) => accessChanges(r.user, r.before, r.after));
  return { settings: [], access, destroys: access.flatMap((c) => accessLoss(c) ?? []) };
}

/** Deleting a bucket: it goes, and every user granted it loses that access (named). */
export function bucketDeletePreview(bucket: Bucket, users: readonly User[]): ChangePreview {
  const access = usersGranted(users, bucket.name).flatMap((u) =>
    u.spec.permissions.filter((p) => p.bucket === bucket.name).map((p) => ({ user: u.name, bucket: p.bucket, prefix: p.prefix, before: p.access, after: null })),
  );
  const destroys = [
    `Bucket ${bucket.name} (${bucket.physicalName}) and its stack are deleted. A bucket that still holds objects is refused, never emptied.`,
    ...access.flatMap((c) => accessLoss(c) ?? []),
  ];
  return { settings: [], access, destroys };
}

/** Deleting a user: its keys stop working and all its access goes. */
export function userDeletePreview(user: User): ChangePreview {
  const keys = user.keys.length;
  const access = accessChanges(user.name, user.spec.permissions, []);
  const destroys = [
    keys === 0 ? `User ${user.name} and its stack are deleted.` : `User ${user.name} is deleted with its ${keys === 1 ? "access key" : `${keys} access keys`}: anyone using ${keys === 1 ? "it" : "them"} loses access at once.`,
    ...access.flatMap((c) => accessLoss(c) ?? []),
  ];
  return { settings: [], access, destroys };
}

/** A stored key's fingerprint; the line itself if it cannot be read (stored keys were checked when saved). */
function fingerprintOf(line: string): string {
  try {
    return keyFingerprint(line);
  } catch {
    return line;
  }
}
