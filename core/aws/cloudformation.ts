import { AwsError } from "./errors";
import { memberList, memberPairs, queryAction, type QueryParams, type QueryService } from "./query";
import {
  CreateStackResponse,
  DeleteStackResponse,
  ContinueUpdateRollbackResponse,
  DescribeStacksResponse,
  DescribeStackResourceResponse,
  GetTemplateResponse,
  UpdateStackResponse,
  type Stack,
} from "./stack-xml";
import { createSend, serviceUrl, type ServiceOptions } from "./transport";

export type { Stack } from "./stack-xml";

export type Capability = "CAPABILITY_IAM" | "CAPABILITY_NAMED_IAM" | "CAPABILITY_AUTO_EXPAND";

/** What CreateStack and UpdateStack take. */
export interface StackInput {
  stackName: string;
  templateBody: string;
  parameters?: Readonly<Record<string, string>>;
  /** On update, given tags replace all of the stack's tags; absent leaves them as they are. */
  tags?: Readonly<Record<string, string>>;
  /** SNS topics that receive the stack's events. */
  notificationArns?: readonly string[];
  /**
   * Idempotency token (Stackroom: the operation id). With it a retried call after a lost answer
   * is recognised by CloudFormation instead of failing; it also tags every resulting stack event.
   */
  clientRequestToken?: string;
  capabilities?: readonly Capability[];
  /** Service role CloudFormation acts as; defaults to the client's `roleArn`. */
  roleArn?: string;
}

export interface DeleteStackInput {
  stackName: string;
  clientRequestToken?: string;
  roleArn?: string;
}

/** `changed: false` is CloudFormation's "No updates are to be performed." — a no-op, not an error. */
export type UpdateStackResult = { changed: true; stackId: string } | { changed: false };

export interface CloudFormationClient {
  /** Starts a create; fails with kind `AlreadyExists` when the name is taken. */
  createStack(input: StackInput): Promise<{ stackId: string }>;
  /** Starts an update; kind `StackNotFound` when the stack does not exist. */
  updateStack(input: StackInput): Promise<UpdateStackResult>;
  /** Starts a delete; CloudFormation answers success for a stack that does not exist. */
  deleteStack(input: DeleteStackInput): Promise<void>;
  /**
   * One stack by name or id (`[stack]`; kind `StackNotFound` when there is none), or every live
   * stack of the account and region, following NextToken. `onPage` is told of each page read
   * (healing counts what it cost).
   */
  describeStacks(stackName?: string, onPage?: () => void): Promise<Stack[]>;
  /** Resumes a rollback that ended in UPDATE_ROLLBACK_FAILED (after the cause was fixed). */
  continueUpdateRollback(input: DeleteStackInput): Promise<void>;
  /** The template as submitted (`TemplateStage=Original`). */
  getTemplate(stackName: string): Promise<string>;
  /** The physical id of one resource of the stack (DescribeStackResource), null while it has none. */
  physicalResourceId(stackName: string, logicalResourceId: string): Promise<string | null>;
}

export interface CloudFormationOptions extends ServiceOptions {
  /** Default service role for create/update/delete (the project's execution role). */
  roleArn?: string;
}

/** Bounds the NextToken loop even if an endpoint keeps handing out tokens. */
const MAX_PAGES = 100;

/** CloudFormation through its Query API (2010-05-15), signed with SigV4 service `cloudformation`. */
export function cloudFormationClient(options: CloudFormationOptions): CloudFormationClient {
  const service: QueryService = {
    url: serviceUrl("cloudformation", options.region, options.endpoint),
    version: "2010-05-15",
    send: createSend("cloudformation", options),
  };

  const stackParams = (input: StackInput): QueryParams => ({
    StackName: input.stackName,
    TemplateBody: input.templateBody,
    ClientRequestToken: input.clientRequestToken,
    RoleARN: input.roleArn ?? options.roleArn,
    ...memberPairs("Parameters", input.parameters, "ParameterKey", "ParameterValue"),
    ...memberPairs("Tags", input.tags, "Key", "Value"),
    ...memberList("NotificationARNs", input.notificationArns),
    ...memberList("Capabilities", input.capabilities),
  });

  return {
    createStack: (input) => queryAction(service, "CreateStack", stackParams(input), CreateStackResponse),

    async updateStack(input) {
      try {
        const { stackId } = await queryAction(service, "UpdateStack", stackParams(input), UpdateStackResponse);
        return { changed: true, stackId };
      } catch (error) {
        if (error instanceof AwsError && error.kind === "NoUpdates") return { changed: false };
        throw error;
      }
    },

    async deleteStack(input) {
      const params = {
        StackName: input.stackName,
        ClientRequestToken: input.clientRequestToken,
        RoleARN: input.roleArn ?? options.roleArn,
      };
      await queryAction(service, "DeleteStack", params, DeleteStackResponse);
    },

    async continueUpdateRollback(input) {
      const params = { StackName: input.stackName, ClientRequestToken: input.clientRequestToken, RoleARN: input.roleArn ?? options.roleArn };
      await queryAction(service, "ContinueUpdateRollback", params, ContinueUpdateRollbackResponse);
    },

    async describeStacks(stackName, onPage) {
      const stacks: Stack[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await queryAction(
          service,
          "DescribeStacks",
          { StackName: stackName, NextToken: nextToken },
          DescribeStacksResponse,
        );
        onPage?.();
        stacks.push(...result.Stacks);
        nextToken = result.NextToken;
        if (!nextToken) return stacks;
      }
      throw new AwsError("TooManyPages", `DescribeStacks returned more than ${MAX_PAGES} pages`, 200);
    },

    getTemplate: (stackName) =>
      queryAction(service, "GetTemplate", { StackName: stackName, TemplateStage: "Original" }, GetTemplateResponse),

    physicalResourceId: (stackName, logicalResourceId) =>
      queryAction(service, "DescribeStackResource", { StackName: stackName, LogicalResourceId: logicalResourceId }, DescribeStackResourceResponse),
  };
}
