// Proves a heal never undoes what the room learned while it read: a bucket deleted after the heal listed its stack (the listing says CREATE_COMPLETE) stays deleted, while the heal still adopts the stack it was reading.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ActivityPage, ProjectView } from "../core/contract";
import { bucketStackInput } from "../core/bucket-template";
import { stackName } from "../core/naming";
import { api, createStackroomStack, deliver, eventually, login, readyBucket, registerProject, stackEvent } from "../test/workers/harness";

/** Holds (or releases) GetTemplate of one stack in the tests' recorded AWS (test/recorded-aws.ts). */
const holdTemplate = (stack: string, hold: boolean) =>
  fetch(`${env.AWS_ENDPOINT}/__recorded/hold-template`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ stackName: stack, hold }) });
const waitingReads = async (stack: string) => z.object({ waiting: z.number() }).parse(await (await fetch(`${env.AWS_ENDPOINT}/__recorded/hold-template?stackName=${stack}`)).json()).waiting;

describe("a heal racing the room's own events", () => {
  it("does not bring back a bucket deleted while it read the templates", async () => {
    const project = await registerProject();
    const cookie = await login("editor@example.com");
    await readyBucket(cookie, project, "short-lived");

    // A stack made outside Stackroom: the heal reads its template, held back here while the room moves on.
    const foreign = stackName(project.id, "bucket", "foreign");
    const spec = { versioning: true, encryption: "s3" as const, expireAfterDays: null };
    await createStackroomStack(project, bucketStackInput(project, "foreign", spec));
    expect((await holdTemplate(foreign, true)).status).toBe(204);

    try {
      const healing = api(cookie, `/api/projects/${project.id}/refresh`, { method: "POST", body: "{}" });
      // The heal has listed the stacks (short-lived: CREATE_COMPLETE) and waits on the foreign template.
      expect(await eventually(() => waitingReads(foreign), (n) => n > 0)).toBe(1);

      // Meanwhile the bucket is deleted and its completion arrives.
      const deleted = await api(cookie, `/api/projects/${project.id}/buckets/short-lived`, { method: "DELETE", body: "{}" });
      expect(deleted.status).toBe(202);
      const { operationId } = z.object({ operationId: z.string() }).parse(await deleted.json());
      expect((await deliver([stackEvent(project, stackName(project.id, "bucket", "short-lived"), "DELETE_COMPLETE", { clientRequestToken: operationId })])).status).toBe(202);

      const gone = await eventually(async () => ProjectView.parse(await (await api(cookie, `/api/projects/${project.id}`)).json()), (v) => !v.buckets.some((b) => b.name === "short-lived" && b.status !== "deleted"));
      expect(gone.buckets.filter((b) => b.name === "short-lived" && b.status !== "deleted")).toEqual([]);

      await holdTemplate(foreign, false);
      expect((await healing).status).toBe(200);
    } finally {
      await holdTemplate(foreign, false);
    }

    const view = await eventually(async () => ProjectView.parse(await (await api(cookie, `/api/projects/${project.id}`)).json()), (v) => v.buckets.some((b) => b.name === "foreign"));
    expect(view.buckets.map((b) => [b.name, b.status])).toEqual([["foreign", "ready"]]);
    const activity = ActivityPage.parse(await (await api(cookie, `/api/projects/${project.id}/activity?resource=bucket:short-lived`)).json());
    expect(activity.entries.map((e) => e.message)).not.toContainEqual(expect.stringMatching(/Found bucket short-lived/));
  });
});
