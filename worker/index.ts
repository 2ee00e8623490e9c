import { app } from "./app";
import { projectRegistry } from "./registry";
import { projectRoom } from "./room";

export { ProjectRoom } from "../durable-objects/project-room";
export { ProjectRegistry } from "../durable-objects/project-registry";

/** Cron: heal every project's cache from CloudFormation, in case events were lost. */
async function scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  // The authority itself: the cron must not skip a project because a cached copy is stale.
  const projects = await projectRegistry(env).list();
  ctx.waitUntil(
    Promise.allSettled(
      projects.map(async (project) => {
        const result = await projectRoom(env, project.id).refresh(project);
        if (!result.ok) console.error("scheduled refresh failed", { project: project.id, error: result.error.message });
      }),
    ).then(() => undefined),
  );
}

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Env>;
