import type { Context, Handler, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type * as z from "zod";
import { ProjectId, SIGNATURE_HEADER, type ProjectRecord } from "../core/contract";
import { checkSignatureHeader, verifyBody } from "../core/webhook-signature";
import { acceptedWebhookSecrets } from "../core/webhook-secret";
import { observe, type WebhookRefusal } from "../core/telemetry";
import { findProject } from "./registry";
import { ApiError } from "./errors";
import { zodToApiError } from "./validate";
import { clientAddress, takeRateLimit } from "./auth/rate-limit";
import type { AppEnv } from "./app-env";

/** A batch (100 stack events, 500 object events) of a few hundred KB; a bigger body is refused before it is read. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Seconds of the WEBHOOK_FAILURE_LIMITER binding's period (wrangler.toml). */
const WEBHOOK_FAILURE_PERIOD_SECONDS = 60;

/** A verified delivery: when, and the project secret version that signed it. */
export interface Delivery {
  version: number;
  at: string;
}

/** What a batch's taker answers: how the room took it in, or why nothing of it was applied. */
export type Intake =
  | { ok: true; accepted: number; duplicates: number; ignored: number }
  | { ok: false; reason: Extract<WebhookRefusal, "foreign" | "future">; status: "forbidden" | "invalid"; message: string };

/** Logs and counts a refused webhook (never its body or signature). */
function refused(env: Env, project: string, source: string, reason: WebhookRefusal, requestId: string | undefined, detail: string): void {
  observe(env.METRICS, { event: "webhook", project: ProjectId.safeParse(project).success ? project : "unknown", outcome: "refused", reason }, { requestId, webhook: source, detail: detail.slice(0, 300) });
}

/**
 * One project's signed webhook (`/webhooks/<source>/:project`), whatever it carries: the body is
 * bounded before it is read, checked with that project's own secret (HMAC, timestamp tolerance,
 * the secret version it names), then against `schema`, then handed to `take`, which applies all of
 * it or nothing. Every refusal is logged and counted (a metric); failed signatures are also counted
 * per address, and past the limit a sender gets 429 instead of a verdict. Bad input is a 4xx in the
 * API's envelope, never a 500.
 */
export function signedWebhook<S extends z.ZodType>(
  source: string,
  schema: S,
  take: (env: Env, project: ProjectRecord, batch: z.output<S>, delivery: Delivery) => Promise<Intake>,
): [MiddlewareHandler<AppEnv>, Handler<AppEnv>] {
  const limit = bodyLimit({
    maxSize: MAX_WEBHOOK_BYTES,
    onError: (c) => {
      refused(c.env, c.req.param("project") ?? "", source, "too_large", c.get("requestId"), `larger than ${MAX_WEBHOOK_BYTES / 1024} KB`);
      throw new ApiError("too_large", `The webhook body is larger than ${MAX_WEBHOOK_BYTES / 1024} KB.`);
    },
  });
  const handle = async (c: Context<AppEnv>) => {
    const id = c.req.param("project") ?? "";
    const requestId = c.get("requestId");
    const project = ProjectId.safeParse(id).success ? await findProject(c.env, id) : undefined;
    const refuse = async (reason: WebhookRefusal, error: ApiError, counted = true): Promise<never> => {
      refused(c.env, project?.id ?? id, source, reason, requestId, error.message);
      if (counted) {
        await takeRateLimit(c.env.WEBHOOK_FAILURE_LIMITER, `webhook-failure:${clientAddress(c)}`, WEBHOOK_FAILURE_PERIOD_SECONDS, "rejected webhook calls from your address").catch((limited: unknown) => {
          refused(c.env, project?.id ?? id, source, "rate_limited", requestId, "too many rejected calls from this address");
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
    const batch = schema.safeParse(json);
    if (!batch.success) return refuse("schema", zodToApiError(batch.error, "The webhook batch"), false);

    const intake = await take(c.env, project, batch.data, { version: signedWith?.version ?? 0, at: new Date().toISOString() });
    if (!intake.ok) return refuse(intake.reason, new ApiError(intake.status, intake.message), false);
    const { ok: _ok, ...result } = intake;
    observe(c.env.METRICS, { event: "webhook", project: project.id, outcome: "accepted", ...result }, { requestId, webhook: source, secretVersion: signedWith?.version });
    return c.json(result, 202);
  };
  return [limit, handle];
}
