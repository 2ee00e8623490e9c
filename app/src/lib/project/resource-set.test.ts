// Proves the live resource list: natural name order, deleted rows linger, fade and leave (or are dismissed), counts skip them, and a late HTTP answer never brings a deleted resource back.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DELETED_FADE_MS, DELETED_LINGER_MS, ResourceSet, type Resource } from "./resource-set.svelte";

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

  it("keeps a deleted resource on screen, uncounted, then fades it and lets it go", () => {
    const set = new ResourceSet();
    set.replace([item("a"), item("b")]);
    set.put(item("a", "deleted", 5));
    expect(set.list.map((r) => r.name)).toEqual(["a", "b"]);
    expect(set.liveCount).toBe(1);
    vi.advanceTimersByTime(DELETED_LINGER_MS - DELETED_FADE_MS);
    expect(set.leaving.has("a")).toBe(true);
    vi.advanceTimersByTime(DELETED_FADE_MS);
    expect(set.list.map((r) => r.name)).toEqual(["b"]);
    expect(set.leaving.has("a")).toBe(false);
  });

  it("leaves no ghost of a create AWS refused at once, but lets a failed resource's deletion linger", () => {
    const set = new ResourceSet();
    const lock = (action: "create" | "delete") => ({ by: "bob@example.com", since: at(1), operationId: `op-${action}`, action });
    set.put({ ...item("taken", "creating", 1), lock: lock("create") });
    set.put(item("taken", "deleted", 2));
    expect(set.list.map((r) => r.name)).toEqual([]);
    // A late 202 answer to the refused create cannot bring it back.
    set.offer({ ...item("taken", "creating", 1), lock: lock("create") });
    expect(set.list).toEqual([]);

    set.put(item("rolled-back", "failed", 1));
    set.put({ ...item("rolled-back", "deleting", 2), lock: lock("delete") });
    set.put(item("rolled-back", "deleted", 3));
    expect(set.list.map((r) => [r.name, r.status])).toEqual([["rolled-back", "deleted"]]);
  });

  it("removes a deleted resource at once when dismissed, and only a deleted one", () => {
    const set = new ResourceSet();
    set.replace([item("a"), item("b")]);
    set.dismiss("b");
    set.markGone("a");
    set.dismiss("a");
    expect(set.list.map((r) => r.name)).toEqual(["b"]);
    vi.advanceTimersByTime(DELETED_LINGER_MS);
    expect(set.list.map((r) => r.name)).toEqual(["b"]);
  });

  it("never lets the answer to a DELETE undo the deletion the room already reported", () => {
    const set = new ResourceSet();
    set.put(item("a", "deleted", 5));
    set.offer(item("a", "deleting", 9));
    expect(set.get("a")?.status).toBe("deleted");
    vi.advanceTimersByTime(DELETED_LINGER_MS);
    set.offer(item("a", "deleting", 4));
    expect(set.get("a")).toBeUndefined();
  });

  it("takes a newer HTTP answer but not an older one", () => {
    const set = new ResourceSet();
    set.put(item("a", "updating", 5));
    set.offer(item("a", "ready", 4));
    expect(set.get("a")?.status).toBe("updating");
    set.offer(item("a", "ready", 6));
    expect(set.get("a")?.status).toBe("ready");
  });
});
