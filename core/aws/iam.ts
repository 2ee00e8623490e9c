import * as z from "zod";
import { AwsError } from "./errors";
import { queryAction, type QueryService } from "./query";
import { createSend, serviceUrl, type ServiceOptions } from "./transport";
import { xmlDate, xmlList, xmlOptionalText, xmlText } from "./xml";

export type AccessKeyStatus = "Active" | "Inactive";

/** An access key as ListAccessKeys reports it (never with its secret). */
export interface AccessKey {
  accessKeyId: string;
  status: AccessKeyStatus;
  createdAt: Date;
}

/**
 * A key just created: the only time AWS hands out `secretAccessKey`. Pass it straight to its
 * recipient; never log it or store it in plain text.
 */
export interface NewAccessKey extends AccessKey {
  secretAccessKey: string;
}

/** `lastUsedAt: null` (and no service or region) for a key that was never used. */
export interface AccessKeyLastUsed {
  lastUsedAt: Date | null;
  serviceName?: string;
  region?: string;
}

export interface IamClient {
  /** Kind `LimitExceeded` when the user has two keys already (AWS's quota), `NoSuchEntity` when there is no user. */
  createAccessKey(userName: string): Promise<NewAccessKey>;
  /** Every key of the user, following Marker; kind `NoSuchEntity` when there is no user. */
  listAccessKeys(userName: string): Promise<AccessKey[]>;
  getAccessKeyLastUsed(accessKeyId: string): Promise<AccessKeyLastUsed>;
  updateAccessKey(userName: string, accessKeyId: string, status: AccessKeyStatus): Promise<void>;
  deleteAccessKey(userName: string, accessKeyId: string): Promise<void>;
  /**
   * Deletes every key of the user (CloudFormation cannot delete a user that still has keys) and
   * returns the ids this call deleted. A user or key that is already gone is nothing left to do,
   * not an error, so the call is safe to repeat.
   */
  deleteAllAccessKeys(userName: string): Promise<string[]>;
  /** IAM's unique id of the user (`AIDA…`): how S3's object events name it. `NoSuchEntity` when there is no user. */
  getUserId(userName: string): Promise<string>;
  /** IAM's unique id of the role (`AROA…`): how S3 names a session of it (an SFTP user's). `NoSuchEntity` when there is none. */
  getRoleId(roleName: string): Promise<string>;
}

/**
 * IAM's model also allows `Expired` (its status type is shared); such a key cannot sign requests,
 * so it reads as Inactive rather than failing a whole listing.
 */
const Status = z.enum(["Active", "Inactive", "Expired"]).transform((s): AccessKeyStatus => (s === "Active" ? "Active" : "Inactive"));

/**
 * Lenient on purpose: once CreateAccessKey has answered, the key exists, and refusing the answer
 * would lose the only copy of its secret. Only the id and secret are required; AWS's model marks
 * CreateDate optional, and a new key is Active.
 */
const CreateAccessKeyResponse = z
  .object({
    CreateAccessKeyResponse: z.object({
      CreateAccessKeyResult: z.object({
        AccessKey: z.object({
          AccessKeyId: xmlText,
          SecretAccessKey: xmlText,
          Status: Status.catch("Active"),
          CreateDate: xmlDate.catch(() => new Date()),
        }),
      }),
    }),
  })
  .transform(({ CreateAccessKeyResponse: { CreateAccessKeyResult: { AccessKey: key } } }): NewAccessKey => ({
    accessKeyId: key.AccessKeyId,
    secretAccessKey: key.SecretAccessKey,
    status: key.Status,
    createdAt: key.CreateDate,
  }));

const ListAccessKeysResponse = z
  .object({
    ListAccessKeysResponse: z.object({
      ListAccessKeysResult: z
        .object({
          AccessKeyMetadata: xmlList(z.object({ AccessKeyId: xmlText, Status, CreateDate: xmlDate })),
          // moto leaves IsTruncated out; AWS always sends it.
          IsTruncated: z.enum(["true", "false"]).optional(),
          Marker: xmlOptionalText,
        })
        .refine((r) => r.IsTruncated !== "true" || r.Marker !== undefined, "IsTruncated without Marker"),
    }),
  })
  .transform(({ ListAccessKeysResponse: { ListAccessKeysResult: r } }) => ({
    keys: r.AccessKeyMetadata.map((k): AccessKey => ({ accessKeyId: k.AccessKeyId, status: k.Status, createdAt: k.CreateDate })),
    marker: r.IsTruncated === "true" ? r.Marker : undefined,
  }));

/** AWS answers "N/A" for the service and region of a key never used. */
const usedFor = xmlOptionalText.transform((value) => (value === undefined || value.trim() === "N/A" ? undefined : value.trim()));

const GetAccessKeyLastUsedResponse = z
  .object({
    GetAccessKeyLastUsedResponse: z.object({
      GetAccessKeyLastUsedResult: z.object({
        AccessKeyLastUsed: z.object({ LastUsedDate: xmlDate.optional(), ServiceName: usedFor, Region: usedFor }),
      }),
    }),
  })
  .transform(({ GetAccessKeyLastUsedResponse: { GetAccessKeyLastUsedResult: r } }): AccessKeyLastUsed => {
    const used = r.AccessKeyLastUsed;
    return {
      lastUsedAt: used.LastUsedDate ?? null,
      ...(used.ServiceName === undefined ? {} : { serviceName: used.ServiceName }),
      ...(used.Region === undefined ? {} : { region: used.Region }),
    };
  });

const GetUserResponse = z
  .object({ GetUserResponse: z.object({ GetUserResult: z.object({ User: z.object({ UserId: z.string().min(1).max(128) }) }) }) })
  .transform((r) => r.GetUserResponse.GetUserResult.User.UserId);
const GetRoleResponse = z
  .object({ GetRoleResponse: z.object({ GetRoleResult: z.object({ Role: z.object({ RoleId: z.string().min(1).max(128) }) }) }) })
  .transform((r) => r.GetRoleResponse.GetRoleResult.Role.RoleId);

const UpdateAccessKeyResponse = z.object({ UpdateAccessKeyResponse: z.object({}) });
const DeleteAccessKeyResponse = z.object({ DeleteAccessKeyResponse: z.object({}) });

/**
 * IAM is global per partition: one endpoint, signed for the partition's home region. An endpoint
 * override (moto) replaces the URL only.
 */
export function iamEndpoint(region: string, endpoint?: string): { url: string; signingRegion: string } {
  const home = region.startsWith("cn-")
    ? { url: "https://iam.cn-north-1.amazonaws.com.cn", signingRegion: "cn-north-1" }
    : region.startsWith("us-gov-")
      ? { url: "https://iam.us-gov.amazonaws.com", signingRegion: "us-gov-west-1" }
      : { url: "https://iam.amazonaws.com", signingRegion: "us-east-1" };
  return endpoint?.trim() ? { ...home, url: serviceUrl("iam", home.signingRegion, endpoint) } : home;
}

/** Users have at most two keys; the bound only guards against an endpoint that keeps paging. */
const MAX_PAGES = 20;

const isNoSuchEntity = (error: unknown) => error instanceof AwsError && error.kind === "NoSuchEntity";

/** IAM access keys through the Query API (2010-05-08), signed with SigV4 service `iam`. */
export function iamClient(options: ServiceOptions): IamClient {
  const { url, signingRegion } = iamEndpoint(options.region, options.endpoint);
  const send = createSend("iam", { ...options, region: signingRegion });
  const service: QueryService = { url, version: "2010-05-08", send };
  // CreateAccessKey has no idempotency token: a retry after a lost answer would make a second key.
  const createOnce: QueryService = { ...service, send: (request) => send({ ...request, idempotent: false }) };

  const client: IamClient = {
    createAccessKey: (userName) => queryAction(createOnce, "CreateAccessKey", { UserName: userName }, CreateAccessKeyResponse),

    async listAccessKeys(userName) {
      const keys: AccessKey[] = [];
      let marker: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await queryAction(
          service,
          "ListAccessKeys",
          { UserName: userName, Marker: marker },
          ListAccessKeysResponse,
        );
        keys.push(...result.keys);
        marker = result.marker;
        if (!marker) return keys;
      }
      throw new AwsError("TooManyPages", `ListAccessKeys returned more than ${MAX_PAGES} pages`, 200);
    },

    getAccessKeyLastUsed: (accessKeyId) =>
      queryAction(service, "GetAccessKeyLastUsed", { AccessKeyId: accessKeyId }, GetAccessKeyLastUsedResponse),

    async updateAccessKey(userName, accessKeyId, status) {
      const params = { UserName: userName, AccessKeyId: accessKeyId, Status: status };
      await queryAction(service, "UpdateAccessKey", params, UpdateAccessKeyResponse);
    },

    async deleteAccessKey(userName, accessKeyId) {
      await queryAction(service, "DeleteAccessKey", { UserName: userName, AccessKeyId: accessKeyId }, DeleteAccessKeyResponse);
    },

    getUserId: (userName) => queryAction(service, "GetUser", { UserName: userName }, GetUserResponse),
    getRoleId: (roleName) => queryAction(service, "GetRole", { RoleName: roleName }, GetRoleResponse),

    async deleteAllAccessKeys(userName) {
      let keys: AccessKey[];
      try {
        keys = await client.listAccessKeys(userName);
      } catch (error) {
        if (isNoSuchEntity(error)) return [];
        throw error;
      }
      const deleted: string[] = [];
      for (const { accessKeyId } of keys) {
        try {
          await client.deleteAccessKey(userName, accessKeyId);
          deleted.push(accessKeyId);
        } catch (error) {
          if (!isNoSuchEntity(error)) throw error;
        }
      }
      return deleted;
    },
  };
  return client;
}
