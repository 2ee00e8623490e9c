// Proves template.yaml passes cfn-lint, mirrors project-roles.ts exactly (roles and the project boundary), and keeps its security properties (one trusted hub principal with external id, role-only stack changes, secret out of the environment, the bridge scoped to its project, DLQ on both failure paths).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { executionPolicy, executionTrustPolicy, managerPolicy, managerTrustPolicy, projectBoundaryPolicy, type ProjectAccount } from "./project-roles";
import { projectBoundaryArn, projectBoundaryName, projectIamPath } from "../worker/domain/project-boundary";
import { bucketSuffix } from "../worker/domain/naming";

const templatePath = fileURLToPath(new URL("./template.yaml", import.meta.url));

/** cfn-lint's own decoder turns the YAML (short-form intrinsics included) into JSON. */
function loadTemplate() {
  const decode = spawnSync(
    "python3",
    ["-c", "import json,sys\nfrom cfnlint.decode import decode\nt,m=decode(sys.argv[1])\nassert not m, m\nprint(json.dumps(t))", templatePath],
    { encoding: "utf8" },
  );
  if (decode.status !== 0) throw new Error(decode.stderr);
  const Resource = z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).default({}) });
  return z
    .object({
      Parameters: z.record(z.string(), z.object({ NoEcho: z.boolean().optional() }).loose()),
      Resources: z.record(z.string(), Resource),
      Outputs: z.record(z.string(), z.unknown()),
    })
    .parse(JSON.parse(decode.stdout));
}

const template = loadTemplate();
const account: ProjectAccount = {
  projectId: "demo",
  accountId: "111111111111",
  region: "eu-west-1",
  hubPrincipalArn: "arn:aws:iam::222222222222:user/stackroom-worker",
  externalId: "ext-123",
};
const parameters: Record<string, string> = {
  "AWS::AccountId": account.accountId,
  "AWS::Region": account.region,
  "AWS::Partition": "aws",
  ProjectId: account.projectId,
  HubPrincipalArn: account.hubPrincipalArn,
  ExternalId: account.externalId,
  BucketSuffix: bucketSuffix(account.projectId, account.accountId, account.region),
};
const attributes: Record<string, string> = { "ExecutionRole.Arn": `arn:aws:iam::${account.accountId}:role/stackroom-demo-cfn-execution` };
/** `Ref` of a resource: its physical id (an ARN for a managed policy). */
const resourceRefs: Record<string, string> = { ProjectBoundary: projectBoundaryArn(account.projectId, account.accountId) };

/** Evaluates the intrinsics the role policies use (Sub, Ref to parameters, GetAtt Arn). */
function render(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(render);
  if (typeof node !== "object" || node === null) return node;
  const entries = Object.entries(node);
  const [key, value] = entries[0] ?? [];
  if (entries.length === 1 && key === "Fn::Sub" && typeof value === "string") {
    return value.replace(/\$\{([\w:]+)\}/g, (_, name: string) => parameters[name] ?? `<${name}?>`);
  }
  if (entries.length === 1 && key === "Ref" && typeof value === "string") return parameters[value] ?? resourceRefs[value] ?? `<Ref ${value}?>`;
  if (entries.length === 1 && key === "Fn::GetAtt" && Array.isArray(value)) return attributes[value.join(".")] ?? `<GetAtt ${value.join(".")}?>`;
  return Object.fromEntries(entries.map(([k, v]) => [k, render(v)]));
}

function role(name: string) {
  const properties = z
    .object({ AssumeRolePolicyDocument: z.unknown(), Policies: z.array(z.object({ PolicyName: z.string(), PolicyDocument: z.unknown() })).length(1) })
    .parse(template.Resources[name]?.Properties);
  return { trust: render(properties.AssumeRolePolicyDocument), policy: render(properties.Policies[0]?.PolicyDocument) };
}

describe("template.yaml", () => {
  it("passes cfn-lint", () => {
    const lint = spawnSync("cfn-lint", [templatePath], { encoding: "utf8" });
    expect(`${lint.stdout}${lint.stderr}`).toBe("");
    expect(lint.status).toBe(0);
  }, 60_000);

  it("gives the manager and execution roles exactly the policies of project-roles.ts", () => {
    expect(role("ManagerRole")).toEqual({ trust: managerTrustPolicy(account), policy: managerPolicy(account) });
    expect(role("ExecutionRole")).toEqual({ trust: executionTrustPolicy(account), policy: executionPolicy(account) });
  });

  it("creates the project boundary with the name, path and document every user template references", () => {
    const boundary = z
      .object({ ManagedPolicyName: z.unknown(), Path: z.unknown(), PolicyDocument: z.unknown() })
      .parse(template.Resources.ProjectBoundary?.Properties);
    expect(render(boundary.ManagedPolicyName)).toBe(projectBoundaryName(account.projectId));
    expect(render(boundary.Path)).toBe(projectIamPath(account.projectId));
    expect(render(boundary.PolicyDocument)).toEqual(projectBoundaryPolicy(account));
    expect(template.Outputs.BoundaryArn).toEqual(expect.objectContaining({ Value: { Ref: "ProjectBoundary" } }));
  });

  it("allows no wildcard actions, a wildcard resource only to DescribeStacks, and no sns:Publish to the manager", () => {
    const Statements = z.object({ Statement: z.array(z.object({ Effect: z.enum(["Allow", "Deny"]), Action: z.unknown(), Resource: z.unknown() })) });
    const statements = [role("ManagerRole").policy, role("ExecutionRole").policy].flatMap((p) => Statements.parse(p).Statement);
    for (const statement of statements.filter((s) => s.Effect === "Allow")) {
      for (const action of [statement.Action].flat()) expect(String(action)).not.toContain("*");
      if ([statement.Resource].flat().includes("*")) expect(statement.Action).toBe("cloudformation:DescribeStacks");
    }
    expect(JSON.stringify(role("ManagerRole").policy)).not.toContain("sns:");
  });

  it("keeps the webhook secret NoEcho and out of the Lambda environment", () => {
    expect(template.Parameters.WebhookSecret?.NoEcho).toBe(true);
    const fn = z.object({ Runtime: z.string(), Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }).parse(template.Resources.BridgeFunction?.Properties);
    expect(Object.keys(fn.Environment.Variables).sort()).toEqual([
      "NODE_OPTIONS",
      "STACKROOM_ACCOUNT_ID",
      "STACKROOM_PROJECT_ID",
      "STACKROOM_WEBHOOK_URL",
      "WEBHOOK_SECRET_ARN",
    ]);
    expect(fn.Environment.Variables.WEBHOOK_SECRET_ARN).toEqual({ Ref: "WebhookSecretStore" });
    expect(fn.Environment.Variables.STACKROOM_PROJECT_ID).toEqual({ Ref: "ProjectId" });
    expect(fn.Environment.Variables.STACKROOM_ACCOUNT_ID).toEqual({ Ref: "AWS::AccountId" });
    expect(fn.Runtime).toMatch(/^nodejs\d+\.x$/);
  });

  it("sends failures of both the Lambda and the SNS subscription to the DLQ, and encrypts the topic", () => {
    const dlq = { "Fn::GetAtt": ["DeadLetterQueue", "Arn"] };
    expect(template.Resources.BridgeFunction?.Properties.DeadLetterConfig).toEqual({ TargetArn: dlq });
    expect(template.Resources.BridgeSubscription?.Properties).toMatchObject({ Protocol: "lambda", RedrivePolicy: { deadLetterTargetArn: dlq } });
    expect(template.Resources.EventsTopic?.Properties.KmsMasterKeyId).toEqual({ Ref: "EventsKey" });
  });

  it("outputs what the project record needs", () => {
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(["TopicArn", "ManagerRoleArn", "ExecutionRoleArn"]));
  });
});
