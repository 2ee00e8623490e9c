import { Hono, type Context } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import * as z from "zod";
import { ApiError, unwrap } from "../errors";
import { ProjectId, ProjectRecord, ProjectRegistration } from "../domain/contract";
import { bucketSuffix } from "../domain/naming";
import { projectWebhookSecret } from "../domain/webhook-secret";
import { callerIdentity } from "../aws";
import { findProject, listProjects, putProject } from "../registry";
import { projectRoom } from "../room";
import { jsonBody } from "../validate";
import type { AppEnv } from "../app-env";

const BridgeRequest = z.strictObject({
  projectId: ProjectId,
  accountId: z.string().regex(/^\d{12}$/, "An AWS account id is 12 digits."),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "Use an AWS region such as eu-west-1."),
});

const OPS_TOKEN_NEEDED = "Ops endpoints need the ops bearer token (Authorization: Bearer <OPS_TOKEN>).";

/** Constant-time comparison: both sides are hashed first so their lengths leak nothing either. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [ha, hb] = await Promise.all([a, b].map((v) => crypto.subtle.digest("SHA-256", encoder.encode(v))));
  return ha !== undefined && hb !== undefined && crypto.subtle.timingSafeEqual(ha, hb);
}

async function registered(c: Context<AppEnv>): Promise<ProjectRecord> {
  const project = await findProject(c.env.STACK_CACHE, c.req.param("p") ?? "");
  if (!project) throw new ApiError("not_found", `No project “${c.req.param("p") ?? ""}” is registered.`);
  return project;
}

/** The secret(s) the project's bridge must sign with now, newest first ("new,old" while rotating). */
async function bridgeSecrets(root: string, project: Pick<ProjectRecord, "id" | "webhookSecretVersion" | "webhookPreviousSecretVersion">): Promise<string> {
  const versions = [project.webhookSecretVersion, ...(project.webhookPreviousSecretVersion ? [project.webhookPreviousSecretVersion] : [])];
  return (await Promise.all(versions.map((v) => projectWebhookSecret(root, project.id, v)))).join(",");
}

/**
 * Ops endpoints behind the `OPS_TOKEN` bearer secret (used by `npm run ops`): onboard a project
 * account (the bridge stack's parameters, its own webhook secret included), register a project,
 * rotate a project's webhook secret, list the registry, heal a project's cache.
 */
export const opsRoutes = new Hono<AppEnv>()
  .use(
    bearerAuth({
      // An empty OPS_TOKEN disables the ops endpoints.
      verifyToken: async (token, c: Context<AppEnv>) => Boolean(c.env.OPS_TOKEN) && (await sameSecret(token, c.env.OPS_TOKEN)),
      noAuthenticationHeaderMessage: OPS_TOKEN_NEEDED,
      invalidAuthenticationHeaderMessage: OPS_TOKEN_NEEDED,
      invalidTokenMessage: OPS_TOKEN_NEEDED,
    }),
  )
  .get("/projects", async (c) => c.json({ projects: await listProjects(c.env.STACK_CACHE) }))
  // Heals one project's cache from CloudFormation right now (the cron does it every 15 minutes).
  .post("/projects/:p/resync", async (c) => {
    const project = await registered(c);
    return c.json(unwrap(await projectRoom(c.env, project.id).refresh(project)));
  })
  // Registers (or re-registers) a project's AWS side; a new project needs its first members.
  .put("/projects", async (c) => {
    const { members, replaceMembers, ...rest } = await jsonBody(c, ProjectRegistration);
    const current = await findProject(c.env.STACK_CACHE, rest.id);
    // Re-registering never silently moves a project's secret version (that is what rotation is for).
    const record = ProjectRecord.parse(current ? { ...rest, webhookSecretVersion: current.webhookSecretVersion, webhookPreviousSecretVersion: current.webhookPreviousSecretVersion } : rest);
    const room = projectRoom(c.env, record.id);
    const seated = await room.listMembers();
    if (seated.length === 0 && !members) throw new ApiError("invalid", "A new project needs its first members (at least one owner).", { members: "Required for a new project." });
    await putProject(c.env.STACK_CACHE, record);
    const seeded = members ? await room.seedMembers(record, members, replaceMembers) : seated;
    return c.json({ project: record, members: seeded });
  })
  // Onboarding: everything the project account's bridge stack needs, its own webhook secret and
  // the hub principal its manager role must trust included (aws-bridge/template.yaml parameters).
  .post("/bridge-parameters", async (c) => {
    const { projectId, accountId, region } = await jsonBody(c, BridgeRequest);
    const existing = await findProject(c.env.STACK_CACHE, projectId);
    if (existing && existing.accountId !== accountId) throw new ApiError("conflict", `Project ${projectId} is registered with account ${existing.accountId}.`);
    const hub = await callerIdentity({
      hubCredentials: { accessKeyId: c.env.AWS_ACCESS_KEY_ID, secretAccessKey: c.env.AWS_SECRET_ACCESS_KEY },
      region,
      endpoint: c.env.AWS_ENDPOINT || undefined,
    }).catch((err: unknown) => {
      throw new ApiError("upstream", `Could not ask STS who the hub credentials are: ${err instanceof Error ? err.message : String(err)}`);
    });
    const versions = existing ?? { id: projectId, webhookSecretVersion: 1 };
    return c.json({
      parameters: {
        ProjectId: projectId,
        HubPrincipalArn: hub.arn,
        ExternalId: existing?.externalId ?? `stackroom-${projectId}-${crypto.randomUUID().replace(/-/g, "")}`,
        BucketSuffix: bucketSuffix(projectId, accountId, region),
        WebhookUrl: `${new URL(c.req.url).origin}/webhooks/cloudformation/${projectId}`,
        WebhookSecret: await bridgeSecrets(c.env.WEBHOOK_SECRET, versions),
      },
    });
  })
  // A project's own secret rotates in two steps: start (new version signed and accepted, old
  // still accepted; put the answer in the bridge's secret), then finish (old refused).
  .post("/projects/:p/webhook-secret/rotate", async (c) => {
    const project = await registered(c);
    if (project.webhookPreviousSecretVersion) throw new ApiError("conflict", `A rotation of ${project.id}'s webhook secret is under way; finish it first.`);
    const next: ProjectRecord = { ...project, webhookSecretVersion: project.webhookSecretVersion + 1, webhookPreviousSecretVersion: project.webhookSecretVersion };
    await putProject(c.env.STACK_CACHE, next);
    return c.json({ project: next.id, webhookSecret: await bridgeSecrets(c.env.WEBHOOK_SECRET, next) });
  })
  .post("/projects/:p/webhook-secret/finish", async (c) => {
    const project = await registered(c);
    const { webhookPreviousSecretVersion: _old, ...rest } = project;
    await putProject(c.env.STACK_CACHE, rest);
    return c.json({ project: project.id, webhookSecret: await bridgeSecrets(c.env.WEBHOOK_SECRET, rest) });
  });
