import { Hono, type Context } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import * as z from "zod";
import { ApiError, unwrap } from "../errors";
import { ProjectId, ProjectRecord, ProjectRegistration } from "../../core/contract";
import { bucketSuffix } from "../../core/naming";
import { projectWebhookSecret } from "../../core/webhook-secret";
import { callerIdentity } from "../../core/aws";
import { forgetRegistryMemo, projectRegistry } from "../registry";
import { projectRoom } from "../room";
import { jsonBody, jsonBodyLimit, MAX_IMPORT_BYTES } from "../validate";
import { DeploymentExport } from "../../core/project-export";
import { registered } from "./ops/registered";
import { opsRunRoutes } from "./ops/run";
import type { AppEnv } from "../app-env";

const BridgeRequest = z.strictObject({
  projectId: ProjectId,
  accountId: z.string().regex(/^\d{12}$/, "An AWS account id is 12 digits."),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "Use an AWS region such as eu-west-1."),
});

/** Durable Objects keep this much SQLite history for point-in-time recovery. */
const PITR_DAYS = 30;
const RestoreTarget = z.union([z.strictObject({ at: z.iso.datetime({ offset: true }) }), z.strictObject({ bookmark: z.string().min(1).max(200) })]);

const FinishRotation = z.strictObject({ force: z.boolean().default(false) });

const OPS_TOKEN_NEEDED = "Ops endpoints need the ops bearer token (Authorization: Bearer <OPS_TOKEN>).";

/** Constant-time comparison: both sides are hashed first so their lengths leak nothing either. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [ha, hb] = await Promise.all([a, b].map((v) => crypto.subtle.digest("SHA-256", encoder.encode(v))));
  return ha !== undefined && hb !== undefined && crypto.subtle.timingSafeEqual(ha, hb);
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
  .route("/", opsRunRoutes)
  .get("/projects", async (c) => c.json({ projects: await projectRegistry(c.env).list() }))
  // Heals one project's cache from CloudFormation right now (the cron does it every 15 minutes).
  .post("/projects/:p/resync", async (c) => {
    const project = await registered(c);
    return c.json(unwrap(await projectRoom(c.env, project.id).refresh(project)));
  })
  // The deployment's own state (registry, members, link metadata, activity) as one JSON document.
  .get("/export", async (c) => {
    const projects = await projectRegistry(c.env).list();
    const exported: DeploymentExport = {
      format: "stackroom-export",
      version: 1,
      exportedAt: new Date().toISOString(),
      projects: await Promise.all(projects.map(async (project) => ({ project, ...(await projectRoom(c.env, project.id).exportState()) }))),
    };
    c.header("Cache-Control", "no-store");
    return c.json(exported);
  })
  // Restores an export into an empty deployment: every project checked first, then each put back
  // (registry, then its room). Resources come back by a resync from CloudFormation afterwards.
  .put("/import", jsonBodyLimit(MAX_IMPORT_BYTES), async (c) => {
    const { projects } = await jsonBody(c, DeploymentExport);
    const taken = (await Promise.all(projects.map(async ({ project }) => ((await projectRegistry(c.env).get(project.id)) ? project.id : null)))).filter((id) => id !== null);
    if (taken.length > 0) throw new ApiError("conflict", `Already registered here: ${taken.join(", ")}. Import only into an empty deployment; nothing was imported.`);
    const imported = [];
    for (const state of projects) {
      unwrap(await projectRegistry(c.env).restore(state.project));
      const { ok: _ok, ...counts } = unwrap(await projectRoom(c.env, state.project.id).importState(state));
      imported.push({ project: state.project.id, ...counts });
    }
    forgetRegistryMemo();
    return c.json({ imported });
  })
  // Point-in-time recovery of one project's room: to a moment ({at}) or back to a bookmark ({bookmark}, to undo).
  .post("/projects/:p/restore-to", async (c) => {
    const project = await registered(c);
    const target = await jsonBody(c, RestoreTarget);
    const at = "at" in target ? Date.parse(target.at) : null;
    if (at !== null && (at > Date.now() || at < Date.now() - PITR_DAYS * 86_400_000)) throw new ApiError("invalid", `Choose a moment within the last ${PITR_DAYS} days.`, { at: "Out of range." });
    const result = unwrap(await projectRoom(c.env, project.id).restoreTo("bookmark" in target ? { bookmark: target.bookmark } : { at: at ?? Date.now() }));
    return c.json({ project: project.id, restoring: result.restoring, undo: result.undo });
  })
  // Stored rows that no longer parsed and were set aside, in the registry and in each project's room.
  .get("/quarantine", async (c) => {
    const projects = await projectRegistry(c.env).list();
    const rooms = await Promise.all(projects.map(async (p) => ({ project: p.id, rows: await projectRoom(c.env, p.id).quarantined() })));
    return c.json({ registry: await projectRegistry(c.env).quarantined(), projects: rooms.filter((r) => r.rows.length > 0) });
  })
  // Registers (or re-registers) a project's AWS side; a new project needs its first members.
  .put("/projects", async (c) => {
    const { members, replaceMembers, webhookSecretVersion: _v, webhookPreviousSecretVersion: _p, ...registration } = await jsonBody(c, ProjectRegistration);
    const room = projectRoom(c.env, registration.id);
    const seated = await room.listMembers();
    if (seated.length === 0 && !members) throw new ApiError("invalid", "A new project needs its first members (at least one owner).", { members: "Required for a new project." });
    // One atomic step in the registry; a registered project keeps its secret versions (rotation moves them).
    const { project } = await projectRegistry(c.env).register(registration);
    forgetRegistryMemo();
    const seeded = members ? await room.seedMembers(project, members, replaceMembers) : seated;
    return c.json({ project, members: seeded });
  })
  // Onboarding: everything the project account's bridge stack needs, its own webhook secret and
  // the hub principal its manager role must trust included (aws-bridge/template.yaml parameters).
  .post("/bridge-parameters", async (c) => {
    const { projectId, accountId, region } = await jsonBody(c, BridgeRequest);
    const existing = (await projectRegistry(c.env).get(projectId)) ?? undefined;
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
    const { project } = unwrap(await projectRegistry(c.env).rotateWebhookSecret(c.req.param("p") ?? ""));
    forgetRegistryMemo();
    return c.json({ project: project.id, webhookSecret: await bridgeSecrets(c.env.WEBHOOK_SECRET, project) });
  })
  // Finishing refuses until the Worker has seen a delivery signed with the new version: finishing
  // before the bridge has the new secret would send its batches to the dead-letter queue.
  .post("/projects/:p/webhook-secret/finish", async (c) => {
    const current = await registered(c);
    const { force } = await jsonBody(c, FinishRotation);
    if (current.webhookPreviousSecretVersion && !force) {
      const room = projectRoom(c.env, current.id);
      if ((await room.deliveredWith(current.webhookSecretVersion)) === null) {
        const last = await room.lastDelivery();
        const seen = last ? `its last delivery (${last.at}) was signed with v${last.version}` : "it has delivered nothing yet";
        throw new ApiError("conflict", `The bridge of ${current.id} has not delivered with the new secret (v${current.webhookSecretVersion}) yet: ${seen}. Put the new secret in, wait for a CloudFormation event (any change in the project makes one), then finish; or finish with --force.`);
      }
    }
    const { project } = unwrap(await projectRegistry(c.env).finishWebhookRotation(current.id));
    forgetRegistryMemo();
    return c.json({ project: project.id, webhookSecret: await bridgeSecrets(c.env.WEBHOOK_SECRET, project) });
  });
