import * as z from "zod";
import { Email, Role } from "./project";

/** One person's role in a project. Emails are stored lower-cased. */
export const Member = z.object({ email: z.string(), role: Role });
export type Member = z.infer<typeof Member>;

/** `GET /api/projects/:p/members`, and the answer of every member change. */
export const MemberList = z.object({ members: z.array(Member) });
export type MemberList = z.infer<typeof MemberList>;

/** `PUT /api/projects/:p/members/:email` — adds the person or changes their role (owners only). */
export const PutMemberBody = z.strictObject({ role: Role });
export type PutMemberBody = z.infer<typeof PutMemberBody>;

/** The `:email` path segment: validated and lower-cased like every stored email. */
export const MemberEmail = Email;
