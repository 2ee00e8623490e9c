import type { z } from "zod";
import type { ProjectRegistration } from "../../core/contract";

/** The seeded demo project of DESIGN.md ("Local embedded default"). */
export const DEMO = {
  id: "demo",
  name: "Demo project",
  accountId: "111111111111",
  region: "eu-west-1",
  externalId: "stackroom-demo-local",
  members: [
    { email: "alice@example.com", role: "owner" },
    { email: "bob@example.com", role: "editor" },
    { email: "carol@example.com", role: "viewer" },
  ],
} as const;

export function demoProjectRecord(aws: { topicArn: string; managerRoleArn: string; executionRoleArn?: string }): z.input<typeof ProjectRegistration> {
  return {
    id: DEMO.id,
    name: DEMO.name,
    accountId: DEMO.accountId,
    region: DEMO.region,
    roleArn: aws.managerRoleArn,
    externalId: DEMO.externalId,
    topicArn: aws.topicArn,
    ...(aws.executionRoleArn ? { executionRoleArn: aws.executionRoleArn } : {}),
    members: DEMO.members.map((m) => ({ ...m })),
    replaceMembers: false,
  };
}
