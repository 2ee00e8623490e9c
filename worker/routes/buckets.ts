import { Hono } from "hono";
import { Bucket, BucketName, CreateBucketBody, FileQuery, ResourceAction, UpdateBucketBody, type BucketAccepted, type BucketUsage, type FileList } from "../../core/contract";
import { callerOf, requireMember } from "../membership";
import { limitAwsReads } from "../auth/rate-limit";
import { projectRoom } from "../room";
import { jsonBody, parseParam, zodToApiError } from "../validate";
import { unwrap } from "../errors";
import { started } from "../request-log";
import type { AppEnv } from "../app-env";

/** Bucket create/update/delete: each is one CloudFormation stack operation, answered 202. */
export const bucketRoutes = new Hono<AppEnv>()
  // What a bucket holds (its page): any member may read it; registered before the editors-only rest.
  .get("/:name/usage", requireMember(), limitAwsReads(), async (c) => {
    const name = parseParam(BucketName, c.req.param("name"), "bucket");
    const result = unwrap(await projectRoom(c.env, c.get("project").id).bucketUsage(c.get("project"), callerOf(c), name));
    return c.json(result.usage satisfies BucketUsage);
  })
  // Its recent files (`?prefix=&limit=`): from the room, which S3's events keep current; no S3 call.
  .get("/:name/files", requireMember(), async (c) => {
    const name = parseParam(BucketName, c.req.param("name"), "bucket");
    const query = FileQuery.safeParse(c.req.query());
    if (!query.success) throw zodToApiError(query.error, "The query");
    const result = unwrap(await projectRoom(c.env, c.get("project").id).bucketFiles(c.get("project"), callerOf(c), name, query.data));
    return c.json({ files: result.files } satisfies FileList);
  })
  .use(requireMember("editor"))
  .post("/", async (c) => {
    const body = await jsonBody(c, CreateBucketBody);
    const result = unwrap(await projectRoom(c.env, c.get("project").id).submit("bucket", {
      project: c.get("project"),
      caller: callerOf(c),
      change: { action: "create", body },
      queue: body.queue,
    }));
    return c.json({ bucket: Bucket.parse(result.resource), operationId: started(c, result.operationId) } satisfies BucketAccepted, 202);
  })
  .patch("/:name", async (c) => {
    const name = parseParam(BucketName, c.req.param("name"), "bucket");
    const body = await jsonBody(c, UpdateBucketBody);
    const result = unwrap(await projectRoom(c.env, c.get("project").id).submit("bucket", {
      project: c.get("project"),
      caller: callerOf(c),
      change: { action: "update", name, body },
      queue: body.queue,
    }));
    return c.json({ bucket: Bucket.parse(result.resource), operationId: started(c, result.operationId) } satisfies BucketAccepted, 202);
  })
  // Repairs after a failure: { "action": "retry" | "continue-rollback" }.
  .post("/:name/actions", async (c) => {
    const name = parseParam(BucketName, c.req.param("name"), "bucket");
    const { action } = await jsonBody(c, ResourceAction);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).act("bucket", project, callerOf(c), name, action));
    return c.json({ bucket: Bucket.parse(result.resource), operationId: started(c, result.operationId) } satisfies BucketAccepted, 202);
  })
  .delete("/:name", async (c) => {
    const name = parseParam(BucketName, c.req.param("name"), "bucket");
    const result = unwrap(await projectRoom(c.env, c.get("project").id).submit("bucket", {
      project: c.get("project"),
      caller: callerOf(c),
      // `?removeGrants=true`: the manager confirmed that users' grants on it go too.
      change: { action: "delete", name, removeGrants: c.req.query("removeGrants") === "true" },
      queue: c.req.query("queue") !== "false",
    }));
    return c.json({ bucket: Bucket.parse(result.resource), operationId: started(c, result.operationId) } satisfies BucketAccepted, 202);
  });
