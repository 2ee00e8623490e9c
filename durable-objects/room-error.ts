import type { ErrorEnvelope } from "../core/contract";
import type { RoomResult } from "../core/room-result";

export type { RoomResult } from "../core/room-result";

/**
 * Why the room refuses something, in its own terms: the room knows nothing of HTTP. Its reasons
 * are the contract's error codes (a locked resource, a conflict with the project's state, bad
 * input, …); the routes turn a refusal into the HTTP answer.
 */
type RoomErrorCode = ErrorEnvelope["error"]["code"];

export class RoomError extends Error {
  override readonly name = "RoomError";
  /** AWS may have done it anyway (no answer, a 5xx): the room checks with CloudFormation soon. */
  mayHaveRun = false;
  constructor(
    readonly code: RoomErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export function refusal(err: RoomError): { ok: false; error: ErrorEnvelope["error"] } {
  return { ok: false, error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } };
}

/** Runs a room flow and turns its RoomError into a value. */
export async function guarded<T extends object>(flow: () => T | Promise<T>): Promise<RoomResult<T>> {
  try {
    return { ok: true, ...(await flow()) };
  } catch (err) {
    if (err instanceof RoomError) return refusal(err);
    throw err;
  }
}
