import type { ErrorEnvelope } from "./contract";

/**
 * What a project room's RPC method answers: thrown errors lose their type crossing RPC, so the
 * room's refusals travel as values in the envelope's terms, and the routes answer them.
 */
export type RoomResult<T> = ({ ok: true } & T) | { ok: false; error: ErrorEnvelope["error"] };
