import { Hono } from "hono";
import { requireSession } from "./auth/session";
import { jsonOnlyPosts } from "./auth/json-only";
import { onError, notFound } from "./errors";
import { authRoutes } from "./routes/auth";
import { projectRoutes } from "./routes/projects";
import { bucketRoutes } from "./routes/buckets";
import { userRoutes } from "./routes/users";
import { operationRoutes } from "./routes/operations";
import { projectShareRoutes, publicShareRoutes } from "./routes/shares";
import { webhookRoutes } from "./routes/webhooks";
import { opsRoutes } from "./routes/ops";
import type { AppEnv } from "./app-env";
import { listProjects } from "./registry";
import { projectRoom } from "./room";

export { ProjectRoom } from "../durable-objects/project-room";

const app = new Hono<AppEnv>();
app.onError(onError);
app.notFound(notFound);
app.use("/api/*", jsonOnlyPosts());
app.get("/api/health", (c) => c.json({ ok: true }));
app.route("/api", authRoutes);
app.use("/api/projects/*", requireSession());
app.use("/api/projects", requireSession());
app.route("/api/projects", projectRoutes);
app.route("/api/projects/:p/buckets", bucketRoutes);
app.route("/api/projects/:p/users", userRoutes);
app.route("/api/projects/:p/shares", projectShareRoutes);
app.route("/api/projects/:p/operations", operationRoutes);
app.route("/api/shares", publicShareRoutes);
app.route("/api/ops", opsRoutes);
app.route("/webhooks", webhookRoutes);

/** Cron: heal every project's cache from CloudFormation, in case events were lost. */
async function scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const projects = await listProjects(env.STACK_CACHE);
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
