import type { ErrorEnvelope } from "./contract";

/**
 * What a project room's RPC method answers: thrown errors lose their type crossing RPC, so the
 * room's refusals travel as values in the envelope's terms, and the routes answer them.
 */
export type RoomResult<T> = ({ ok: true } & T) | { ok: false; error: ErrorEnvelope["error"] };

/**
 * Who asks a project room to act: the signed-in person and their sign-in. The room decides from
 * its own member table (and the sign-ins it saw end) whether they may, in the same call.
 */
export interface Caller {
  email: string;
  /** The sign-in (one browser): a signed-out one is refused even while its token still verifies. */
  sessionId: string;
  /** When the sign-in ends (Unix seconds): the room closes the person's live sockets then. */
  sessionExpiresAt: number;
}

/** Headers the Worker passes the checked caller in, on the live socket's upgrade (fetch, not RPC). */
export const LIVE_CALLER_HEADERS = { email: "X-Stackroom-Email", session: "X-Stackroom-Session", expires: "X-Stackroom-Session-Expires" } as const;
