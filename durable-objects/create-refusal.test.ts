// Proves a create CloudFormation refuses at once because the bucket's S3 name is taken says to pick another name (retrying cannot help: the suffix is fixed per project) and leaves no row behind: the view has none, and pages get creating → deleted, which they drop at once.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ProjectView } from "../core/contract";
import { physicalBucketName } from "../core/naming";
import { accountClient, api, login, registerProject } from "../test/workers/harness";
import { framesUntil, listen } from "../test/workers/live";

describe("a create refused because the name is taken", () => {
  it("answers 409 'choose another name' and no frame or view shows the bucket", async () => {
    const project = await registerProject();
    const owner = await login("owner@example.com");
    const physical = physicalBucketName(project.id, project.accountId, project.region, "taken");
    const s3 = await accountClient(project.accountId, "s3", project.region);
    const made = await s3.fetch(`${env.AWS_ENDPOINT}/${physical}`, { method: "PUT", body: `<CreateBucketConfiguration><LocationConstraint>${project.region}</LocationConstraint></CreateBucketConfiguration>` });
    expect(made.status).toBe(200);

    const { ws, frames } = listen(await api(owner, `/api/projects/${project.id}/live?since=0`, { headers: { Upgrade: "websocket" } }));

    const res = await api(owner, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "taken" }) });
    const body = await res.json<{ error: { code: string; message: string; fields?: Record<string, string> } }>();
    expect({ status: res.status, code: body.error.code }).toEqual({ status: 409, code: "conflict" });
    expect(body.error.message).toMatch(/choose another name/i);
    expect(body.error.message).not.toMatch(/try again/i);
    expect(body.error.fields?.name).toMatch(/choose another/i);

    // The room's refusal ends in a "deleted" change with the failure's activity line.
    await framesUntil(frames, (fs) => fs.some((f) => f.type === "change" && f.bucket?.status === "deleted"));
    ws.close();
    const view = await (await api(owner, `/api/projects/${project.id}`)).json<ProjectView>();
    expect(view.buckets.map((b) => b.name)).not.toContain("taken");
    // The lock is stored before CloudFormation is called (its events may come first), so pages see
    // creating → deleted; a locked create that ends deleted leaves no row on them (resource-set.svelte.ts).
    const states = frames.flatMap((f) => (f.type === "change" && f.bucket ? [[f.bucket.status, f.bucket.lock?.action ?? null]] : []));
    expect(states).toEqual([["creating", "create"], ["deleted", null]]);
    const failed = frames.find((f) => f.type === "change" && f.activity.operation?.step === "failed");
    expect(failed?.type === "change" && failed.activity.message).toMatch(/choose another name/);
  });
});
