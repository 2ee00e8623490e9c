import { Hono } from "hono";
import { AccessKeyId, CreateUserBody, ResourceAction, RotateKeyBody, UpdateKeyBody, UpdateUserBody, User, UserName, type CreatedKey, type KeyList, type RotatedKey, type UserAccepted } from "../../core/contract";
import { callerOf, requireMember } from "../membership";
import { limitAwsReads } from "../auth/rate-limit";
import { projectRoom } from "../room";
import { jsonBody, parseParam } from "../validate";
import { unwrap } from "../errors";
import { started } from "../request-log";
import type { AppEnv } from "../app-env";

/** IAM users (one stack each) and their access keys (IAM API, secret returned once). */
export const userRoutes = new Hono<AppEnv>()
  .post("/", requireMember("editor"), async (c) => {
    const body = await jsonBody(c, CreateUserBody);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).submit("user", { project, caller: callerOf(c), change: { action: "create", body }, queue: body.queue }));
    return c.json({ user: User.parse(result.resource), operationId: started(c, result.operationId) } satisfies UserAccepted, 202);
  })
  .patch("/:name", requireMember("editor"), async (c) => {
    const name = parseParam(UserName, c.req.param("name"), "user");
    const body = await jsonBody(c, UpdateUserBody);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).submit("user", { project, caller: callerOf(c), change: { action: "update", name, body }, queue: body.queue }));
    return c.json({ user: User.parse(result.resource), operationId: started(c, result.operationId) } satisfies UserAccepted, 202);
  })
  .delete("/:name", requireMember("editor"), async (c) => {
    const name = parseParam(UserName, c.req.param("name"), "user");
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).submit("user", { project, caller: callerOf(c), change: { action: "delete", name }, queue: c.req.query("queue") !== "false" }));
    return c.json({ user: User.parse(result.resource), operationId: started(c, result.operationId) } satisfies UserAccepted, 202);
  })
  // Repairs after a failure: { "action": "retry" | "continue-rollback" }.
  .post("/:name/actions", requireMember("editor"), async (c) => {
    const name = parseParam(UserName, c.req.param("name"), "user");
    const { action } = await jsonBody(c, ResourceAction);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).act("user", project, callerOf(c), name, action));
    return c.json({ user: User.parse(result.resource), operationId: started(c, result.operationId) } satisfies UserAccepted, 202);
  })
  .get("/:name/keys", requireMember("viewer"), limitAwsReads(), async (c) => {
    const name = parseParam(UserName, c.req.param("name"), "user");
    const result = unwrap(await projectRoom(c.env, c.get("project").id).listKeys(c.get("project"), callerOf(c), name));
    return c.json({ keys: result.keys } satisfies KeyList);
  })
  .post("/:name/keys", requireMember("editor"), async (c) => {
    const name = parseParam(UserName, c.req.param("name"), "user");
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).createKey(project, callerOf(c), name));
    // The secret is in this one response and nowhere else: never cache it.
    c.header("Cache-Control", "no-store");
    return c.json(result.key satisfies CreatedKey, 201);
  })
  // Rotation in one step: { graceDays } (1–30, default 7). 201 with the new key's secret, as a created key.
  .post("/:name/keys/rotate", requireMember("editor"), async (c) => {
    const name = parseParam(UserName, c.req.param("name"), "user");
    const { graceDays } = await jsonBody(c, RotateKeyBody);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).rotateKey(project, callerOf(c), name, graceDays));
    c.header("Cache-Control", "no-store");
    return c.json(result.key satisfies RotatedKey, 201);
  })
  .patch("/:name/keys/:keyId", requireMember("editor"), async (c) => {
    const name = parseParam(UserName, c.req.param("name"), "user");
    const keyId = parseParam(AccessKeyId, c.req.param("keyId"), "access key");
    const { status } = await jsonBody(c, UpdateKeyBody);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).setKeyStatus(project, callerOf(c), name, keyId, status));
    return c.json({ key: result.key });
  })
  .delete("/:name/keys/:keyId", requireMember("editor"), async (c) => {
    const name = parseParam(UserName, c.req.param("name"), "user");
    const keyId = parseParam(AccessKeyId, c.req.param("keyId"), "access key");
    const project = c.get("project");
    unwrap(await projectRoom(c.env, project.id).deleteKey(project, callerOf(c), name, keyId));
    return c.body(null, 204);
  });
