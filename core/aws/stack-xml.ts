import * as z from "zod";
import { xmlDate, xmlList, xmlOptionalText, xmlText } from "./xml";

/** One CloudFormation stack as DescribeStacks reports it. */
export interface Stack {
  stackId: string;
  stackName: string;
  /** CloudFormation's status, e.g. `CREATE_COMPLETE`, `UPDATE_ROLLBACK_FAILED`. */
  stackStatus: string;
  stackStatusReason?: string;
  creationTime: Date;
  lastUpdatedTime?: Date;
  tags: Record<string, string>;
  parameters: Record<string, string>;
  /** OutputKey -> OutputValue. */
  outputs: Record<string, string>;
  notificationArns: string[];
}

const StackMember = z
  .object({
    StackId: xmlText,
    StackName: xmlText,
    StackStatus: xmlText,
    StackStatusReason: xmlOptionalText,
    CreationTime: xmlDate,
    LastUpdatedTime: xmlDate.optional(),
    Tags: xmlList(z.object({ Key: xmlText, Value: z.string().default("") })),
    Parameters: xmlList(z.object({ ParameterKey: xmlText, ParameterValue: z.string().default("") })),
    Outputs: xmlList(z.object({ OutputKey: xmlText, OutputValue: z.string().default("") })),
    NotificationARNs: xmlList(xmlText),
  })
  .transform(
    (s): Stack => ({
      stackId: s.StackId,
      stackName: s.StackName,
      stackStatus: s.StackStatus,
      ...(s.StackStatusReason === undefined ? {} : { stackStatusReason: s.StackStatusReason }),
      creationTime: s.CreationTime,
      ...(s.LastUpdatedTime === undefined ? {} : { lastUpdatedTime: s.LastUpdatedTime }),
      tags: Object.fromEntries(s.Tags.map((t) => [t.Key, t.Value])),
      parameters: Object.fromEntries(s.Parameters.map((p) => [p.ParameterKey, p.ParameterValue])),
      outputs: Object.fromEntries(s.Outputs.map((o) => [o.OutputKey, o.OutputValue])),
      notificationArns: s.NotificationARNs,
    }),
  );

export const DescribeStacksResponse = z
  .object({
    DescribeStacksResponse: z.object({
      DescribeStacksResult: z.object({ Stacks: xmlList(StackMember), NextToken: xmlOptionalText }),
    }),
  })
  .transform((r) => r.DescribeStacksResponse.DescribeStacksResult);

export const CreateStackResponse = z
  .object({ CreateStackResponse: z.object({ CreateStackResult: z.object({ StackId: xmlText }) }) })
  .transform((r) => ({ stackId: r.CreateStackResponse.CreateStackResult.StackId }));

export const UpdateStackResponse = z
  .object({ UpdateStackResponse: z.object({ UpdateStackResult: z.object({ StackId: xmlText }) }) })
  .transform((r) => ({ stackId: r.UpdateStackResponse.UpdateStackResult.StackId }));

export const DeleteStackResponse = z.object({ DeleteStackResponse: z.object({}) });
export const ContinueUpdateRollbackResponse = z.object({ ContinueUpdateRollbackResponse: z.object({}) });

/** DescribeStackResource: the resource's physical id (null while CloudFormation has none yet). */
export const DescribeStackResourceResponse = z
  .object({
    DescribeStackResourceResponse: z.object({
      DescribeStackResourceResult: z.object({ StackResourceDetail: z.object({ PhysicalResourceId: z.string().optional() }) }),
    }),
  })
  .transform((r) => r.DescribeStackResourceResponse.DescribeStackResourceResult.StackResourceDetail.PhysicalResourceId || null);

export const GetTemplateResponse = z
  .object({ GetTemplateResponse: z.object({ GetTemplateResult: z.object({ TemplateBody: z.string() }) }) })
  .transform((r) => r.GetTemplateResponse.GetTemplateResult.TemplateBody);
