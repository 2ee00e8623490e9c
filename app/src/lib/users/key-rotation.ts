import { RotatedKey } from "$contract";
import { api } from "$lib/api";

/**
 * Rotates the user's key in one step: the answer is the new key with its secret (once), like a
 * created key, and the rotation: the old key stops when the new one is first used or after
 * `graceDays`.
 */
export const rotateKey = (project: string, user: string, graceDays: number) =>
  api(`/api/projects/${encodeURIComponent(project)}/users/${encodeURIComponent(user)}/keys/rotate`, RotatedKey, { method: "POST", body: { graceDays } });
