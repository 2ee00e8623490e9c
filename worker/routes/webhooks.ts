import { Hono } from "hono";
import { SIGNATURE_HEADER, WebhookBatch, type StackEvent } from "../domain/contract";
import { verifySignature } from "../domain/webhook-signature";
import { parseStackName } from "../domain/naming";
import { listProjects } from "../registry";
import { projectRoom } from "../room";
import { ApiError } from "../errors";
import { zodToApiError } from "../validate";
import { clientAddress, takeRateLimit } from "../auth/rate-limit";
import type { AppEnv } from "../app-env";

const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Seconds of the WEBHOOK_FAILURE_LIMITER binding's period (wrangler.toml). */
const WEBHOOK_FAILURE_PERIOD_SECONDS = 60;

/**
 * CloudFormation events from the AWS bridge. Verified (HMAC, timestamp tolerance, schema) before
 * anything is read from them; each event goes to its project's room, and only when the stack
 * name names a registered project AND the event comes from that project's AWS account.
 */
export const webhookRoutes = new Hono<AppEnv>().post("/cloudformation", async (c) => {
  const body = await c.req.text();
  if (body.length > MAX_WEBHOOK_BYTES) throw new ApiError("invalid", "The webhook body is too large.");
  const secrets = [c.env.WEBHOOK_SECRET, c.env.WEBHOOK_SECRET_PREVIOUS].filter((s): s is string => Boolean(s));
  const verdict = await verifySignature(c.req.header(SIGNATURE_HEADER), body, secrets, Math.floor(Date.now() / 1000));
  if (!verdict.ok) {
    // Failures are counted per address: past the limit a sender gets 429 instead of a verdict.
    await takeRateLimit(c.env.WEBHOOK_FAILURE_LIMITER, `webhook-failure:${clientAddress(c)}`, WEBHOOK_FAILURE_PERIOD_SECONDS, "rejected webhook signatures");
    throw new ApiError("unauthenticated", `Webhook signature rejected: ${verdict.reason}`);
  }

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ApiError("invalid", "The webhook body is not valid JSON.");
  }
  const batch = WebhookBatch.safeParse(json);
  if (!batch.success) throw zodToApiError(batch.error, "The webhook batch");

  const projects = new Map((await listProjects(c.env.STACK_CACHE)).map((p) => [p.id, p]));
  const byProject = new Map<string, StackEvent[]>();
  let ignored = 0;
  for (const event of batch.data.events) {
    const target = parseStackName(event.stackName);
    const project = target ? projects.get(target.projectId) : undefined;
    if (!project || project.accountId !== event.namespace) {
      ignored++;
      console.warn("webhook event ignored", { stackName: event.stackName, account: event.namespace, known: Boolean(project) });
      continue;
    }
    byProject.set(project.id, [...(byProject.get(project.id) ?? []), event]);
  }

  let accepted = 0;
  let duplicates = 0;
  for (const [projectId, events] of byProject) {
    const project = projects.get(projectId);
    if (!project) continue;
    const result = await projectRoom(c.env, projectId).applyEvents(project, events);
    accepted += result.accepted;
    duplicates += result.duplicates;
  }
  return c.json({ accepted, duplicates, ignored }, 202);
});
