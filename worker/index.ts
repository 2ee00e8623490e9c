import { app } from "./app";
import { projectRegistry } from "./registry";
import { projectRoom } from "./room";
import { configureLogs } from "../core/log";

export { ProjectRoom } from "../durable-objects/project-room";
export { ProjectRegistry } from "../durable-objects/project-registry";

/** Cron: heal every project's cache from CloudFormation, in case events were lost. */
async function scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  configureLogs(env.LOG_LEVEL);
  // The authority itself: the cron must not skip a project because a cached copy is stale.
  const projects = await projectRegistry(env).list();
  ctx.waitUntil(
    Promise.allSettled(
      projects.map(async (project) => {
        // The room logs and counts the heal itself (telemetry "heal", trigger cron).
        await projectRoom(env, project.id).refresh(project, "cron");
      }),
    ).then(() => undefined),
  );
}

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Env>;
