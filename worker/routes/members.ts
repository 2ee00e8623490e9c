import { Hono } from "hono";
import { MemberEmail, PutMemberBody, type MemberList } from "../../core/contract";
import { callerOf, requireMember } from "../membership";
import { projectRoom } from "../room";
import { jsonBody } from "../validate";
import { ApiError, unwrap } from "../errors";
import type { AppEnv } from "../app-env";

/**
 * The `:email` segment, validated and lower-cased; a malformed one is a 400 naming the field.
 * Hono has already percent-decoded it (leaving a malformed escape as it was): decoding it again
 * would turn `%25` into a lone `%` and throw.
 */
function memberEmail(value: string | undefined): string {
  const parsed = MemberEmail.safeParse(value ?? "");
  if (!parsed.success) throw new ApiError("invalid", "Enter a valid email address.", { email: "Enter a valid email address." });
  return parsed.data;
}

/** Project members: everyone may see them; owners add, change and remove them. */
export const memberRoutes = new Hono<AppEnv>()
  .get("/", requireMember("viewer"), async (c) => {
    return c.json({ members: await projectRoom(c.env, c.get("project").id).listMembers() } satisfies MemberList);
  })
  .put("/:email", requireMember("owner"), async (c) => {
    const email = memberEmail(c.req.param("email"));
    const { role } = await jsonBody(c, PutMemberBody);
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).setMember(project, callerOf(c), email, role));
    return c.json({ members: result.members } satisfies MemberList);
  })
  .delete("/:email", requireMember("owner"), async (c) => {
    const email = memberEmail(c.req.param("email"));
    const project = c.get("project");
    const result = unwrap(await projectRoom(c.env, project.id).removeMember(project, callerOf(c), email));
    return c.json({ members: result.members } satisfies MemberList);
  });
