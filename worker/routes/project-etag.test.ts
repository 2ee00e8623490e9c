// Proves the cached project view answers conditional GETs: an ETag on every 200, a 304 with no body for a client whose copy is current (also when KV's copy would not even parse: it is not read then), a new tag once the snapshot changes or the caller's role does, and never a 304 for a tag of another state.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../core/kv-documents";
import { api, eventually, login, readyBucket, registerProject } from "../../test/workers/harness";

const view = (cookie: string, projectId: string, etag?: string) => api(cookie, `/api/projects/${projectId}`, etag ? { headers: { "If-None-Match": etag } } : {});
const room = (projectId: string) => env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(projectId));

describe("GET /api/projects/:p with an ETag", () => {
  it("answers 304 while the snapshot is unchanged, and 200 with a new tag once it changes", async () => {
    const project = await registerProject({ members: [{ email: "owner@example.com", role: "owner" }, { email: "viewer@example.com", role: "viewer" }] });
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "first");
    await runDurableObjectAlarm(room(project.id));
    const first = await eventually(() => view(owner, project.id), (r) => r.headers.get("etag") !== null);
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^W\/"\d+\.\d+-[0-9a-f]{8}"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    await first.body?.cancel();

    const again = await view(owner, project.id, etag);
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    // A list of tags, one of them current, and the wildcard.
    expect((await view(owner, project.id, `"other", ${etag}`)).status).toBe(304);
    expect((await view(owner, project.id, "*")).status).toBe(304);

    // The same state seen by a viewer is another answer (its role is in it): another tag.
    const viewer = await login("viewer@example.com");
    const asViewer = await view(viewer, project.id, etag);
    expect(asViewer.status).toBe(200);
    expect(asViewer.headers.get("etag")).not.toBe(etag);
    await asViewer.body?.cancel();

    // Not parsed for a 304: a copy whose text is garbage but whose version is current still answers 304.
    const copy = await env.STACK_CACHE.getWithMetadata(snapshotKey(project.id));
    await env.STACK_CACHE.put(snapshotKey(project.id), "{not json", { metadata: copy.metadata });
    expect((await view(owner, project.id, etag)).status).toBe(304);
    await env.STACK_CACHE.put(snapshotKey(project.id), copy.value ?? "", { metadata: copy.metadata });

    // A change: once the room writes the snapshot again, the old tag gets the new state.
    await readyBucket(owner, project, "second");
    await runDurableObjectAlarm(room(project.id));
    const changed = await eventually(() => view(owner, project.id, etag), (r) => r.status === 200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect((await changed.json<{ buckets: { name: string }[] }>()).buckets.map((b) => b.name).sort()).toEqual(["first", "second"]);
  });
});
