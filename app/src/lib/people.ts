/**
 * Managers are known by email only. These turn an address into what a person reads in a sentence
 * ("Alice's update is running") and in an avatar; the full address stays in tooltips.
 */

/** "alice@example.com" → "Alice"; "jean-luc.picard@…" → "Jean-Luc Picard". */
export function displayName(email: string): string {
  const local = email.split("@")[0] ?? email;
  const words = local.split(/[._+]+/).filter(Boolean);
  if (words.length === 0) return email;
  return words.map((w) => w.replace(/(^|-)(\p{L})/gu, (_, dash: string, c: string) => dash + c.toUpperCase())).join(" ");
}

/** "You" for the signed-in manager, their name for anyone else. */
export function who(email: string, me: string): string {
  return sameEmail(email, me) ? "You" : displayName(email);
}

/** "Your" / "Alice’s" / "James’" — for "Alice’s update is running". */
export function whose(email: string, me: string): string {
  if (sameEmail(email, me)) return "Your";
  const name = displayName(email);
  return name.endsWith("s") ? `${name}’` : `${name}’s`;
}

/** "is" or "are", to agree with `who`. */
export function isAre(email: string, me: string): "is" | "are" {
  return sameEmail(email, me) ? "are" : "is";
}

export function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** One or two letters for an avatar. */
export function initials(email: string): string {
  const parts = displayName(email).split(/[\s-]+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]?.[0] ?? ""}${parts.at(-1)?.[0] ?? ""}` : (parts[0]?.[0] ?? "?");
  return letters.toUpperCase();
}

/** A stable hue per address (one of 12, FNV-1a), so a person keeps their colour on every screen. */
export function avatarHue(email: string): number {
  let hash = 0x811c9dc5;
  for (const char of email.toLowerCase()) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return (hash % 12) * 30;
}
