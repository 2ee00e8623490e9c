import * as z from "zod";

export const ProjectId = z
  .string()
  .regex(/^[a-z][a-z0-9]{1,19}$/, "Project ids are 2-20 lowercase letters and digits, starting with a letter.");

export const Role = z.enum(["viewer", "editor", "owner"]);
export type Role = z.infer<typeof Role>;

export const Email = z.email("Enter a valid email address.").transform((e) => e.toLowerCase());

/**
 * A project's AWS side as ops register it (`npm run ops -- register-project`); stored in the KV
 * registry. Members are not part of it: the project's room owns them (owners manage them in the
 * app), so a registration can never silently undo an owner's change.
 */
export const ProjectRecord = z.object({
  id: ProjectId,
  name: z.string().min(1).max(80),
  accountId: z.string().regex(/^\d{12}$/, "An AWS account id is 12 digits."),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "Use an AWS region such as eu-west-1."),
  /** Role in the project account that the Worker assumes (deployed by the bridge template). */
  roleArn: z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/),
  externalId: z.string().min(2).max(1224),
  /** SNS topic that receives the project's CloudFormation events. */
  topicArn: z.string().regex(/^arn:aws:sns:[a-z0-9-]+:\d{12}:[\w-]+$/),
  /** CloudFormation service role passed on every stack operation (least privilege; optional). */
  executionRoleArn: z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/).optional(),
  /** Which of the project's own webhook secrets the bridge signs with (core/webhook-secret.ts). */
  webhookSecretVersion: z.number().int().positive().default(1),
  /** While the project's secret rotates, the previous version is accepted too. */
  webhookPreviousSecretVersion: z.number().int().positive().optional(),
});
export type ProjectRecord = z.infer<typeof ProjectRecord>;

/**
 * `PUT /api/ops/projects`: the record plus, for a new project, its first members (at least one
 * owner). For a registered project `members` is ignored unless `replaceMembers` is true.
 */
export const ProjectRegistration = ProjectRecord.extend({
  members: z
    .array(z.object({ email: Email, role: Role }))
    .min(1)
    .refine((ms) => ms.some((m) => m.role === "owner"), "A project needs at least one owner.")
    .refine((ms) => new Set(ms.map((m) => m.email)).size === ms.length, "Each email may appear once.")
    .optional(),
  replaceMembers: z.boolean().default(false),
});
export type ProjectRegistration = z.infer<typeof ProjectRegistration>;

export const ProjectSummary = z.object({
  id: z.string(),
  name: z.string(),
  accountId: z.string(),
  region: z.string(),
  role: Role,
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

/** `GET /api/projects`. */
export const ProjectList = z.object({ projects: z.array(ProjectSummary) });
export type ProjectList = z.infer<typeof ProjectList>;

export const Me = z.object({
  email: z.string(),
  projects: z.array(z.object({ id: z.string(), name: z.string(), role: Role })),
});
export type Me = z.infer<typeof Me>;
