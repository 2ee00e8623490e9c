import * as z from "zod";
import { Share } from "../core/contract";
import { linkIdHash } from "./room-schema";
import type { Quarantine } from "./quarantine";

/**
 * A one-time link as the room stores it: the public metadata, the ciphertext until it is opened,
 * revoked, expired or burned, and the SHA-256 of its open proof (null for links made before
 * proofs existed, which open as they always did). Neither the link's id nor its key is stored:
 * the table is keyed by the id's hash, and the key lives only in the link's #fragment.
 */
const StoredShare = Share.extend({ ciphertext: z.string().nullable(), iv: z.string(), proofHash: z.string().nullable() });
export type StoredShare = z.infer<typeof StoredShare>;

/** The room's one-time links (SQLite table `links`, room-schema.ts). */
export class ShareStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly quarantine: Quarantine,
  ) {}

  #read(handle: string, json: string): StoredShare | undefined {
    return this.quarantine.read("links", handle, json, (raw) => StoredShare.parse(raw), () => this.remove(handle));
  }

  /** The link a recipient's id names (looked up by its hash). */
  byId(id: string): StoredShare | undefined {
    const row = this.sql.exec<{ handle: string; json: string }>("SELECT handle, json FROM links WHERE id_hash = ?", linkIdHash(id)).toArray()[0];
    return row ? this.#read(row.handle, row.json) : undefined;
  }

  byHandle(handle: string): StoredShare | undefined {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM links WHERE handle = ?", handle).toArray()[0];
    return row ? this.#read(handle, row.json) : undefined;
  }

  /** Stores a new link under the hash of `id`. */
  add(id: string, share: StoredShare): void {
    this.sql.exec("INSERT INTO links (handle, id_hash, user, json) VALUES (?, ?, ?, ?)", share.handle, linkIdHash(id), share.user, JSON.stringify(share));
  }

  /** Stores a link restored from an export, under the id hash it had. */
  restore(idHash: string, share: StoredShare): void {
    this.sql.exec("INSERT INTO links (handle, id_hash, user, json) VALUES (?, ?, ?, ?)", share.handle, idHash, share.user, JSON.stringify(share));
  }

  /** Every link with the hash of its id (for an export). */
  withIdHashes(): Array<{ idHash: string; share: StoredShare }> {
    return this.sql
      .exec<{ handle: string; id_hash: string; json: string }>("SELECT handle, id_hash, json FROM links ORDER BY handle")
      .toArray()
      .flatMap((r) => {
        const share = this.#read(r.handle, r.json);
        return share ? [{ idHash: r.id_hash, share }] : [];
      });
  }

  /** Rewrites a stored link (its id hash stays). */
  put(share: StoredShare): void {
    this.sql.exec("UPDATE links SET json = ? WHERE handle = ?", JSON.stringify(share), share.handle);
  }

  remove(handle: string): void {
    this.sql.exec("DELETE FROM links WHERE handle = ?", handle);
  }

  list(): StoredShare[] {
    return this.sql
      .exec<{ handle: string; json: string }>("SELECT handle, json FROM links ORDER BY handle")
      .toArray()
      .flatMap((r) => {
        const share = this.#read(r.handle, r.json);
        return share ? [share] : [];
      });
  }
}

/** The status a manager sees: a pending link past its expiry is expired. */
export function publicShare(share: StoredShare, now: number): Share {
  const { ciphertext: _c, iv: _i, proofHash: _p, ...rest } = share;
  return share.status === "pending" && Date.parse(share.expiresAt) <= now ? { ...rest, status: "expired" } : rest;
}
