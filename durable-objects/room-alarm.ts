import type { RoomContext } from "./room-context";
import { lockedResources } from "./heal";
import { kindList } from "./kinds";
import { SOCKET_ENDS_KEY } from "./live-sockets";
import { reviewDue } from "./access-review";
import { rotationDue } from "./key-rotation";
import { CHECK_DUE_KEY } from "./stack-operation";

/**
 * The room has one alarm; it serves the coalesced KV snapshot, the kinds' own timed work (a
 * user's expiry), stuck locks and notifications waiting to be sent. The earliest of them, or null when nothing is due.
 */
export function nextAlarm(room: RoomContext, now: number, stuckMs: number): number | null {
  const snapshotDue = Number(room.store.getMeta("snapshotDue") ?? Infinity);
  // A heal after an AWS call whose outcome is unknown (stack-operation.ts).
  const checkDue = Number(room.store.getMeta(CHECK_DUE_KEY) ?? Infinity);
  // The earliest end of a live socket's sign-in (the socket is closed then).
  const socketEnds = Number(room.store.getMeta(SOCKET_ENDS_KEY) ?? Infinity);
  const kindsDue = kindList().map((k) => k.alarm?.due(room, now) ?? Infinity);
  const stuck = lockedResources(room).map(({ lastHeard }) => Math.max(lastHeard + stuckMs, now + 1_000));
  // The next notification message due (a digest window's end, a retry).
  const notificationsDue = room.notifications.nextDue();
  // The access review's next read of IAM, and key rotations waiting for a check or their grace end.
  const access = Math.min(reviewDue(room) ?? Infinity, rotationDue(room) ?? Infinity);
  const at = Math.min(snapshotDue, checkDue, socketEnds, notificationsDue, access, ...kindsDue, ...stuck);
  return Number.isFinite(at) ? at : null;
}
