import { z } from "zod";

export const ProjectId = z
  .string()
  .regex(/^[a-z][a-z0-9]{1,19}$/, "Project ids are 2-20 lowercase letters and digits, starting with a letter.");

export const Role = z.enum(["viewer", "editor", "owner"]);
export type Role = z.infer<typeof Role>;

export const Email = z.email("Enter a valid email address.").transform((e) => e.toLowerCase());

/** A project as ops register it (`npm run ops -- register-project`); stored in KV. */
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
  members: z.array(z.object({ email: Email, role: Role })).min(1),
});
export type ProjectRecord = z.infer<typeof ProjectRecord>;

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
