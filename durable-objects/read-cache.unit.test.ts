// Proves the room's cache of AWS-backed reads: within its time a read is answered without calling AWS again, concurrent askers share one call, a failed call is not kept, forget drops an entry, and the entries stay bounded.
import { describe, expect, it } from "vitest";
import { ReadCache } from "./read-cache";

function counted<T>(value: T): { load: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return { load: async () => (calls++, value), calls: () => calls };
}

describe("ReadCache", () => {
  it("answers from memory within its time, and asks again after it", async () => {
    const cache = new ReadCache<number>(30_000);
    const aws = counted(7);
    expect(await cache.get("b", aws.load, 0)).toBe(7);
    expect(await cache.get("b", aws.load, 29_999)).toBe(7);
    expect(aws.calls()).toBe(1);
    expect(await cache.get("b", aws.load, 30_000)).toBe(7);
    expect(aws.calls()).toBe(2);
  });

  it("lets concurrent askers share one call", async () => {
    const cache = new ReadCache<string>(30_000);
    let release: (v: string) => void = () => undefined;
    let calls = 0;
    const load = () => (calls++, new Promise<string>((r) => (release = r)));
    const both = Promise.all([cache.get("k", load, 0), cache.get("k", load, 1)]);
    release("done");
    expect(await both).toEqual(["done", "done"]);
    expect(calls).toBe(1);
  });

  it("does not keep a failure, and forgets on request", async () => {
    const cache = new ReadCache<number>(30_000);
    await expect(cache.get("k", () => Promise.reject(new Error("throttled")), 0)).rejects.toThrow("throttled");
    const aws = counted(1);
    expect(await cache.get("k", aws.load, 1)).toBe(1);
    cache.forget("k");
    expect(await cache.get("k", aws.load, 2)).toBe(1);
    expect(aws.calls()).toBe(2);
  });

  it("keeps at most its bound, dropping the oldest", async () => {
    const cache = new ReadCache<number>(30_000, 2);
    const aws = counted(0);
    for (const key of ["a", "b", "c"]) await cache.get(key, aws.load, 0);
    await cache.get("c", aws.load, 1);
    await cache.get("a", aws.load, 1);
    expect(aws.calls()).toBe(4);
  });
});
