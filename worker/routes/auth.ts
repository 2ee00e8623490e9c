import { Hono } from "hono";
import { z } from "zod";
import { Email, type Me } from "../domain/contract";
import { ApiError } from "../errors";
import { endSession, requireSession, startSession } from "../auth/session";
import { listProjects, roleOf } from "../registry";
import { jsonBody } from "../validate";
import type { AppEnv } from "../app-env";

const DevLogin = z.strictObject({ email: Email });

/** Sign-in (dev mode only), sign-out and `GET /api/me`. */
export const authRoutes = new Hono<AppEnv>()
  .post("/dev/login", async (c) => {
    if (c.env.AUTH_MODE !== "dev") throw new ApiError("not_found", "Dev sign-in is disabled on this deployment.");
    const { email } = await jsonBody(c, DevLogin);
    await startSession(c, email);
    return c.body(null, 204);
  })
  .post("/logout", (c) => {
    endSession(c);
    return c.body(null, 204);
  })
  .get("/me", requireSession(), async (c) => {
    const email = c.get("email");
    const projects = (await listProjects(c.env.STACK_CACHE)).flatMap((p) => {
      const role = roleOf(p, email);
      return role ? [{ id: p.id, name: p.name, role }] : [];
    });
    return c.json({ email, projects } satisfies Me);
  });
