import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ProjectId, SIGNATURE_HEADER, WebhookBatch } from "../../core/contract";
import { checkSignatureHeader, verifyBody } from "../../core/webhook-signature";
import { acceptedWebhookSecrets } from "../../core/webhook-secret";
import { findProject } from "../registry";
import { takeInStackEvents } from "../stack-event-intake";
import { ApiError } from "../errors";
import { observe, type WebhookRefusal } from "../../core/telemetry";
import { zodToApiError } from "../validate";
import { clientAddress, takeRateLimit } from "../auth/rate-limit";
import type { AppEnv } from "../app-env";

/** 100 events of at most a few KB each; a bigger body is refused before it is read. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Seconds of the WEBHOOK_FAILURE_LIMITER binding's period (wrangler.toml). */
const WEBHOOK_FAILURE_PERIOD_SECONDS = 60;

/** Logs and counts a refused webhook (never its body or signature). */
function refused(env: Env, project: string, reason: WebhookRefusal, requestId: string | undefined, detail: string): void {
  observe(env.METRICS, { event: "webhook", project: ProjectId.safeParse(project).success ? project : "unknown", outcome: "refused", reason }, { requestId, detail: detail.slice(0, 300) });
}

/**
 * CloudFormation events from one project's AWS bridge, at that project's own URL. Verified with
 * that project's own secret (HMAC, timestamp tolerance), then the schema, then every event must be
 * of that project's stacks in its AWS account and not from the future — or nothing is applied.
 */
export const webhookRoutes = new Hono<AppEnv>().post(
  "/cloudformation/:project",
  bodyLimit({
    maxSize: MAX_WEBHOOK_BYTES,
    onError: (c) => {
      refused(c.env, c.req.param("project") ?? "", "too_large", c.get("requestId"), `larger than ${MAX_WEBHOOK_BYTES / 1024} KB`);
      throw new ApiError("too_large", `The webhook body is larger than ${MAX_WEBHOOK_BYTES / 1024} KB.`);
    },
  }),
  async (c) => {
    const id = c.req.param("project");
    const requestId = c.get("requestId");
    const project = ProjectId.safeParse(id).success ? await findProject(c.env, id) : undefined;
    // Each refusal is logged and counted (a metric), and failures are counted per address: past
    // the limit a sender gets 429 instead of a verdict.
    const refuse = async (reason: WebhookRefusal, error: ApiError, counted = true): Promise<never> => {
      refused(c.env, project?.id ?? id, reason, requestId, error.message);
      if (counted) {
        await takeRateLimit(c.env.WEBHOOK_FAILURE_LIMITER, `webhook-failure:${clientAddress(c)}`, WEBHOOK_FAILURE_PERIOD_SECONDS, "rejected webhook calls from your address").catch((limited: unknown) => {
          refused(c.env, project?.id ?? id, "rate_limited", requestId, "too many rejected calls from this address");
          throw limited;
        });
      }
      throw error;
    };
    if (!project) return refuse("unknown_project", new ApiError("not_found", `No project “${id}” is registered here.`));

    // Cheap checks first (header shape, time, the secret it names), before the body is even read.
    const secrets = await acceptedWebhookSecrets([c.env.WEBHOOK_SECRET, c.env.WEBHOOK_SECRET_PREVIOUS], project);
    const preflight = await checkSignatureHeader(c.req.header(SIGNATURE_HEADER), secrets.map((s) => s.secret), Math.floor(Date.now() / 1000));
    const body = preflight.ok ? await c.req.text() : "";
    const verdict = preflight.ok ? await verifyBody(preflight, body) : preflight;
    if (!verdict.ok) return refuse("signature", new ApiError("unauthenticated", `Webhook signature rejected for project ${project.id}: ${verdict.reason}`));
    const signedWith = secrets.find((s) => s.secret === verdict.secret);

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return refuse("schema", new ApiError("invalid", "The webhook body is not valid JSON."), false);
    }
    const batch = WebhookBatch.safeParse(json);
    if (!batch.success) return refuse("schema", zodToApiError(batch.error, "The webhook batch"), false);

    const intake = await takeInStackEvents(c.env, project, batch.data.events, { version: signedWith?.version ?? 0, at: new Date().toISOString() });
    if (!intake.ok) return refuse(intake.reason, new ApiError(intake.status, intake.message), false);
    const { ok: _ok, ...result } = intake;
    observe(c.env.METRICS, { event: "webhook", project: project.id, outcome: "accepted", ...result }, { requestId, secretVersion: signedWith?.version });
    return c.json(result, 202);
  },
);
