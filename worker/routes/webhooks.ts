import { Hono } from "hono";
import { ObjectEventBatch, WebhookBatch } from "../../core/contract";
import { takeInStackEvents } from "../stack-event-intake";
import { takeInObjectEvents } from "../object-event-intake";
import { signedWebhook } from "../signed-webhook";
import type { AppEnv } from "../app-env";

/**
 * What one project's AWS bridge forwards, at that project's own URLs, each verified with that
 * project's own secret (signed-webhook.ts) and then scoped to that project as a whole batch:
 * CloudFormation events of its stacks in its account, and S3 object events of its buckets.
 */
export const webhookRoutes = new Hono<AppEnv>()
  .post("/cloudformation/:project", ...signedWebhook("cloudformation", WebhookBatch, (env, project, batch, delivery) => takeInStackEvents(env, project, batch.events, delivery)))
  .post("/objects/:project", ...signedWebhook("objects", ObjectEventBatch, (env, project, batch, delivery) => takeInObjectEvents(env, project, batch.objectEvents, delivery)));
