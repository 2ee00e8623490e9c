// Proves bucket create/update/delete go through the room to CloudFormation in moto, validate, lock and refuse cleanly.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Bucket, ProjectView } from "../../core/contract";
import { stackName } from "../../core/naming";
import { accountClient, api, deliver, eventually, login, registerProject, stackEvent } from "../../test/workers/harness";

interface Accepted { bucket: Bucket; operationId: string }
interface Envelope { error: { code: string; message: string; fields?: Record<string, string> } }

async function describeStack(accountId: string, region: string, name: string): Promise<string> {
  const cfn = await accountClient(accountId, "cloudformation", region);
  const body = new URLSearchParams({ Action: "DescribeStacks", Version: "2010-05-15", StackName: name }).toString();
  return (await cfn.fetch(env.AWS_ENDPOINT, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } })).text();
}

const view = (cookie: string, id: string) => async () => (await api(cookie, `/api/projects/${id}`)).json<ProjectView>();

describe("bucket routes", () => {
  it("creates a stack in moto with tags, notifications and the operation id, then follows events to ready", async () => {
    const project = await registerProject();
    const cookie = await login("editor@example.com");
    const res = await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "uploads", expireAfterDays: 30 }) });
    expect(res.status).toBe(202);
    const { bucket, operationId } = await res.json<Accepted>();
    expect(bucket).toMatchObject({ name: "uploads", status: "creating", spec: { versioning: true, encryption: "s3", expireAfterDays: 30 } });
    expect(bucket.lock).toMatchObject({ by: "editor@example.com", operationId, action: "create" });
    expect(bucket.physicalName).toMatch(/^uploads-[0-9a-f]{8}$/);

    const stack = stackName(project.id, "bucket", "uploads");
    const described = await describeStack(project.accountId, project.region, stack);
    expect(described).toContain("CREATE_COMPLETE");
    expect(described).toContain(project.topicArn);
    expect(described).toContain("stackroom:project");

    const accepted = await deliver([
      stackEvent(project, stack, "CREATE_IN_PROGRESS", { clientRequestToken: operationId }),
      stackEvent(project, stack, "CREATE_COMPLETE", { clientRequestToken: operationId }),
    ]);
    expect(await accepted.json()).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });
    const after = await eventually(view(cookie, project.id), (v) => v.buckets[0]?.status === "ready");
    expect(after.buckets[0]).toMatchObject({ name: "uploads", status: "ready" });
    expect(after.buckets[0]?.lock).toBeUndefined();
    expect(after.seq).toBeGreaterThanOrEqual(2);
  });

  it("refuses invalid bodies with per-field messages and changes nothing", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    for (const [body, field] of [
      [{ name: "Bad_Name" }, "name"],
      [{ name: "ok-name", expireAfterDays: 0 }, "expireAfterDays"],
      [{ name: "ok-name", encryption: "aes" }, "encryption"],
      [{ name: "ok-name", public: true }, "_"],
    ] as const) {
      const res = await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      const envelope = await res.json<Envelope>();
      expect(envelope.error.code).toBe("invalid");
      expect(envelope.error.fields?.[field]).toBeTruthy();
    }
    const activity = await (await api(cookie, `/api/projects/${project.id}/activity`)).json<{ entries: unknown[] }>();
    expect(activity.entries).toEqual([]);
  });

  it("answers 409 for a duplicate name and `locked` naming the holder while an operation runs", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const editor = await login("editor@example.com");
    expect((await api(owner, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "shared" }) })).status).toBe(202);
    const dup = await api(editor, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "shared" }) });
    expect(dup.status).toBe(409);
    const locked = await api(editor, `/api/projects/${project.id}/buckets/shared`, { method: "PATCH", body: JSON.stringify({ versioning: false, queue: false }) });
    expect(locked.status).toBe(409);
    const envelope = await locked.json<Envelope>();
    expect(envelope.error.code).toBe("locked");
    expect(envelope.error.message).toContain("owner@example.com");
  });

  it("updates a ready bucket's stack and deletes an empty one; unknown buckets are 404", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const stack = stackName(project.id, "bucket", "logs");
    const created = await (await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "logs" }) })).json<Accepted>();
    await deliver([stackEvent(project, stack, "CREATE_COMPLETE", { clientRequestToken: created.operationId })]);

    const same = await api(cookie, `/api/projects/${project.id}/buckets/logs`, { method: "PATCH", body: JSON.stringify({ versioning: true }) });
    expect(same.status).toBe(400);

    const updated = await api(cookie, `/api/projects/${project.id}/buckets/logs`, { method: "PATCH", body: JSON.stringify({ versioning: false, expireAfterDays: 7 }) });
    expect(updated.status).toBe(202);
    const update = await updated.json<Accepted>();
    expect(update.bucket).toMatchObject({ status: "updating", spec: { versioning: false, expireAfterDays: 7 } });
    expect(await describeStack(project.accountId, project.region, stack)).toContain("UPDATE_COMPLETE");
    await deliver([stackEvent(project, stack, "UPDATE_COMPLETE", { clientRequestToken: update.operationId })]);

    const deleted = await api(cookie, `/api/projects/${project.id}/buckets/logs`, { method: "DELETE" });
    expect(deleted.status).toBe(202);
    const del = await deleted.json<Accepted>();
    await deliver([stackEvent(project, stack, "DELETE_COMPLETE", { clientRequestToken: del.operationId })]);
    const after = await eventually(view(cookie, project.id), (v) => v.buckets.length === 0);
    expect(after.buckets).toEqual([]);

    expect((await api(cookie, `/api/projects/${project.id}/buckets/nothing`, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses to delete a bucket that still holds objects, and releases the lock", async () => {
    const project = await registerProject();
    const cookie = await login("owner@example.com");
    const stack = stackName(project.id, "bucket", "full");
    const created = await (await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "full" }) })).json<Accepted>();
    await deliver([stackEvent(project, stack, "CREATE_COMPLETE", { clientRequestToken: created.operationId })]);
    const s3 = await accountClient(project.accountId, "s3", project.region);
    const put = await s3.fetch(`${env.AWS_ENDPOINT}/${created.bucket.physicalName}/hello.txt`, { method: "PUT", body: "hi" });
    expect(put.status).toBe(200);

    const res = await api(cookie, `/api/projects/${project.id}/buckets/full`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect((await res.json<Envelope>()).error.message).toMatch(/still holds objects/);
    const after = await eventually(view(cookie, project.id), (v) => v.buckets[0]?.lock === undefined && v.buckets[0]?.status === "ready");
    expect(after.buckets[0]).toMatchObject({ name: "full", status: "ready" });
    expect(after.buckets[0]?.lock).toBeUndefined();
  });
});
