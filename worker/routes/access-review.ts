import { Hono } from "hono";
import type { AccessReview } from "../../core/contract";
import { callerOf, requireMember } from "../membership";
import { limitAwsReads } from "../auth/rate-limit";
import { projectRoom } from "../room";
import { unwrap } from "../errors";
import type { AppEnv } from "../app-env";

/**
 * The project's access review: every user's keys with their age and last use, flagged when unused
 * or due for rotation, users whose access ends soon or who have no grants. Read from the room
 * (which reads IAM on its schedule); an editor may ask it to read IAM now.
 */
export const accessReviewRoutes = new Hono<AppEnv>()
  .get("/", requireMember("viewer"), async (c) => {
    const project = c.get("project");
    const { review } = unwrap(await projectRoom(c.env, project.id).accessReview(project, callerOf(c)));
    return c.json(review satisfies AccessReview);
  })
  .post("/refresh", requireMember("editor"), limitAwsReads(), async (c) => {
    const project = c.get("project");
    const { review } = unwrap(await projectRoom(c.env, project.id).refreshAccessReview(project, callerOf(c)));
    return c.json(review satisfies AccessReview);
  });
