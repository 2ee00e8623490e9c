import type { Member, Role } from "../core/contract";
import { RoomError } from "./room-error";
import { membersKey } from "../core/kv-documents";
import type { RoomContext } from "./room-context";
import { OPS_ACTOR } from "./kinds/kit";

/** Close code of a socket whose person was removed from the project (4000 + 404, as a refused upgrade). */
export const REMOVED_CLOSE_CODE = 4404;

const roleWords: Record<Role, string> = { owner: "an owner", editor: "an editor", viewer: "a viewer" };

/**
 * Publishes the member list to KV, where every request's membership check reads it. Awaited, so
 * that the caller's next request already sees the change (in this location; KV needs up to a
 * minute elsewhere — the live sockets, the part that keeps streaming, are closed right here).
 */
export async function publishMembers(room: RoomContext, kv: KVNamespace, projectId: string): Promise<void> {
  await kv.put(membersKey(projectId), JSON.stringify({ members: room.members.list() }));
}

function ownersAfter(members: readonly Member[], email: string, role: Role | null): number {
  return members.filter((m) => (m.email === email ? role === "owner" : m.role === "owner")).length;
}

/** Adds a member or changes their role. The last owner cannot be demoted (409). */
export async function setMember(room: RoomContext, kv: KVNamespace, projectId: string, actor: string, email: string, role: Role): Promise<Member[]> {
  const members = room.members.list();
  const current = members.find((m) => m.email === email);
  if (current?.role === role) return members;
  if (current?.role === "owner" && ownersAfter(members, email, role) === 0) {
    throw new RoomError("conflict", `${email} is the project's last owner. Make someone else an owner first.`);
  }
  room.members.put({ email, role });
  await publishMembers(room, kv, projectId);
  const message = current
    ? `${actor} made ${email} ${roleWords[role]} (was ${roleWords[current.role]})`
    : `${actor} added ${email} as ${roleWords[role]}`;
  room.announce("member", email, { actor, message, tone: "info" }, { members: room.members.list() });
  return room.members.list();
}

/** Removes a member and closes their live sockets. The last owner cannot be removed (409). */
export async function removeMember(room: RoomContext, kv: KVNamespace, projectId: string, actor: string, email: string): Promise<Member[]> {
  const members = room.members.list();
  const current = members.find((m) => m.email === email);
  if (!current) throw new RoomError("not_found", `${email} is not a member of this project.`);
  if (current.role === "owner" && ownersAfter(members, email, null) === 0) {
    throw new RoomError("conflict", `${email} is the project's last owner and cannot be removed. Make someone else an owner first.`);
  }
  room.members.remove(email);
  await publishMembers(room, kv, projectId);
  room.closeSockets((who) => who.email === email, REMOVED_CLOSE_CODE, "You were removed from this project.");
  const message = actor === email ? `${actor} left the project` : `${actor} removed ${email} (${current.role}) from the project`;
  room.announce("member", email, { actor, message, tone: "info" }, { members: room.members.list() });
  return room.members.list();
}

/**
 * Ops registration: the first members of a new project, or (asked for explicitly) a replacement
 * of the list. Sockets of people no longer on it are closed.
 */
export async function seedMembers(room: RoomContext, kv: KVNamespace, projectId: string, members: readonly Member[], replace: boolean): Promise<Member[]> {
  const before = room.members.list();
  if (before.length > 0 && !replace) return before;
  room.members.replaceAll(members);
  await publishMembers(room, kv, projectId);
  const kept = new Set(members.map((m) => m.email));
  room.closeSockets((who) => !kept.has(who.email), REMOVED_CLOSE_CODE, "You were removed from this project.");
  // A new project's history starts with its first change; a replaced list is news for everyone.
  if (before.length === 0) room.snapshotSoon();
  else room.announce("member", "", { actor: OPS_ACTOR, message: `Ops replaced the member list (${members.length === 1 ? "1 member" : `${members.length} members`})`, tone: "info" }, { members: room.members.list() });
  return room.members.list();
}
