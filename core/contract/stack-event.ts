import * as z from "zod";

/**
 * One CloudFormation stack event as the bridge forwards it: the SNS notification's
 * `Key='value'` lines turned into camelCase JSON; `None` values left out.
 */
export const StackEvent = z.object({
  stackId: z.string().min(1).max(512),
  stackName: z.string().min(1).max(128),
  eventId: z.string().min(1).max(512),
  logicalResourceId: z.string().min(1).max(256),
  physicalResourceId: z.string().max(2048).optional(),
  resourceType: z.string().min(1).max(256),
  resourceStatus: z.string().min(1).max(64),
  resourceStatusReason: z.string().max(4096).optional(),
  timestamp: z.string().datetime({ offset: true }),
  clientRequestToken: z.string().max(128).optional(),
  /** The AWS account id (CloudFormation's `Namespace`). */
  namespace: z.string().regex(/^\d{12}$/),
});
export type StackEvent = z.infer<typeof StackEvent>;

/** Body of `POST /webhooks/cloudformation/:project`. */
export const WebhookBatch = z.object({
  events: z.array(StackEvent).min(1).max(100),
});
export type WebhookBatch = z.infer<typeof WebhookBatch>;

/** Header carrying `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`. */
export const SIGNATURE_HEADER = "Stackroom-Signature";
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** An event dated further ahead than this is refused: a far-future timestamp would outrank every real event. */
export const EVENT_FUTURE_TOLERANCE_SECONDS = 300;

/** A resource's CloudFormation event as the app shows it (the room keeps the running operation's). */
export const ResourceEvent = z.object({
  at: z.string(),
  logicalId: z.string(),
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  /** The operation the event belongs to (CloudFormation's ClientRequestToken), when it says. */
  operationId: z.string().optional(),
});
export type ResourceEvent = z.infer<typeof ResourceEvent>;

/** `GET /api/projects/:p/resources/:kind/:name/events`: newest first, at most 100. */
export const ResourceEvents = z.object({ stackName: z.string(), events: z.array(ResourceEvent) });
export type ResourceEvents = z.infer<typeof ResourceEvents>;
