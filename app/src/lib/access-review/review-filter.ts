import type { AccessReview, ReviewFlag, ReviewKey, ReviewUser } from "$contract";

/** What the review shows: every user, or those with one flag. */
export type ReviewFilter = "all" | ReviewFlag;

export const FILTERS: readonly ReviewFilter[] = ["all", "unused", "rotation-due", "expiring", "no-grants"];

/** A filter's button label. */
export const filterLabel: Record<ReviewFilter, string> = {
  all: "All",
  unused: "Unused keys",
  "rotation-due": "Rotation due",
  expiring: "Expiring",
  "no-grants": "No grants",
};

/** A flag as a pill says it, and the sentence behind it (its title). */
export const flagWords: Record<ReviewFlag, { label: string; why: string }> = {
  unused: { label: "Unused", why: "Not used for 90 days, or never used since it was created more than 7 days ago. Deactivate or delete it if nobody needs it." },
  "rotation-due": { label: "Rotation due", why: "Older than 90 days. Rotate it: a new key now, the old one stops when the new one is first used." },
  expiring: { label: "Expiring", why: "Access ends within 14 days. Extend it if the partner still needs it." },
  "no-grants": { label: "No grants", why: "This user may read or write no bucket. Grant buckets or delete the user." },
};

const hasFlag = (user: ReviewUser, flag: ReviewFlag) => user.flags.some((f) => f === flag) || user.keys.some((k) => k.flags.some((f) => f === flag));

/** A search's words found in a user's name or one of its access key ids (every word, any case). */
function found(user: ReviewUser, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const haystack = [user.name, ...user.keys.map((k) => k.accessKeyId)].join("\n").toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/**
 * The users a filter shows, in the review's order (by name), narrowed by `text`: words found in
 * the user's name or an access key id (a key id seen in CloudTrail finds its user).
 */
export function filterReview(review: AccessReview, filter: ReviewFilter, text = ""): ReviewUser[] {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (filter === "all" && words.length === 0) return review.users;
  return review.users.filter((u) => (filter === "all" || hasFlag(u, filter)) && found(u, words));
}

/** How many items a filter's button counts: keys for key flags, users for user flags, users for "all". */
export function filterCount(review: AccessReview, filter: ReviewFilter): number {
  return filter === "all" ? review.users.length : review.totals[filter];
}

/**
 * A key's last use in words: "Used (s3 in eu-west-1)", "Never used", or not read yet (IAM was not
 * read for its user, or not since the key was made).
 */
export function lastUseWords(key: ReviewKey, checkedAt: string | null): string {
  if (checkedAt === null || Date.parse(key.createdAt) > Date.parse(checkedAt)) return "Not read from IAM yet";
  if (!key.lastUse) return "Never used";
  const where = [key.lastUse.service, key.lastUse.region && `in ${key.lastUse.region}`].filter(Boolean).join(" ");
  return where ? `Used (${where})` : "Used";
}

/** A key id as the activity shows it: its first and last four characters. */
export const shortKey = (id: string) => `${id.slice(0, 4)}…${id.slice(-4)}`;
