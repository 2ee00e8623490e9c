import * as z from "zod";
import { iamEndpoint } from "./iam";
import { queryAction, type QueryParams } from "./query";
import { createSend, serviceUrl, type ServiceOptions } from "./transport";

/** The Query-API services `queryClient` speaks, with their API versions. */
const QUERY_API_VERSIONS = { sts: "2011-06-15", sns: "2010-03-31", iam: "2010-05-08", cloudformation: "2010-05-15" } as const;

export type QueryServiceName = keyof typeof QUERY_API_VERSIONS;

/** Calls `action` and reads its answer's `<Action>Result>` with `schema`. */
export type QueryCall = <S extends z.ZodType>(action: string, params: QueryParams, schema: S) => Promise<z.output<S>>;

/**
 * Any action of a Query-API service, on the same signed, bounded-retry transport as the Worker's
 * clients, for local tooling and tests (the moto bootstrap, the local SFTP stand-in). The answer's
 * `<Action>Response>` must be there; its `<Action>Result>` is read with `schema`, and an action
 * that has none (PutRolePolicy, DeleteStack) reads as `{}`. Failures are `AwsError`s.
 *
 * Worker and Durable Object code never use it: the permission tests know what the Worker may call
 * only from the literal action names of its own clients, and this one takes any name
 * (test/aws-bridge/aws-calls.ts refuses a caller).
 */
export function queryClient(service: QueryServiceName, options: ServiceOptions): QueryCall {
  // IAM is global: one endpoint per partition, signed for its home region whatever `region` says.
  const { url, signingRegion } =
    service === "iam" ? iamEndpoint(options.region, options.endpoint) : { url: serviceUrl(service, options.region, options.endpoint), signingRegion: options.region };
  const target = { url, version: QUERY_API_VERSIONS[service], send: createSend(service, { ...options, region: signingRegion }) };
  return (action, params, schema) => queryAction(target, action, params, resultOf(action, schema));
}

function resultOf<S extends z.ZodType>(action: string, schema: S) {
  const response = `${action}Response`;
  const result = `${action}Result`;
  return z
    .object({ [response]: z.object({ [result]: z.unknown().optional() }) })
    .transform((xml): unknown => xml[response]?.[result] ?? {})
    .pipe(schema);
}
