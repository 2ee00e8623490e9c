import { logEvent, type LogFields, type LogLevel } from "./log";

/**
 * The events an operator counts: each is one JSON log line (core/log.ts) and one Workers
 * Analytics Engine data point (binding METRICS), written by the same call so the two always
 * agree. The data point's layout per event is fixed here and documented in the README with the
 * SQL API queries of a dashboard: index1 = the project (Analytics Engine samples per index),
 * blob1 = the event, then its labels; double1.. its numbers.
 */
export type TelemetryEvent =
  /** A webhook batch: accepted (with how many events were new, duplicates, ignored) or refused (why). */
  | { event: "webhook"; project: string; outcome: "accepted"; accepted: number; duplicates: number; ignored: number }
  | { event: "webhook"; project: string; outcome: "refused"; reason: WebhookRefusal }
  /** A stack operation ended (or never started): how, and how long it ran. */
  | { event: "operation"; project: string; kind: string; action: string; outcome: "succeeded" | "failed" | "cancelled" | "refused" | "noop"; seconds: number; operationId: string }
  /** A resource's queue of waiting edits changed size. */
  | { event: "queue"; project: string; kind: string; depth: number }
  /** An AWS call failed after its retries. */
  | { event: "aws_error"; project: string; service: string; action: string; code: string; status: number }
  /** A heal from CloudFormation ran (the cron, ops, an editor, or a stuck lock's check). */
  | { event: "heal"; project: string; trigger: "cron" | "ops" | "editor" | "stuck" | "unsure"; outcome: "ok" | "failed"; changed: number; seconds: number };

export type WebhookRefusal = "unknown_project" | "signature" | "schema" | "foreign" | "future" | "too_large" | "rate_limited";

/** What a dataset needs (Analytics Engine's binding, or a test's recorder). */
interface MetricsSink {
  writeDataPoint(point: AnalyticsEngineDataPoint): void;
}

/** The Analytics Engine data point of an event (pure: the README's queries read this layout). */
export function dataPointOf(e: TelemetryEvent): AnalyticsEngineDataPoint {
  const point = (blobs: string[], doubles: number[]): AnalyticsEngineDataPoint => ({ indexes: [e.project], blobs: [e.event, ...blobs], doubles });
  switch (e.event) {
    case "webhook":
      return e.outcome === "accepted" ? point(["accepted", ""], [e.accepted, e.duplicates, e.ignored]) : point(["refused", e.reason], [0, 0, 0]);
    case "operation":
      return point([e.kind, e.action, e.outcome], [e.seconds]);
    case "queue":
      return point([e.kind], [e.depth]);
    case "aws_error":
      return point([e.service, e.action, e.code], [e.status]);
    case "heal":
      return point([e.trigger, e.outcome], [e.changed, e.seconds]);
  }
}

const LEVEL: Record<TelemetryEvent["event"], (e: TelemetryEvent) => LogLevel> = {
  webhook: (e) => (e.event === "webhook" && e.outcome === "refused" ? "warn" : "info"),
  operation: (e) => (e.event === "operation" && e.outcome === "failed" ? "warn" : "info"),
  queue: () => "info",
  aws_error: () => "error",
  heal: (e) => (e.event === "heal" && e.outcome === "failed" ? "error" : "info"),
};

/**
 * Records `e`: its log line (with `extra` ids such as the request id) and its data point. A
 * failing metrics write never fails the work it describes.
 */
export function observe(sink: MetricsSink | undefined, e: TelemetryEvent, extra: LogFields = {}): void {
  const { event, ...fields } = e;
  logEvent(LEVEL[event](e), event, { ...fields, ...extra });
  try {
    sink?.writeDataPoint(dataPointOf(e));
  } catch (err) {
    logEvent("warn", "metrics_write_failed", { of: event, error: err instanceof Error ? err.message : String(err) });
  }
}
