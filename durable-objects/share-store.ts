import * as z from "zod";
import { Share } from "../worker/domain/contract";

/** A share as stored: the public metadata plus the ciphertext until it is opened or revoked. */
const StoredShare = Share.extend({ ciphertext: z.string().nullable(), iv: z.string() });
export type StoredShare = z.infer<typeof StoredShare>;

/** The room's one-time links (SQLite). The decryption key is never here: it lives in the link's #fragment. */
export class ShareStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS shares (id TEXT PRIMARY KEY, user TEXT NOT NULL, json TEXT NOT NULL)");
  }

  get(id: string): StoredShare | undefined {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM shares WHERE id = ?", id).toArray()[0];
    return row ? StoredShare.parse(JSON.parse(row.json)) : undefined;
  }

  put(share: StoredShare): void {
    this.sql.exec(
      "INSERT INTO shares (id, user, json) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
      share.id,
      share.user,
      JSON.stringify(share),
    );
  }

  remove(id: string): void {
    this.sql.exec("DELETE FROM shares WHERE id = ?", id);
  }

  list(): StoredShare[] {
    return this.sql
      .exec<{ json: string }>("SELECT json FROM shares ORDER BY id")
      .toArray()
      .map((r) => StoredShare.parse(JSON.parse(r.json)));
  }
}

/** The status a manager sees: a pending link past its expiry is expired. */
export function publicShare(share: StoredShare, now: number): Share {
  const { ciphertext: _c, iv: _i, ...rest } = share;
  return share.status === "pending" && Date.parse(share.expiresAt) <= now ? { ...rest, status: "expired" } : rest;
}
