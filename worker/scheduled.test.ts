// Proves the cron trigger heals every registered project's cache from CloudFormation.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { expect, it } from "vitest";
import worker from "./index";
import type { ProjectView } from "../core/contract";
import { api, eventually, login, registerProject } from "../test/workers/harness";

it("adopts a bucket whose events never arrived when the cron runs", async () => {
  const project = await registerProject();
  const cookie = await login("owner@example.com");
  // Created through the API; moto completes it, but no bridge delivers the events here.
  expect((await api(cookie, `/api/projects/${project.id}/buckets`, { method: "POST", body: JSON.stringify({ name: "by-cron" }) })).status).toBe(202);
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/15 * * * *", scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
  const view = await eventually(async () => (await api(cookie, `/api/projects/${project.id}`)).json<ProjectView>(), (v) => v.buckets[0]?.status === "ready");
  expect(view.buckets[0]).toMatchObject({ name: "by-cron", status: "ready" });
  expect(view.buckets[0]?.lock).toBeUndefined();
});
