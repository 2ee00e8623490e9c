import { Hono } from "hono";
import { PutProjectSettingsBody, type ProjectSettingsAnswer } from "../../core/contract";
import { callerOf, requireMember } from "../membership";
import { projectRoom } from "../room";
import { jsonBody } from "../validate";
import { unwrap } from "../errors";
import type { AppEnv } from "../app-env";

/** The project's own settings (core/contract/settings.ts): members read them, owners change them; the room decides. */
export const settingsRoutes = new Hono<AppEnv>()
  .get("/", requireMember("viewer"), async (c) => {
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).getSettings(project, callerOf(c)));
    return c.json({ settings: result.settings } satisfies ProjectSettingsAnswer);
  })
  .put("/", requireMember("owner"), async (c) => {
    const body = await jsonBody(c, PutProjectSettingsBody);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).putSettings(project, callerOf(c), body));
    return c.json({ settings: result.settings } satisfies ProjectSettingsAnswer);
  });
