import {
  EXPIRING_DAYS, NEVER_USED_DAYS, parseSshPublicKey, ROTATION_DUE_DAYS, UNUSED_DAYS, keyFingerprint,
  type AccessReview, type KeyFlag, type KeyLastUse, type KeyRotation, type ReviewSftpKey, type ReviewUser, type User, type UserFlag,
} from "./contract";

const DAY_MS = 86_400_000;

/** What the room last read from IAM about one user: each key's last use, and when. */
export interface ReviewRead {
  checkedAt: string;
  lastUse: ReadonlyMap<string, KeyLastUse | null>;
}

/**
 * A key's flags at `now`. Only active keys are flagged: an inactive key signs nothing, so it is
 * neither unused access nor a secret to rotate. A key whose last use was not read yet gets no
 * `unused` flag (it is not known to be unused).
 */
export function keyFlags(key: { status: string; createdAt: string }, lastUse: KeyLastUse | null | undefined, now: number): KeyFlag[] {
  if (key.status !== "Active") return [];
  const flags: KeyFlag[] = [];
  const age = now - Date.parse(key.createdAt);
  if (lastUse !== undefined && (lastUse ? now - Date.parse(lastUse.at) >= UNUSED_DAYS * DAY_MS : age > NEVER_USED_DAYS * DAY_MS)) flags.push("unused");
  if (age > ROTATION_DUE_DAYS * DAY_MS) flags.push("rotation-due");
  return flags;
}

/** A user's flags at `now`: access ending within EXPIRING_DAYS (not already ended), no grants at all. */
export function userFlags(user: Pick<User, "spec">, now: number): UserFlag[] {
  const flags: UserFlag[] = [];
  const ends = user.spec.expiresAt ? Date.parse(user.spec.expiresAt) : Number.NaN;
  if (ends > now && ends - now <= EXPIRING_DAYS * DAY_MS) flags.push("expiring");
  if (user.spec.permissions.length === 0) flags.push("no-grants");
  return flags;
}

/** The user's SFTP public keys as `ssh-keygen -l` names them (a line that no longer parses is left out). */
function sftpKeys(user: Pick<User, "spec">): ReviewSftpKey[] {
  return (user.spec.sftp?.sshPublicKeys ?? []).flatMap((line) => {
    const parsed = parseSshPublicKey(line);
    return parsed.ok ? [{ fingerprint: keyFingerprint(line), type: parsed.key.type, comment: parsed.key.comment }] : [];
  });
}

/** The review of `users` (deleted ones left out) at `now`, from what the room last read from IAM. */
export function buildAccessReview(
  users: readonly User[],
  reads: ReadonlyMap<string, ReviewRead>,
  rotations: ReadonlyMap<string, KeyRotation>,
  stale: AccessReview["stale"],
  now: number,
): AccessReview {
  const reviewed: ReviewUser[] = users
    .filter((u) => u.status !== "deleted")
    .map((user) => {
      const read = reads.get(user.name);
      return {
        name: user.name,
        expiresAt: user.spec.expiresAt,
        grants: user.spec.permissions.length,
        flags: userFlags(user, now),
        keys: user.keys.map((key) => {
          const lastUse = read?.lastUse.has(key.accessKeyId) ? (read.lastUse.get(key.accessKeyId) ?? null) : undefined;
          return {
            accessKeyId: key.accessKeyId,
            status: key.status,
            createdAt: key.createdAt,
            ageDays: Math.max(0, Math.floor((now - Date.parse(key.createdAt)) / DAY_MS)),
            lastUse: lastUse ?? null,
            flags: keyFlags(key, lastUse, now),
          };
        }),
        sftpKeys: sftpKeys(user),
        rotation: rotations.get(user.name) ?? null,
        checkedAt: read?.checkedAt ?? null,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const keyCount = (flag: KeyFlag) => reviewed.reduce((n, u) => n + u.keys.filter((k) => k.flags.includes(flag)).length, 0);
  const userCount = (flag: UserFlag) => reviewed.filter((u) => u.flags.includes(flag)).length;
  const checked = reviewed.map((u) => u.checkedAt);
  return {
    users: reviewed,
    totals: {
      unused: keyCount("unused"),
      "rotation-due": keyCount("rotation-due"),
      expiring: userCount("expiring"),
      "no-grants": userCount("no-grants"),
      flaggedUsers: reviewed.filter((u) => u.flags.length > 0 || u.keys.some((k) => k.flags.length > 0)).length,
    },
    checkedAt: checked.some((c) => c === null) ? null : (checked.filter((c): c is string => c !== null).sort()[0] ?? null),
    stale,
    at: new Date(now).toISOString(),
  };
}
