import { Member, roleAtLeast, type Role } from "../core/contract";
import type { Quarantine } from "./quarantine";

/**
 * Who may act in the project (SQLite): its members, and the sign-ins that ended (sign-out) while
 * they could still be presented. The room is the authority for both: it checks every change
 * against these tables in the same call, whatever role the Worker's KV copy showed.
 */
export class MemberStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly quarantine: Quarantine,
  ) {}

  list(): Member[] {
    return this.sql
      .exec<{ email: string; role: string }>("SELECT email, role FROM members ORDER BY email")
      .toArray()
      .flatMap((row) => {
        const member = this.quarantine.read("members", row.email, JSON.stringify(row), (raw) => Member.parse(raw), () => this.remove(row.email));
        return member ? [member] : [];
      });
  }

  roleOf(email: string): Role | undefined {
    const row = this.sql.exec<{ email: string; role: string }>("SELECT email, role FROM members WHERE email = ?", email.toLowerCase()).toArray()[0];
    return row ? this.quarantine.read("members", row.email, JSON.stringify(row), (raw) => Member.parse(raw), () => this.remove(row.email))?.role : undefined;
  }

  /** Whether `email` may act with at least `need` here now. */
  allows(email: string, need: Role): boolean {
    const role = this.roleOf(email);
    return role !== undefined && roleAtLeast(role, need);
  }

  put(member: Member): void {
    this.sql.exec("INSERT INTO members (email, role) VALUES (?, ?) ON CONFLICT(email) DO UPDATE SET role = excluded.role", member.email, member.role);
  }

  remove(email: string): void {
    this.sql.exec("DELETE FROM members WHERE email = ?", email);
  }

  replaceAll(members: readonly Member[]): void {
    this.sql.exec("DELETE FROM members");
    for (const member of members) this.put(member);
  }

  /** A sign-in ended (sign-out): refused here until it would have expired anyway (Unix seconds). */
  endSession(sessionId: string, untilSeconds: number): void {
    this.sql.exec("INSERT INTO ended_sessions (session_id, until) VALUES (?, ?) ON CONFLICT(session_id) DO UPDATE SET until = MAX(until, excluded.until)", sessionId, untilSeconds);
  }

  sessionEnded(sessionId: string): boolean {
    return this.sql.exec("SELECT 1 FROM ended_sessions WHERE session_id = ?", sessionId).toArray().length > 0;
  }

  /** Forgets ended sign-ins past their own expiry (they are refused by their expiry then). */
  sweepEndedSessions(nowSeconds: number): void {
    this.sql.exec("DELETE FROM ended_sessions WHERE until < ?", nowSeconds);
  }
}
