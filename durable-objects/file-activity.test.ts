// Proves the room keeps file activity bounded, named and folded: events by a user's IAM id are that Stackroom user's, anything else is outside Stackroom; a deleted bucket's files go with it; at most 1,000 events per bucket (the newest), and a 10,000-event burst in batches of 500 becomes one activity line that connected managers see updated in place.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { OUTSIDE_STACKROOM, type ActivityPage, type FileList, type LiveFrame } from "../core/contract";
import { stackName } from "../core/naming";
import { api, deliver, deliverObjects, eventually, login, objectEvent, readyBucket, readyUser, registerProject, stackEvent } from "../test/workers/harness";
import { StoredUser } from "./kinds/user";
import { framesUntil, listen } from "../test/workers/live";
import { FILES_KEPT_PER_BUCKET } from "./file-store";

const room = (projectId: string) => env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(projectId));

describe("file activity in the room", () => {
  it("names the Stackroom user whose IAM id an event's principal is, and anyone else as outside Stackroom", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "drop");
    await readyUser(owner, project, { name: "partner", permissions: [{ bucket: "drop", access: "read" }] }, stackName(project.id, "user", "partner"));
    // The room learns the user's IAM id from IAM once its stack stands (file-identity.test.ts).
    const learned = await eventually(() => runInDurableObject(room(project.id), (r) => r.store.getAs("user", "partner", StoredUser)?.iamUserId), (id) => id !== undefined);
    const res = await deliverObjects(project, [
      objectEvent(project, "drop", "in/partner.csv", { principalId: `AWS:${learned}` }),
      objectEvent(project, "drop", "in/stranger.csv", { principalId: "AWS:AIDAOUTSIDER000000001" }),
      objectEvent(project, "drop", "in/role.csv", { principalId: "AWS:AROAEXAMPLE000000001:partner" }),
      objectEvent(project, "drop", "in/moto.csv", { principalId: "" }),
    ]);
    expect(res.status).toBe(202);
    const listed = await (await api(owner, `/api/projects/${project.id}/buckets/drop/files`)).json<FileList>();
    expect(Object.fromEntries(listed.files.map((f) => [f.key, f.by]))).toEqual({ "in/partner.csv": "partner", "in/stranger.csv": OUTSIDE_STACKROOM, "in/role.csv": OUTSIDE_STACKROOM, "in/moto.csv": OUTSIDE_STACKROOM });
    const page = await (await api(owner, `/api/projects/${project.id}/activity?resource=bucket:drop`)).json<ActivityPage>();
    expect(page.entries.filter((e) => e.message.startsWith("partner uploaded drop/in/partner.csv (1 KB)")).map((e) => e.actor)).toEqual(["partner"]);
    expect(page.entries.filter((e) => e.message.startsWith(`${OUTSIDE_STACKROOM} uploaded 3 files, 3 KB, to drop/in/`))).toHaveLength(1);
  });

  it("keeps the newest 1,000 events per bucket", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "full");
    await readyBucket(owner, project, "small");
    const base = Date.now() - 3_600_000;
    for (let b = 0; b < 3; b++) {
      const batch = Array.from({ length: 400 }, (_, i) => objectEvent(project, "full", `k/${b * 400 + i}`, { at: new Date(base + (b * 400 + i) * 1000).toISOString() }));
      expect((await deliverObjects(project, [...batch, objectEvent(project, "small", `s/${b}`)])).status).toBe(202);
    }
    const kept = await runInDurableObject(room(project.id), (_r, state) =>
      state.storage.sql.exec<{ bucket: string; n: number }>("SELECT bucket, COUNT(*) AS n FROM file_events GROUP BY bucket ORDER BY bucket").toArray());
    expect(kept).toEqual([{ bucket: "full", n: FILES_KEPT_PER_BUCKET }, { bucket: "small", n: 3 }]);
    const listed = await (await api(owner, `/api/projects/${project.id}/buckets/full/files?limit=1000`)).json<FileList>();
    expect(listed.files[0]?.key).toBe("k/1199");
    expect(listed.files.at(-1)?.key).toBe("k/200");
    // An event older than everything a full bucket keeps is not taken in.
    const stale = await deliverObjects(project, [objectEvent(project, "full", "k/ancient", { at: new Date(base - 1000).toISOString() })]);
    expect(await stale.json()).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
  });

  it("forgets a deleted bucket's files: a bucket made again with its name starts empty", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "gone");
    await deliverObjects(project, [objectEvent(project, "gone", "old.csv")]);
    const deleted = await api(owner, `/api/projects/${project.id}/buckets/gone`, { method: "DELETE" });
    expect(deleted.status).toBe(202);
    const { operationId } = await deleted.json<{ operationId: string }>();
    await deliver([stackEvent(project, stackName(project.id, "bucket", "gone"), "DELETE_COMPLETE", { clientRequestToken: operationId })]);
    expect((await api(owner, `/api/projects/${project.id}/buckets/gone/files`)).status).toBe(404);
    const rows = await runInDurableObject(room(project.id), (_r, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM file_events WHERE bucket = 'gone'").one().n);
    expect(rows).toBe(0);
    await readyBucket(owner, project, "gone");
    expect((await (await api(owner, `/api/projects/${project.id}/buckets/gone/files`)).json<FileList>()).files).toEqual([]);
  });

  it("folds a 10,000-event burst into one line, updated live", { timeout: 120_000 }, async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "burst");
    const socket = listen(await api(owner, `/api/projects/${project.id}/live`, { headers: { Upgrade: "websocket" } }));
    const base = Date.now() - 1_000_000;
    for (let b = 0; b < 20; b++) {
      const batch = Array.from({ length: 500 }, (_, i) => objectEvent(project, "burst", `incoming/${b}/${i}.bin`, { at: new Date(base + (b * 500 + i) * 50).toISOString(), size: 120_000 }));
      const res = await deliverObjects(project, batch);
      expect(await res.json()).toEqual({ accepted: 500, duplicates: 0, ignored: 0 });
    }
    const page = await (await api(owner, `/api/projects/${project.id}/activity?resource=bucket:burst&limit=200`)).json<ActivityPage>();
    const lines = page.entries.filter((e) => e.message.includes(" uploaded "));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.message).toMatch(/^someone outside Stackroom uploaded 10000 files, 1\.2 GB, to burst\/incoming\/ · /);

    // Live: every batch rewrote the one line, each frame replacing the one before.
    const fileFrames = (fs: LiveFrame[]) => fs.filter((f): f is Extract<LiveFrame, { type: "change" }> => f.type === "change" && f.activity.message.includes(" uploaded "));
    const frames = fileFrames(await framesUntil(socket.frames, (fs) => fileFrames(fs).length >= 20, 10_000));
    expect(frames).toHaveLength(20);
    expect(frames[0]?.["replaces"]).toBeUndefined();
    for (let i = 1; i < frames.length; i++) expect(frames[i]?.["replaces"]).toBe(frames[i - 1]?.seq);
    expect(frames.at(-1)?.seq).toBe(lines[0]?.seq);
    socket.ws.close();
  });
});
