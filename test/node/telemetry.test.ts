// Proves the Analytics Engine data point of every telemetry event: the project as the index (what Analytics Engine samples by), the event then its labels as blobs, its numbers as doubles, within Analytics Engine's limits — the layout the README's SQL queries read — and that a failing metrics write never fails the work.
import { describe, expect, it, vi } from "vitest";
import { dataPointOf, observe, type TelemetryEvent } from "../../core/telemetry";

const events: Array<[TelemetryEvent, AnalyticsEngineDataPoint]> = [
  [{ event: "webhook", project: "demo", outcome: "accepted", accepted: 3, duplicates: 1, ignored: 0 }, { indexes: ["demo"], blobs: ["webhook", "accepted", ""], doubles: [3, 1, 0] }],
  [{ event: "webhook", project: "demo", outcome: "refused", reason: "signature" }, { indexes: ["demo"], blobs: ["webhook", "refused", "signature"], doubles: [0, 0, 0] }],
  [{ event: "operation", project: "demo", kind: "bucket", action: "create", outcome: "succeeded", seconds: 42.5, operationId: "op-1" }, { indexes: ["demo"], blobs: ["operation", "bucket", "create", "succeeded"], doubles: [42.5] }],
  [{ event: "queue", project: "demo", kind: "user", depth: 2 }, { indexes: ["demo"], blobs: ["queue", "user"], doubles: [2] }],
  [{ event: "aws_error", project: "demo", service: "sts", action: "AssumeRole", code: "AccessDenied", status: 403 }, { indexes: ["demo"], blobs: ["aws_error", "sts", "AssumeRole", "AccessDenied"], doubles: [403] }],
  [{ event: "heal", project: "demo", trigger: "cron", outcome: "ok", changed: 4, seconds: 1.2 }, { indexes: ["demo"], blobs: ["heal", "cron", "ok"], doubles: [4, 1.2] }],
];

describe("telemetry", () => {
  it.each(events)("lays out %o as its data point", (event, point) => {
    expect(dataPointOf(event)).toEqual(point);
  });

  it("stays within Analytics Engine's limits (1 index of at most 96 bytes, 20 blobs, 20 doubles)", () => {
    for (const [event] of events) {
      const point = dataPointOf({ ...event, project: "p".repeat(20) });
      expect(point.indexes).toHaveLength(1);
      expect(new TextEncoder().encode(String(point.indexes?.[0])).length).toBeLessThanOrEqual(96);
      expect(point.blobs?.length ?? 0).toBeLessThanOrEqual(20);
      expect(point.doubles?.length ?? 0).toBeLessThanOrEqual(20);
    }
  });

  it("writes one data point and one JSON line per event, and a failing write does not throw", () => {
    const written: AnalyticsEngineDataPoint[] = [];
    const log = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    observe({ writeDataPoint: (p) => void written.push(p) }, events[1]![0], { requestId: "r-1" });
    expect(written).toEqual([events[1]![1]]);
    expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toEqual({ level: "warn", event: "webhook", project: "demo", outcome: "refused", reason: "signature", requestId: "r-1" });
    expect(() => observe({ writeDataPoint: () => { throw new Error("quota"); } }, events[1]![0])).not.toThrow();
    expect(String(log.mock.calls.at(-1)?.[0])).toContain("metrics_write_failed");
    log.mockRestore();
  });
});
