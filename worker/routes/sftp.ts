import { Hono } from "hono";
import { ResourceAction, SFTP_SERVER_NAME, SftpServer, SftpSettingsBody, type SftpAccepted } from "../../core/contract";
import { callerOf, requireMember } from "../membership";
import { projectRoom } from "../room";
import { jsonBody } from "../validate";
import { unwrap } from "../errors";
import { started } from "../request-log";
import type { AppEnv } from "../app-env";

/**
 * The project's SFTP server (AWS Transfer Family), owners only: it costs money by the hour and
 * opens a new way in. Turning it on or off is one stack operation, answered 202 like any other.
 */
export const sftpRoutes = new Hono<AppEnv>()
  .use(requireMember("owner"))
  .put("/", async (c) => {
    const { enabled, queue } = await jsonBody(c, SftpSettingsBody);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).submit("sftp", {
      project,
      caller: callerOf(c),
      change: { action: enabled ? "create" : "delete" },
      queue,
    }));
    return c.json({ sftp: SftpServer.parse(result.resource), operationId: started(c, result.operationId) } satisfies SftpAccepted, 202);
  })
  // Repairs after a failure: { "action": "retry" | "continue-rollback" }.
  .post("/actions", async (c) => {
    const { action } = await jsonBody(c, ResourceAction);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).act("sftp", project, callerOf(c), SFTP_SERVER_NAME, action));
    return c.json({ sftp: SftpServer.parse(result.resource), operationId: started(c, result.operationId) } satisfies SftpAccepted, 202);
  });
