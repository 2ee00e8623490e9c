import * as z from "zod";

/**
 * The CloudFormation notifications inside a message of the bridge's dead-letter queue. Two kinds of
 * message land there: Lambda's (its async invoke gave up: the body is the invocation's SNS event,
 * `{"Records":[{"EventSource":"aws:sns","Sns":{"Message":…}}]}`), and SNS's own (it could not
 * invoke the Lambda at all, the subscription's redrive policy: the body is the SNS notification,
 * `{"Type":"Notification","Message":…}`). Answers each notification's text with its SNS message
 * id, or null for a body that is neither.
 */
const LambdaSnsEvent = z.object({
  Records: z.array(z.object({ EventSource: z.literal("aws:sns"), Sns: z.object({ MessageId: z.string(), Message: z.string() }) })).min(1),
});
const SnsNotification = z.object({ Type: z.literal("Notification"), MessageId: z.string(), Message: z.string() });

export function notificationsOfDeadLetter(body: string): Array<{ id: string; text: string }> | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const lambda = LambdaSnsEvent.safeParse(json);
  if (lambda.success) return lambda.data.Records.map((r) => ({ id: r.Sns.MessageId, text: r.Sns.Message }));
  const sns = SnsNotification.safeParse(json);
  return sns.success ? [{ id: sns.data.MessageId, text: sns.data.Message }] : null;
}
