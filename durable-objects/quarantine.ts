import * as z from "zod";
import { logEvent } from "../core/log";

/** A stored row that no longer parsed, as ops see it (`npm run ops -- quarantine <project>`). */
export const QuarantinedRow = z.object({
  id: z.number(),
  /** The table it came from. */
  source: z.string(),
  /** Its key there (resource kind/name, seq, handle, …). */
  key: z.string(),
  /** The row as it was stored. */
  json: z.string(),
  reason: z.string(),
  at: z.string(),
});
export type QuarantinedRow = z.infer<typeof QuarantinedRow>;

/** The table every object with a quarantine creates in one of its migrations. */
export const QUARANTINE_TABLE =
  "CREATE TABLE quarantine (id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, row_key TEXT NOT NULL, json TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)";

/** Rows kept for ops; older ones go first, so a flood of bad rows cannot grow storage without end. */
const KEPT = 500;

/**
 * Where a stored row goes when it no longer parses (written by a buggy or newer version, or
 * damaged): out of its table, into `quarantine` with the reason, logged, and listed for ops. The
 * object then serves everything else, instead of one bad row failing every request that reads
 * its table.
 */
export class Quarantine {
  constructor(
    private readonly sql: SqlStorage,
    /** The object's name in log lines (`ProjectRoom`, `ProjectRegistry`). */
    private readonly what: string,
  ) {}

  /**
   * Parses a stored JSON row with `parse` (which throws on a bad row, as zod's `parse` does). A row
   * that does not parse is held here and removed from its table by `drop`; the answer is then
   * undefined, as if the row were not there.
   */
  read<T>(source: string, key: string, json: string, parse: (raw: unknown) => T, drop: () => void): T | undefined {
    try {
      return parse(JSON.parse(json));
    } catch (err) {
      this.hold(source, key, json, err);
      drop();
      return undefined;
    }
  }

  hold(source: string, key: string, json: string, err: unknown): void {
    const reason = (err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : String(err)).slice(0, 1000);
    logEvent("error", "row_quarantined", { object: this.what, source, key, reason });
    this.sql.exec("INSERT INTO quarantine (source, row_key, json, reason, at) VALUES (?, ?, ?, ?, ?)", source, key, json, reason, new Date().toISOString());
    this.sql.exec("DELETE FROM quarantine WHERE id <= (SELECT MAX(id) FROM quarantine) - ?", KEPT);
  }

  list(): QuarantinedRow[] {
    return this.sql
      .exec<{ id: number; source: string; row_key: string; json: string; reason: string; at: string }>("SELECT id, source, row_key, json, reason, at FROM quarantine ORDER BY id")
      .toArray()
      .map((r) => ({ id: r.id, source: r.source, key: r.row_key, json: r.json, reason: r.reason, at: r.at }));
  }

  count(): number {
    return Number(this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM quarantine").one().n);
  }
}
