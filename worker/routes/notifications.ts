import { Hono } from "hono";
import { PutNotificationsBody, webhookUrlProblem, type NotificationsSaved, type NotificationsView, type NotificationTestResult } from "../../core/contract";
import { isLoopbackHost } from "../auth/config";
import { callerOf, requireMember } from "../membership";
import { projectRoom } from "../room";
import { jsonBody } from "../validate";
import { ApiError, unwrap } from "../errors";
import type { AppEnv } from "../app-env";

/**
 * Whether this Worker runs locally, where a loopback webhook over plain http is allowed: its AWS
 * is a stand-in on this machine (AWS_ENDPOINT names moto on a loopback host), or it signs people
 * in with dev sign-in on a loopback host (as POST /api/dev/login decides). Production has neither.
 */
function localRun(env: Env, requestUrl: string): boolean {
  let awsLocal = false;
  try {
    awsLocal = env.AWS_ENDPOINT !== "" && isLoopbackHost(new URL(env.AWS_ENDPOINT).hostname);
  } catch {
    awsLocal = false;
  }
  return awsLocal || (env.AUTH_MODE === "dev" && isLoopbackHost(new URL(requestUrl).hostname));
}

/** Where the project's notifications go: members read, owners change and send a test. */
export const notificationRoutes = new Hono<AppEnv>()
  .get("/", requireMember("viewer"), async (c) => {
    const project = c.get("project");
    const { view } = unwrap(await projectRoom(c.env, project.id).notificationSettings(project, callerOf(c)));
    return c.json(view satisfies NotificationsView);
  })
  .put("/", requireMember("owner"), async (c) => {
    const { rotateSecret, ...settings } = await jsonBody(c, PutNotificationsBody);
    const problem = settings.webhookUrl === null ? null : webhookUrlProblem(settings.webhookUrl, localRun(c.env, c.req.url));
    if (problem) throw new ApiError("invalid", `The webhook URL cannot be used: ${problem}`, { webhookUrl: problem });
    const project = c.get("project");
    const { saved } = unwrap(await projectRoom(c.env, project.id).saveNotifications(project, callerOf(c), settings, rotateSecret === true));
    return c.json(saved satisfies NotificationsSaved);
  })
  .post("/test", requireMember("owner"), async (c) => {
    const project = c.get("project");
    const { delivery } = unwrap(await projectRoom(c.env, project.id).testNotification(project, callerOf(c)));
    return c.json({ delivery } satisfies NotificationTestResult);
  });
