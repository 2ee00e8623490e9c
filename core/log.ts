/**
 * The one way the Worker and its Durable Objects log: one JSON line per event, with ids (request,
 * project, operation) as fields, so Workers Logs index them and `wrangler tail --search` finds
 * every line of one request or project. Fields are ids, names, codes and counts: never a secret,
 * an access key, a link id, a proof or a credential (a test scans every line for those).
 */
type LogValue = string | number | boolean | null | undefined;
export type LogFields = Record<string, LogValue>;
export type LogLevel = "info" | "warn" | "error";

const RANK: Record<LogLevel | "silent", number> = { info: 0, warn: 1, error: 2, silent: 3 };
let lowest = RANK.info;

/**
 * The lowest level written, from the LOG_LEVEL var (info, the default; warn; error; silent). Set by
 * every entry point (requests, the objects' constructors, the cron) from its env; one isolate has one.
 */
export function configureLogs(level: string | undefined): void {
  lowest = level && level in RANK ? RANK[level as keyof typeof RANK] : RANK.info;
}

/** Writes `{level, event, ...fields}` as one line at the console level of the same name. */
export function logEvent(level: LogLevel, event: string, fields: LogFields = {}): void {
  if (RANK[level] < lowest) return;
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** An error's message for a log field (its stack stays out: it may carry request data). */
export function errorText(err: unknown): string {
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);
}
