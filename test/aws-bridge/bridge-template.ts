import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as z from "zod";
import { bucketSuffix } from "../../core/naming";
import { projectBoundaryArn } from "../../core/project-boundary";
import { sftpLoggingBoundaryArn } from "../../core/sftp-logging";
import type { ProjectAccount } from "../../aws-bridge/project-roles";

/**
 * template.yaml as tests see it: decoded by cfn-lint's own YAML reader (short-form intrinsics
 * included) and rendered for one sample project, with `Ref`, `Fn::Sub` and `Fn::GetAtt` replaced
 * by the values AWS would put there (an ARN for a managed policy's Ref, the queue ARN for its
 * GetAtt, ...). Only the intrinsics the template's policies use are rendered.
 */

export const bridgeTemplatePath = fileURLToPath(new URL("../../aws-bridge/template.yaml", import.meta.url));

const Resource = z.object({ Type: z.string(), Condition: z.string().optional(), Properties: z.record(z.string(), z.unknown()).default({}) });
const Template = z.object({
  Parameters: z.record(z.string(), z.object({ NoEcho: z.boolean().optional() }).loose()),
  Conditions: z.record(z.string(), z.unknown()).default({}),
  Resources: z.record(z.string(), Resource),
  Outputs: z.record(z.string(), z.unknown()),
});
export type BridgeTemplate = z.infer<typeof Template>;

export function loadBridgeTemplate(): BridgeTemplate {
  const decode = spawnSync(
    "python3",
    ["-c", "import json,sys\nfrom cfnlint.decode import decode\nt,m=decode(sys.argv[1])\nassert not m, m\nprint(json.dumps(t))", bridgeTemplatePath],
    { encoding: "utf8" },
  );
  if (decode.status !== 0) throw new Error(decode.stderr);
  return Template.parse(JSON.parse(decode.stdout));
}

export const sampleAccount: ProjectAccount = {
  projectId: "demo",
  accountId: "111111111111",
  region: "eu-west-1",
  hubPrincipalArn: "arn:aws:iam::222222222222:user/stackroom-worker",
  externalId: "ext-123",
};

/** What AWS would give the sample project's stack for each Ref, Sub variable and GetAtt. */
export function sampleValues(a: ProjectAccount) {
  const at = `${a.region}:${a.accountId}`;
  const queueArn = `arn:aws:sqs:${at}:stackroom-${a.projectId}-bridge-dlq`;
  return {
    arns: {
      managerRole: `arn:aws:iam::${a.accountId}:role/stackroom-${a.projectId}-manager`,
      executionRole: `arn:aws:iam::${a.accountId}:role/stackroom-${a.projectId}-cfn-execution`,
      bridgeRole: `arn:aws:iam::${a.accountId}:role/stackroom-${a.projectId}-bridge-role-1A2B3C4D5E6F`,
      topic: `arn:aws:sns:${at}:stackroom-${a.projectId}-events`,
      alarmTopic: `arn:aws:sns:${at}:stackroom-${a.projectId}-bridge-alarms`,
      queue: queueArn,
      secret: `arn:aws:secretsmanager:${at}:secret:stackroom/${a.projectId}/webhook-secret-AbC123`,
      logGroup: `arn:aws:logs:${at}:log-group:/aws/lambda/stackroom-${a.projectId}-bridge:*`,
      key: `arn:aws:kms:${at}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      boundary: projectBoundaryArn(a.projectId, a.accountId),
      loggingBoundary: sftpLoggingBoundaryArn(a.projectId, a.accountId),
    },
    parameters: {
      "AWS::AccountId": a.accountId,
      "AWS::Region": a.region,
      "AWS::Partition": "aws",
      ProjectId: a.projectId,
      HubPrincipalArn: a.hubPrincipalArn,
      ExternalId: a.externalId,
      BucketSuffix: bucketSuffix(a.projectId, a.accountId, a.region),
    } as Record<string, string>,
  };
}

/** Renders `node` for the sample account: parameters, resource Refs and GetAtt Arn. */
export function renderer(a: ProjectAccount) {
  const { arns, parameters } = sampleValues(a);
  const refs: Record<string, string> = {
    ...parameters,
    ProjectBoundary: arns.boundary,
    SftpLoggingBoundary: arns.loggingBoundary,
    EventsTopic: arns.topic,
    AlarmTopic: arns.alarmTopic,
    WebhookSecretStore: arns.secret,
    EventsKey: arns.key.replace(/^.*:key\//, ""),
  };
  const attributes: Record<string, string> = {
    "ExecutionRole.Arn": arns.executionRole,
    "DeadLetterQueue.Arn": arns.queue,
    "BridgeLogGroup.Arn": arns.logGroup,
  };
  const render = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(render);
    if (typeof node !== "object" || node === null) return node;
    const entries = Object.entries(node);
    const [key, value] = entries[0] ?? [];
    if (entries.length === 1 && key === "Fn::Sub" && typeof value === "string") {
      return value.replace(/\$\{([\w:]+)\}/g, (_, name: string) => parameters[name] ?? `<${name}?>`);
    }
    if (entries.length === 1 && key === "Ref" && typeof value === "string") return refs[value] ?? `<Ref ${value}?>`;
    if (entries.length === 1 && key === "Fn::GetAtt" && Array.isArray(value)) return attributes[value.join(".")] ?? `<GetAtt ${value.join(".")}?>`;
    return Object.fromEntries(entries.map(([k, v]) => [k, render(v)]));
  };
  return render;
}

const RoleProperties = z.object({
  AssumeRolePolicyDocument: z.unknown(),
  Policies: z.array(z.object({ PolicyName: z.string(), PolicyDocument: z.unknown() })).length(1),
});

/** The rendered trust and (single inline) permission policy of a role of the template. */
export function renderedRole(template: BridgeTemplate, name: string, a: ProjectAccount = sampleAccount) {
  const render = renderer(a);
  const properties = RoleProperties.parse(template.Resources[name]?.Properties);
  return { trust: render(properties.AssumeRolePolicyDocument), policy: render(properties.Policies[0]?.PolicyDocument) };
}

/** A rendered property of a resource of the template (a policy document, a name, ...). */
export function renderedProperty(template: BridgeTemplate, resource: string, property: string, a: ProjectAccount = sampleAccount): unknown {
  return renderer(a)(template.Resources[resource]?.Properties[property]);
}
