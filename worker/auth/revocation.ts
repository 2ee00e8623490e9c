/**
 * Sessions ended server-side (sign-out): a KV key per session id until the session would have
 * expired anyway. KV is eventually consistent across locations (up to a minute), so the live
 * sockets — the part that keeps streaming — are closed by the project rooms directly at sign-out.
 */
const key = (sessionId: string) => `revoked-session:${sessionId}`;
/** KV refuses expirations less than 60 s ahead. */
const MIN_TTL_SECONDS = 60;

export async function revokeSession(kv: KVNamespace, sessionId: string, expiresAtSeconds: number): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  await kv.put(key(sessionId), "1", { expiration: Math.max(expiresAtSeconds, now + MIN_TTL_SECONDS) });
}

export async function isRevoked(kv: KVNamespace, sessionId: string): Promise<boolean> {
  return (await kv.get(key(sessionId))) !== null;
}
