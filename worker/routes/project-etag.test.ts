// Proves the cached project view answers conditional GETs: an ETag on every 200, a 304 with no body for a client whose copy is current (also when KV's copy would not even parse: it is not read then), a new tag once the snapshot changes or the caller's role does, and never a 304 for a tag of another state. A 200 sends the copy as stored (not parsed again) only when its metadata vouches for it; a snapshot over KV's limit is removed, not left stale, and the room answers.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../core/kv-documents";
import { writeSnapshot } from "../../durable-objects/room-view";
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
    // The copy as stored, with the caller's summary: the same view the parsed path gives.
    const asStored = await view(owner, project.id);
    expect(asStored.headers.get("etag")).toBe(etag);
    expect(asStored.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await asStored.json()).toEqual({ ...JSON.parse(copy.value ?? "null"), project: { id: project.id, name: project.name, accountId: project.accountId, region: project.region, role: "owner" } });
    // Sent as stored only when it is the room's whole write (its length as the metadata says): a cut copy is not sent, the room answers.
    await env.STACK_CACHE.put(snapshotKey(project.id), (copy.value ?? "").slice(0, -10), { metadata: copy.metadata });
    const fromRoom = await view(owner, project.id);
    expect(fromRoom.status).toBe(200);
    expect((await fromRoom.json<{ project: { role: string }; buckets: { name: string }[] }>()).buckets.map((b) => b.name)).toEqual(["first"]);

    // (The room, asked, writes its snapshot again soon.) A snapshot over KV's limit (here a limit of 100 bytes) is not
    // left stale in KV: the copy goes and the room answers.
    await runInDurableObject(room(project.id), (instance) => writeSnapshot(instance, env.STACK_CACHE, project.id, Date.now(), 100));
    expect(await env.STACK_CACHE.get(snapshotKey(project.id))).toBeNull();
    const overLimit = await view(owner, project.id);
    expect(overLimit.status).toBe(200);
    expect((await overLimit.json<{ buckets: { name: string }[] }>()).buckets.map((b) => b.name)).toEqual(["first"]);

    // A change: once the room writes the snapshot again, the old tag gets the new state.
    await readyBucket(owner, project, "second");
    await runDurableObjectAlarm(room(project.id));
    const changed = await eventually(() => view(owner, project.id, etag), (r) => r.status === 200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect((await changed.json<{ buckets: { name: string }[] }>()).buckets.map((b) => b.name).sort()).toEqual(["first", "second"]);
  });
});
