import { Member } from "../worker/domain/contract";

/** The project's members (SQLite): the room is their single writer; KV holds a published copy. */
export class MemberStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS members (email TEXT PRIMARY KEY, role TEXT NOT NULL)");
  }

  list(): Member[] {
    return this.sql
      .exec<{ email: string; role: string }>("SELECT email, role FROM members ORDER BY email")
      .toArray()
      .flatMap((row) => {
        const parsed = Member.safeParse(row);
        if (!parsed.success) console.error("ProjectRoom:unreadable member row skipped", { email: row.email });
        return parsed.success ? [parsed.data] : [];
      });
  }

  roleOf(email: string): Member["role"] | undefined {
    return this.list().find((m) => m.email === email)?.role;
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
}
