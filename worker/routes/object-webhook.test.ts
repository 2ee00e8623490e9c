// Proves a project's object webhook takes a signed batch of its own buckets' S3 events into the bucket's recent files (newest first, duplicates dropped) and one folded activity line, and refuses a wrong account, a foreign bucket, a bad signature or a bad body whole, applying nothing.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { OUTSIDE_STACKROOM, type ActivityPage, type FileList, type ObjectEvent, type ProjectRecord } from "../../core/contract";
import { physicalBucketName } from "../../core/naming";
import { api, deliverObjects, login, objectEvent, readyBucket, registerProject } from "../../test/workers/harness";

type Envelope = { error: { code: string; message: string } };
const at = (base: number, s: number) => new Date(base + s * 1000).toISOString();

async function files(cookie: string, project: ProjectRecord, bucket: string, query = ""): Promise<FileList> {
  const res = await api(cookie, `/api/projects/${project.id}/buckets/${bucket}/files${query}`);
  expect(res.status).toBe(200);
  return res.json<FileList>();
}

/** The bucket's file lines in the activity (uploads and deletes), newest first. */
async function fileLines(cookie: string, project: ProjectRecord, bucket: string): Promise<string[]> {
  const page = await (await api(cookie, `/api/projects/${project.id}/activity?resource=bucket:${bucket}&limit=200`)).json<ActivityPage>();
  return page.entries.map((e) => e.message).filter((m) => / (uploaded|deleted) /.test(m));
}

describe("POST /webhooks/objects/:project", () => {
  it("keeps a signed batch as the bucket's recent files and folds it into one activity line; duplicates are dropped", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "acme-data");
    const base = Date.now() - 60_000;
    const batch = [
      objectEvent(project, "acme-data", "incoming/a.csv", { at: at(base, 0), size: 400_000_000 }),
      objectEvent(project, "acme-data", "incoming/b.csv", { at: at(base, 60), size: 400_000_000 }),
      objectEvent(project, "acme-data", "incoming/sub/c.csv", { at: at(base, 30), size: 400_000_000 }),
    ];
    const res = await deliverObjects(project, batch);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, ignored: 0 });

    const listed = await files(owner, project, "acme-data");
    expect(listed.files.map((f) => f.key)).toEqual(["incoming/b.csv", "incoming/sub/c.csv", "incoming/a.csv"]);
    expect(listed.files[0]).toEqual({ key: "incoming/b.csv", size: 400_000_000, event: "created", by: OUTSIDE_STACKROOM, at: at(base, 60) });
    const lines = await fileLines(owner, project, "acme-data");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^someone outside Stackroom uploaded 3 files, 1\.2 GB, to acme-data\/incoming\/ · \d\d:\d\d–\d\d:\d\d UTC$/);

    // The bridge delivers twice (SNS at least once): nothing new, and the line is unchanged.
    expect(await (await deliverObjects(project, batch)).json()).toEqual({ accepted: 0, duplicates: 3, ignored: 0 });
    expect((await files(owner, project, "acme-data")).files).toHaveLength(3);
    expect(await fileLines(owner, project, "acme-data")).toEqual(lines);

    // A later event of the same burst extends the line (the old one leaves the log); a delete is its own line.
    await deliverObjects(project, [objectEvent(project, "acme-data", "incoming/d.csv", { at: at(base, 90), size: 0 }), objectEvent(project, "acme-data", "incoming/a.csv", { at: at(base, 95), event: "removed", size: undefined })]);
    const after = await fileLines(owner, project, "acme-data");
    expect(after).toHaveLength(2);
    expect(after.some((m) => m.startsWith("someone outside Stackroom uploaded 4 files, 1.2 GB, to acme-data/incoming/"))).toBe(true);
    expect(after.some((m) => m.startsWith("someone outside Stackroom deleted acme-data/incoming/a.csv"))).toBe(true);
    expect((await files(owner, project, "acme-data")).files[0]).toMatchObject({ key: "incoming/a.csv", event: "removed" });
  });

  it("refuses a wrong account, a foreign bucket, a bad signature, a bad body or a future event whole, applying nothing", async () => {
    const project = await registerProject();
    const other = await registerProject();
    const owner = await login("owner@example.com");
    await readyBucket(owner, project, "guarded");
    await readyBucket(owner, other, "guarded");
    const good = () => objectEvent(project, "guarded", "in/ok.csv");
    const refusedWith = async (res: Response, status: number, code: string, message?: RegExp) => {
      expect(res.status).toBe(status);
      const body = await res.json<Envelope>();
      expect(body.error.code).toBe(code);
      if (message) expect(body.error.message).toMatch(message);
    };
    await refusedWith(await deliverObjects(project, [good(), { ...good(), account: other.accountId }]), 403, "forbidden", /account .* is not account .*Nothing in this batch was applied/);
    // Another project's bucket, a bucket of no project, and this project's name with another suffix.
    await refusedWith(await deliverObjects(project, [good(), objectEvent(other, "guarded", "x", { account: project.accountId })]), 403, "forbidden", /is not a bucket of project/);
    await refusedWith(await deliverObjects(project, [good(), { ...good(), bucket: "someone-elses-bucket" }]), 403, "forbidden");
    // The suffix's last character changed (to one it is not: the suffix is a hash, so it may end in "0").
    const physical = physicalBucketName(project.id, project.accountId, project.region, "guarded");
    await refusedWith(await deliverObjects(project, [{ ...good(), bucket: `${physical.slice(0, -1)}${physical.endsWith("0") ? "1" : "0"}` }]), 403, "forbidden");
    // Signed with another project's secret, or the old root no longer for this project: 401.
    const forged = await deliverObjects(other, [good()]);
    expect(forged.status).toBe(403);
    await refusedWith(await deliverObjects(project, [good()], "not-the-root"), 401, "unauthenticated");
    await refusedWith(await deliverObjects(project, [good()], env.WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 400), 401, "unauthenticated");
    await refusedWith(await deliverObjects(project, [good(), { ...good(), at: new Date(Date.now() + 10 * 60_000).toISOString() }]), 400, "invalid", /in the future/);
    const bad: Array<Partial<ObjectEvent> | Record<string, unknown>> = [{ event: "changed" }, { size: -1 }, { account: "abc" }, { at: "yesterday" }, { key: "" }, { eventId: undefined }];
    for (const change of bad) await refusedWith(await deliverObjects(project, [good(), { ...good(), ...change } as ObjectEvent]), 400, "invalid");
    await refusedWith(await deliverObjects(project, []), 400, "invalid");
    await refusedWith(await deliverObjects(project, Array.from({ length: 501 }, good)), 400, "invalid");

    expect((await files(owner, project, "guarded")).files).toEqual([]);
    expect((await files(owner, other, "guarded")).files).toEqual([]);
    expect(await fileLines(owner, project, "guarded")).toEqual([]);
    // Events of a bucket the room does not hold (deleted, or made outside Stackroom with a matching name) are skipped.
    expect(await (await deliverObjects(project, [objectEvent(project, "unheard-of", "x")])).json()).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
  });
});

describe("GET /api/projects/:p/buckets/:name/files", () => {
  it("answers members (viewers too) newest first, by prefix and limit; 400 for a bad query, 404 for an unknown bucket", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const viewer = await login("viewer@example.com");
    await readyBucket(owner, project, "shelf");
    const base = Date.now() - 600_000;
    const keys = ["a/1", "b/1", "a/2", "b/2", "a/3"];
    await deliverObjects(project, keys.map((key, i) => objectEvent(project, "shelf", key, { at: at(base, i) })));

    expect((await files(viewer, project, "shelf")).files.map((f) => f.key)).toEqual(["a/3", "b/2", "a/2", "b/1", "a/1"]);
    expect((await files(viewer, project, "shelf", "?prefix=a/")).files.map((f) => f.key)).toEqual(["a/3", "a/2", "a/1"]);
    expect((await files(viewer, project, "shelf", "?prefix=b/&limit=1")).files.map((f) => f.key)).toEqual(["b/2"]);
    expect((await files(viewer, project, "shelf", "?prefix=%25")).files).toEqual([]);
    for (const query of ["?limit=0", "?limit=1001", "?limit=abc", `?prefix=${"p".repeat(1025)}`]) {
      const res = await api(viewer, `/api/projects/${project.id}/buckets/shelf/files${query}`);
      expect(res.status).toBe(400);
      expect((await res.json<Envelope>()).error.code).toBe("invalid");
    }
    expect((await api(viewer, `/api/projects/${project.id}/buckets/nosuch/files`)).status).toBe(404);
    expect((await api(viewer, `/api/projects/${project.id}/buckets/NOT_A_NAME/files`)).status).toBe(404);
    const stranger = await login("stranger@example.com");
    expect((await api(stranger, `/api/projects/${project.id}/buckets/shelf/files`)).status).toBe(404);
  });
});
