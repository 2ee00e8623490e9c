import * as z from "zod";
import { queryAction } from "./query";
import type { RetryOptions } from "./retry";
import { createSend, serviceUrl, type AwsFetch, type CredentialSource, type Credentials, type ServiceOptions } from "./transport";
import { xmlDate, xmlText } from "./xml";

/** Credentials returned by AssumeRole. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumeRoleOptions {
  /** The hub account's long-term credentials (Worker secrets). */
  hubCredentials: Credentials;
  roleArn: string;
  externalId: string;
  /** Shows in the project account's CloudTrail, e.g. `stackroom-<project>`. */
  sessionName: string;
  /** Region of the STS endpoint (use the project's: regional STS, no us-east-1 dependency). */
  region: string;
  endpoint?: string;
  fetch?: AwsFetch;
  retry?: Partial<RetryOptions>;
  onFailure?: ServiceOptions["onFailure"];
  /** Defaults to 3600. */
  durationSeconds?: number;
}

const AssumeRoleResponse = z.object({
  AssumeRoleResponse: z.object({
    AssumeRoleResult: z.object({
      Credentials: z.object({
        AccessKeyId: xmlText,
        SecretAccessKey: xmlText,
        SessionToken: xmlText,
        Expiration: xmlDate,
      }),
    }),
  }),
});

type HubCall = Pick<AssumeRoleOptions, "hubCredentials" | "region" | "endpoint" | "fetch" | "retry" | "onFailure">;

/** STS (Query API 2011-06-15, regional endpoint) signed with the hub's own credentials. */
function stsService(options: HubCall) {
  return {
    url: serviceUrl("sts", options.region, options.endpoint),
    version: "2011-06-15",
    send: createSend("sts", { region: options.region, credentials: options.hubCredentials, fetch: options.fetch, retry: options.retry, onFailure: options.onFailure }),
  };
}

/** STS AssumeRole with ExternalId; uncached — see `assumedRoleCredentials`. */
export async function assumeRole(options: AssumeRoleOptions): Promise<TemporaryCredentials> {
  const answer = await queryAction(
    stsService(options),
    "AssumeRole",
    {
      RoleArn: options.roleArn,
      RoleSessionName: options.sessionName,
      ExternalId: options.externalId,
      DurationSeconds: options.durationSeconds ?? 3600,
    },
    AssumeRoleResponse,
  );
  const credentials = answer.AssumeRoleResponse.AssumeRoleResult.Credentials;
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  };
}

/** Cached credentials are used until this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

// Module scope = one isolate: every request an isolate serves shares these, which is the point
// (one AssumeRole per project per ~55 minutes instead of one per request).
const cached = new Map<string, TemporaryCredentials>();
const inFlight = new Map<string, Promise<TemporaryCredentials>>();

/**
 * A `CredentialSource` that assumes the role lazily and caches the result per
 * roleArn + externalId + endpoint until 5 minutes before expiry. Concurrent callers of the same
 * key share one AssumeRole call; a failed call is not cached.
 */
export function assumedRoleCredentials(options: AssumeRoleOptions): CredentialSource {
  const key = JSON.stringify([options.roleArn, options.externalId, options.endpoint?.trim() ?? ""]);
  return {
    get() {
      const hit = cached.get(key);
      if (hit && hit.expiration.getTime() - REFRESH_MARGIN_MS > Date.now()) return Promise.resolve(hit);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = assumeRole(options)
          .then((credentials) => {
            cached.set(key, credentials);
            return credentials;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
    invalidate() {
      cached.delete(key);
    },
  };
}

const GetCallerIdentityResponse = z.object({
  GetCallerIdentityResponse: z.object({ GetCallerIdentityResult: z.object({ Arn: xmlText, Account: xmlText }) }),
});

/**
 * Who the hub credentials are (STS GetCallerIdentity, which needs no permission): the principal
 * every project's manager role must trust, printed by the ops onboarding.
 */
export async function callerIdentity(options: HubCall): Promise<{ arn: string; account: string }> {
  const answer = await queryAction(stsService(options), "GetCallerIdentity", {}, GetCallerIdentityResponse);
  const { Arn, Account } = answer.GetCallerIdentityResponse.GetCallerIdentityResult;
  return { arn: Arn, account: Account };
}
