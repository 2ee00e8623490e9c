import { Hono } from "hono";
import * as z from "zod";
import { readTopicMessage } from "../../../core/topic-message";
import { notificationsOfDeadLetter } from "../../../core/dead-letter";
import type { ObjectEvent, StackEvent } from "../../../core/contract";
import { HealthAnswer, ReplayAnswer, type OffboardAnswer, type ProjectStatus } from "../../../core/ops-answers";
import { deadLetterQueue, deadLetterQueueUrl } from "../../../core/aws/sqs";
import { assumeRole, assumedRoleCredentials } from "../../../core/aws/sts";
import { errorText, logEvent } from "../../../core/log";
import { observe } from "../../../core/telemetry";
import { forgetRegistryMemo, projectRegistry } from "../../registry";
import { projectRoom } from "../../room";
import { takeInStackEvents } from "../../stack-event-intake";
import { takeInObjectEvents } from "../../object-event-intake";
import { ApiError, unwrap } from "../../errors";
import { AwsError } from "../../../core/aws/errors";
import { jsonBody } from "../../validate";
import { registered } from "./registered";
import type { AppEnv } from "../../app-env";

/** A dead-letter message is hidden from other readers this long while it is replayed. */
const REPLAY_VISIBILITY_SECONDS = 120;
/** Receives per replay call (10 messages each): a call stays well inside a request's time; the CLI calls again. */
const REPLAY_ROUNDS = 10;

const OffboardBody = z.strictObject({ deleteResources: z.boolean().default(false) });

/** One health check: how long it took and what failed. */
async function check(name: string, work: () => Promise<unknown>): Promise<HealthAnswer["checks"][number]> {
  const started = Date.now();
  try {
    await work();
    return { name, ok: true, ms: Date.now() - started };
  } catch (err) {
    return { name, ok: false, ms: Date.now() - started, error: errorText(err) };
  }
}

/**
 * Running a deployment: health, a project's status, replaying its bridge's dead-letter queue,
 * offboarding it. Behind the ops token (mounted by routes/ops.ts).
 */
export const opsRunRoutes = new Hono<AppEnv>()
  // KV, the registry and one room answer; with ?deep=1, every project's role can be assumed.
  .get("/health", async (c) => {
    const projects = await projectRegistry(c.env)
      .list()
      .catch(() => []);
    const first = projects[0];
    const checks = [
      await check("kv", async () => {
        const key = `health:${crypto.randomUUID()}`;
        await c.env.STACK_CACHE.put(key, "1", { expirationTtl: 60 });
        if ((await c.env.STACK_CACHE.get(key)) !== "1") throw new Error("a value just written was not read back");
        await c.env.STACK_CACHE.delete(key);
      }),
      await check("registry", () => projectRegistry(c.env).list()),
      ...(first ? [await check(`room:${first.id}`, () => projectRoom(c.env, first.id).status(first))] : []),
    ];
    if (c.req.query("deep") === "1") {
      for (const project of projects) {
        checks.push(
          await check(`sts:${project.id}`, () =>
            assumeRole({
              hubCredentials: { accessKeyId: c.env.AWS_ACCESS_KEY_ID, secretAccessKey: c.env.AWS_SECRET_ACCESS_KEY },
              roleArn: project.roleArn,
              externalId: project.externalId,
              sessionName: `stackroom-${project.id}-health`,
              region: project.region,
              endpoint: c.env.AWS_ENDPOINT || undefined,
              durationSeconds: 900,
            }),
          ),
        );
      }
    }
    const answer: HealthAnswer = { ok: checks.every((x) => x.ok), checks };
    if (!answer.ok) logEvent("error", "health_check_failed", { failed: checks.filter((x) => !x.ok).map((x) => x.name).join(","), requestId: c.get("requestId") });
    return c.json(answer, answer.ok ? 200 : 503);
  })
  .get("/projects/:p/status", async (c) => {
    const project = await registered(c);
    return c.json((await projectRoom(c.env, project.id).status(project)) satisfies ProjectStatus);
  })
  // The bridge's dead-letter queue, read through the project's own role, put through the same intake
  // as a webhook; a message is deleted only once its events are in the room.
  .post("/projects/:p/dlq-replay", async (c) => {
    const project = await registered(c);
    const requestId = c.get("requestId");
    const endpoint = c.env.AWS_ENDPOINT || undefined;
    const onFailure: Parameters<typeof deadLetterQueue>[0]["onFailure"] = ({ service, action, error }) =>
      observe(c.env.METRICS, { event: "aws_error", project: project.id, service, action, code: error.code, status: error.status }, { requestId, message: error.message.slice(0, 300) });
    const queue = deadLetterQueue({
      region: project.region,
      endpoint,
      onFailure,
      queueUrl: deadLetterQueueUrl({ region: project.region, accountId: project.accountId, projectId: project.id, endpoint }),
      credentials: assumedRoleCredentials({
        hubCredentials: { accessKeyId: c.env.AWS_ACCESS_KEY_ID, secretAccessKey: c.env.AWS_SECRET_ACCESS_KEY },
        roleArn: project.roleArn,
        externalId: project.externalId,
        sessionName: `stackroom-${project.id}`,
        region: project.region,
        endpoint,
        onFailure,
      }),
    });
    const answer: ReplayAnswer = { project: project.id, received: 0, replayed: 0, accepted: 0, duplicates: 0, refused: [], unreadable: 0, remaining: 0 };
    try {
      for (let round = 0; round < REPLAY_ROUNDS; round++) {
        const letters = await queue.receive(REPLAY_VISIBILITY_SECONDS);
        if (letters.length === 0) break;
        answer.received += letters.length;
        for (const letter of letters) {
          const notifications = notificationsOfDeadLetter(letter.body);
          const events: StackEvent[] = [];
          const objectEvents: ObjectEvent[] = [];
          let readable = 0;
          for (const notification of notifications ?? []) {
            const read = readTopicMessage(notification.text, notification.id, project.topicArn);
            if (read.kind === "unreadable") continue;
            readable++;
            if (read.kind === "stack") events.push(read.event);
            else if (read.kind === "objects") objectEvents.push(...read.events);
          }
          if (readable === 0) {
            // Nothing in it could ever be applied: keeping it would only keep the alarm ringing.
            logEvent("warn", "dead_letter_unreadable", { project: project.id, messageId: letter.messageId, errorCode: letter.attributes.ErrorCode, requestId });
            answer.unreadable++;
            await queue.remove(letter.receiptHandle);
            continue;
          }
          const intakes = [
            ...(events.length > 0 ? [await takeInStackEvents(c.env, project, events)] : []),
            ...(objectEvents.length > 0 ? [await takeInObjectEvents(c.env, project, objectEvents)] : []),
          ];
          const refusedIntake = intakes.find((intake) => !intake.ok);
          if (refusedIntake && !refusedIntake.ok) {
            answer.refused.push({ messageId: letter.messageId, reason: refusedIntake.message });
            await queue.release(letter.receiptHandle);
            continue;
          }
          for (const intake of intakes) {
            if (!intake.ok) continue;
            answer.accepted += intake.accepted;
            answer.duplicates += intake.duplicates;
          }
          answer.replayed++;
          await queue.remove(letter.receiptHandle);
        }
        // Refused messages came back at once: stop before reading them again in this call.
        if (answer.refused.length > 0) break;
      }
      answer.remaining = await queue.depth();
    } catch (err) {
      logEvent("error", "dlq_replay_failed", { ...answer, requestId, error: errorText(err), refused: answer.refused.length });
      if (err instanceof AwsError && /NonExistentQueue|QueueDoesNotExist/.test(err.code)) {
        throw new ApiError("not_found", `Project ${project.id} has no bridge dead-letter queue (stackroom-${project.id}-bridge-dlq in account ${project.accountId}, ${project.region}): is its bridge stack deployed?`);
      }
      const said = err instanceof Error ? err.message.replace(/\.+$/, "") : String(err);
      throw new ApiError("upstream", `Replaying ${project.id}'s dead-letter queue stopped: ${said}. ${answer.replayed} message(s) were replayed before that; run it again.`);
    }
    logEvent("info", "dlq_replayed", { ...answer, requestId, refused: answer.refused.length });
    return c.json(ReplayAnswer.parse(answer));
  })
  // Offboarding: refused while stacks stand unless deleteResources (which starts their deletes,
  // stage by stage); once none stand, the room's data, its KV copies and the registry entry go.
  .post("/projects/:p/offboard", async (c) => {
    const project = await registered(c);
    const { deleteResources } = await jsonBody(c, OffboardBody);
    const { answer } = unwrap(await projectRoom(c.env, project.id).offboard(project, deleteResources));
    if (answer.state === "offboarded") {
      unwrap(await projectRegistry(c.env).remove(project.id));
      forgetRegistryMemo();
      logEvent("warn", "project_offboarded", { project: project.id, requestId: c.get("requestId") });
      const note = `The bridge stack stays in account ${project.accountId}: delete it with \`aws cloudformation delete-stack --stack-name stackroom-${project.id}-bridge\` (${project.region}).`;
      return c.json({ ...answer, note } satisfies OffboardAnswer);
    }
    return c.json(answer satisfies OffboardAnswer, 202);
  });
