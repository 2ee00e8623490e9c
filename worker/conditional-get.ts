/**
 * Conditional GETs of the project view: an ETag made of what the answer depends on, and the
 * `If-None-Match` check (RFC 9110 §13.1.2: weak comparison, a list of tags, or `*`). A page that
 * reloads an unchanged project then gets a 304 with no body, and the Worker parses nothing.
 */

/** FNV-1a, 32 bits, hex: a short fingerprint of a small string (not a secret, not for security). */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * The view's ETag: the snapshot's version and the caller's part of the answer (the project's
 * summary with their role), so a role change or a renamed project is a new tag. Weak: the same
 * state may be serialised differently by another version of the Worker.
 */
export function projectViewEtag(snapshotVersion: string, summary: object): string {
  return `W/"${snapshotVersion}-${fingerprint(JSON.stringify(summary))}"`;
}

/** Whether `ifNoneMatch` (the request header) names `etag`, by weak comparison. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}
