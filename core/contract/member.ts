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

const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

/** Whether `role` may do what needs `need` (owner > editor > viewer). */
export function roleAtLeast(role: Role, need: Role): boolean {
  return rank[role] >= rank[need];
}

/** The refusal a member below `need` gets (403), in the same words from the Worker and the room. */
export function roleTooLow(projectName: string, role: Role, need: Role): string {
  return `Your role in ${projectName} is ${role}; this needs ${need === "owner" ? "owner" : `${need} or owner`}.`;
}

/** The refusal a non-member gets (404): a project you are not in does not exist for you. */
export function notAMember(projectId: string): string {
  return `No project “${projectId}” that you are a member of.`;
}
