// Proves the permission matrix's draft: edits stay local until saved, changes are listed per bucket, bad prefixes and repeated grants are explained, and a save sends one PATCH per user with its full permissions (a refusal keeps that user's draft).
import { afterEach, describe, expect, it, vi } from "vitest";
import type { User } from "$contract";
import { PermissionDraft } from "./permission-draft.svelte";

function user(name: string, permissions: User["spec"]["permissions"] = []): User {
  return { name, path: "/stackroom/demo/", spec: { description: null, permissions, expiresAt: null }, status: "ready", updatedAt: "2026-06-01T10:00:00Z", keys: [] } as unknown as User;
}

afterEach(() => vi.unstubAllGlobals());

describe("PermissionDraft", () => {
  it("keeps edits local and lists what changes per bucket", () => {
    const draft = new PermissionDraft("demo");
    const acme = user("acme", [{ bucket: "a", access: "read" }]);
    expect(draft.isDirty(acme)).toBe(false);
    draft.setAccess(acme, 0, "write");
    draft.add(acme, "b", "readwrite");
    draft.setPrefix(acme, 1, "in/");
    expect(draft.isDirty(acme)).toBe(true);
    expect(draft.permissions(acme)).toEqual([{ bucket: "a", access: "write" }, { bucket: "b", access: "readwrite", prefix: "in/" }]);
    expect(draft.changes(acme).map((c) => c.bucket)).toEqual(["a", "b"]);
    draft.setAccess(acme, 0, "read");
    draft.setAccess(acme, 1, "none");
    expect(draft.isDirty(acme)).toBe(false);
  });

  it("explains a bad prefix and a repeated grant, and blocks them", () => {
    const draft = new PermissionDraft("demo");
    const acme = user("acme");
    draft.add(acme, "a");
    draft.setPrefix(acme, 0, "no*wildcards");
    expect(draft.error(acme, 0, "prefix")).toMatch(/no \* or \?/);
    expect(draft.isValid(acme)).toBe(false);
    draft.setPrefix(acme, 0, "");
    draft.add(acme, "a");
    expect(draft.error(acme, 1, "prefix")).toMatch(/whole bucket is already granted/);
    expect(draft.rowError(acme)).toBeUndefined();
  });

  it("notices someone else saving the same user meanwhile", () => {
    const draft = new PermissionDraft("demo");
    draft.add(user("acme"), "a");
    expect(draft.isStale(user("acme", [{ bucket: "b", access: "read" }]))).toBe(true);
  });

  it("saves one PATCH per user with the full permissions; a refusal keeps the draft and says why", async () => {
    const sent: { url: string; body: unknown }[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      sent.push({ url, body: JSON.parse(String(init.body)) });
      if (url.endsWith("/users/audit")) {
        return new Response(JSON.stringify({ error: { code: "conflict", message: "Bucket gamma is being deleted." } }), { status: 409 });
      }
      return new Response(JSON.stringify({ operationId: "op-1" }), { status: 202 });
    });
    const draft = new PermissionDraft("demo");
    const acme = user("acme", [{ bucket: "alpha", access: "read" }]);
    const audit = user("audit");
    draft.add(acme, "beta", "write");
    draft.add(audit, "gamma");
    const outcome = await draft.save([acme, audit], () => undefined);
    expect(outcome).toEqual({ saved: ["acme"], queued: [], failed: ["audit"] });
    expect(sent).toEqual([
      { url: "/api/projects/demo/users/acme", body: { permissions: [{ bucket: "alpha", access: "read" }, { bucket: "beta", access: "write" }], queue: true } },
      { url: "/api/projects/demo/users/audit", body: { permissions: [{ bucket: "gamma", access: "read" }], queue: true } },
    ]);
    expect(draft.isDirty(acme)).toBe(false);
    expect(draft.isDirty(audit)).toBe(true);
    expect(draft.rowError(audit)).toBe("Bucket gamma is being deleted.");
  });

  it("drops drafts of users that are gone", () => {
    const draft = new PermissionDraft("demo");
    draft.add(user("acme"), "a");
    draft.prune([]);
    expect(draft.isDirty(user("acme"))).toBe(false);
  });
});
