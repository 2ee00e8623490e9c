import * as z from "zod";
import {
  ActivityPage,
  AuthInfo,
  MemberList,
  SignedOut,
  Bucket,
  BucketAccepted,
  BucketUsage,
  CreatedKey,
  CreatedShare,
  ErrorEnvelope,
  KeyList,
  Me,
  OpenedShare,
  ProjectList,
  ProjectView,
  QueuedEdit,
  ResourceEvents,
  SHARE_PROOF_HEADER,
  Share,
  ShareList,
  SftpAccepted,
  User,
  UserAccepted,
  type ActivityFilter,
  type CreateBucketBody,
  type CreateShareBody,
  type CreateUserBody,
  type ErrorCode,
  type ResourceAction,
  type ResourceKind,
  type Role,
  type UpdateBucketBody,
  type UpdateUserBody,
} from "$contract";
import { NotificationsSaved, NotificationsView, NotificationTestResult, type PutNotificationsBody } from "$contract";

/** `network`: no answer at all; `bad_response`: an answer that does not match the contract. */
type ApiErrorCode = ErrorCode | "network" | "bad_response";

/** Every failed API call, already parsed from the `{"error": {...}}` envelope. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** Per-field messages keyed by field name (`name`, `expireAfterDays`, ...). */
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

type Fetch = typeof fetch;

let signedOut: (() => void) | null = null;

/**
 * Who hears about a 401 from a call made outside `load` (a button's action): the root layout,
 * which re-checks the session and lands on sign-in. Calls inside `load` pass SvelteKit's `fetch`
 * and report their 401 through `failLoad` instead.
 */
export function onSignedOut(handler: (() => void) | null): void {
  signedOut = handler;
}

interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  /** Extra request headers (a share link's open proof). */
  headers?: Record<string, string>;
  /** SvelteKit's `fetch` inside `load`, the global one elsewhere. */
  fetch?: Fetch;
  /**
   * A read the page makes on its own in the background (a refresh of what it already shows): its
   * 401 is thrown, not reported as a sign-out, so the manager's own next action meets the ended
   * session and is brought back to it after signing in.
   */
  background?: boolean;
}

/** Calls the same-origin JSON API; resolves with `schema`'s output or throws `ApiError`. */
export async function api<S extends z.ZodType>(path: string, schema: S, options: RequestOptions = {}): Promise<z.output<S>> {
  const { method = "GET", body, fetch: send = fetch } = options;
  let res: Response;
  try {
    res = await send(path, {
      method,
      credentials: "same-origin",
      // The Worker refuses POSTs that are not JSON (its CSRF defence), even body-less ones.
      headers: { ...(method === "GET" ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" }), ...options.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "Could not reach Stackroom. Check your connection and try again.");
  }
  const payload = await readJson(res);
  if (res.status === 401 && options.fetch === undefined && !options.background) signedOut?.();
  if (!res.ok) {
    const envelope = ErrorEnvelope.safeParse(payload);
    if (envelope.success) {
      const { code, message, fields } = envelope.data.error;
      throw new ApiError(res.status, code, message, fields ?? {});
    }
    throw new ApiError(res.status, "bad_response", `Stackroom answered with an unexpected error (HTTP ${res.status}). Try again in a moment.`);
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    console.error(`${method} ${path}: response does not match the contract`, parsed.error.issues);
    throw new ApiError(res.status, "bad_response", "Stackroom sent a response this page does not understand. Reload the page to get the latest version.");
  }
  return parsed.data;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => "");
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return text;
  }
}

// Response shapes the shared contract leaves implicit, composed from its schemas.
/** PATCH/DELETE answer 202; their body is informative only, so a shape we cannot use is ignored. */
const OperationAccepted = z.object({ bucket: Bucket.optional(), operationId: z.string().optional() }).optional().catch(undefined);
const UserOperationAccepted = z.object({ user: User.optional(), operationId: z.string().optional() }).optional().catch(undefined);
const NoContent = z.unknown();
const Cancelled = z.object({ cancelled: QueuedEdit });
const ShareAnswer = z.object({ share: Share });

const projectPath = (project: string) => `/api/projects/${encodeURIComponent(project)}`;
const bucketPath = (project: string, bucket: string) => `${projectPath(project)}/buckets/${encodeURIComponent(bucket)}`;
const userPath = (project: string, user: string) => `${projectPath(project)}/users/${encodeURIComponent(user)}`;
const keyPath = (project: string, user: string, keyId: string) => `${userPath(project, user)}/keys/${encodeURIComponent(keyId)}`;

/** How this deployment signs people in (dev sign-in locally, Cloudflare Access in production). */
export const getAuthInfo = (fetch?: Fetch) => api("/api/auth", AuthInfo, { fetch });
export const signIn = (email: string) => api("/api/dev/login", NoContent, { method: "POST", body: { email } });
/** Ends this sign-in server-side; with Access, `signOutUrl` is where the browser must go next. */
export const signOut = () => api("/api/logout", SignedOut, { method: "POST" });
export const getMe = (fetch?: Fetch) => api("/api/me", Me, { fetch });
export const listProjects = (fetch?: Fetch) => api("/api/projects", ProjectList, { fetch });
export const getProject = (project: string, fetch?: Fetch) => api(projectPath(project), ProjectView, { fetch });

/** A page of activity, newest first; `filter` narrows it on the server (resource, person, kind, since/until). */
export function getActivity(project: string, opts: { before?: number; limit?: number; fetch?: Fetch; filter?: ActivityFilter } = {}) {
  const query = new URLSearchParams({ limit: String(opts.limit ?? 30) });
  if (opts.before !== undefined) query.set("before", String(opts.before));
  const { resource, person, kind, since, until } = opts.filter ?? {};
  if (resource) query.set("resource", `${resource.kind}:${resource.name}`);
  if (person) query.set("person", person);
  if (kind) query.set("kind", kind);
  if (since) query.set("since", since);
  if (until) query.set("until", until);
  return api(`${projectPath(project)}/activity?${query}`, ActivityPage, { fetch: opts.fetch });
}

export const createBucket = (project: string, body: CreateBucketBody) =>
  api(`${projectPath(project)}/buckets`, BucketAccepted, { method: "POST", body });
export const updateBucket = (project: string, name: string, body: UpdateBucketBody) =>
  api(bucketPath(project, name), OperationAccepted, { method: "PATCH", body });
/**
 * `removeGrants`: also take the bucket out of every user's permissions, in the same operation.
 * `queue: false`: answer 409 `locked` instead of waiting behind a running operation.
 */
export const deleteBucket = (project: string, name: string, opts: { removeGrants?: boolean; queue?: boolean } = {}) =>
  api(`${bucketPath(project, name)}${deleteQuery({ removeGrants: opts.removeGrants === true, queue: opts.queue !== false })}`, OperationAccepted, {
    method: "DELETE",
  });

export const createUser = (project: string, body: CreateUserBody) =>
  api(`${projectPath(project)}/users`, UserAccepted, { method: "POST", body });
export const updateUser = (project: string, name: string, body: UpdateUserBody) =>
  api(userPath(project, name), UserOperationAccepted, { method: "PATCH", body });
export const deleteUser = (project: string, name: string, opts: { queue?: boolean } = {}) =>
  api(`${userPath(project, name)}${deleteQuery({ removeGrants: false, queue: opts.queue !== false })}`, UserOperationAccepted, { method: "DELETE" });

function deleteQuery(opts: { removeGrants: boolean; queue: boolean }): string {
  const query = new URLSearchParams();
  if (opts.removeGrants) query.set("removeGrants", "true");
  if (!opts.queue) query.set("queue", "false");
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** Repairs after a failure (`resource.actions`): retry the failed operation, or continue a stuck rollback. */
export const repairBucket = (project: string, name: string, action: ResourceAction["action"]) =>
  api(`${bucketPath(project, name)}/actions`, BucketAccepted, { method: "POST", body: { action } });
export const repairUser = (project: string, name: string, action: ResourceAction["action"]) =>
  api(`${userPath(project, name)}/actions`, UserAccepted, { method: "POST", body: { action } });

/** Turns the project's SFTP server on or off (owners); `queue: false` answers 409 `locked` instead of waiting. */
export const setSftp = (project: string, enabled: boolean, opts: { queue?: boolean } = {}) =>
  api(`${projectPath(project)}/sftp`, SftpAccepted, { method: "PUT", body: { enabled, queue: opts.queue !== false } });
export const repairSftp = (project: string, action: ResourceAction["action"]) =>
  api(`${projectPath(project)}/sftp/actions`, SftpAccepted, { method: "POST", body: { action } });

/** What a bucket holds now (one S3 list call: up to 1,000 objects counted). */
export const getBucketUsage = (project: string, name: string) => api(`${bucketPath(project, name)}/usage`, BucketUsage);

/** The CloudFormation events the room holds for a resource's stack, newest first. */
export const getResourceEvents = (project: string, kind: ResourceKind, name: string) =>
  api(`${projectPath(project)}/resources/${kind}/${encodeURIComponent(name)}/events`, ResourceEvents);

/** Cancels a queued edit before it starts (its author or an owner); 404 once it has started. */
export const cancelQueuedEdit = (project: string, operationId: string) =>
  api(`${projectPath(project)}/operations/${encodeURIComponent(operationId)}`, Cancelled, { method: "DELETE" });

export const listKeys = (project: string, user: string) => api(`${userPath(project, user)}/keys`, KeyList);
/** 201 with the secret, which the API never shows again. */
export const createKey = (project: string, user: string) =>
  api(`${userPath(project, user)}/keys`, CreatedKey, { method: "POST" });
export const setKeyStatus = (project: string, user: string, keyId: string, status: "Active" | "Inactive") =>
  api(keyPath(project, user, keyId), NoContent, { method: "PATCH", body: { status } });
export const deleteKey = (project: string, user: string, keyId: string) =>
  api(keyPath(project, user, keyId), NoContent, { method: "DELETE" });

const memberPath = (project: string, email: string) => `${projectPath(project)}/members/${encodeURIComponent(email)}`;
/** Adds a member or changes their role (owners only); answers the new member list. */
export const putMember = (project: string, email: string, role: Role) => api(memberPath(project, email), MemberList, { method: "PUT", body: { role } });
export const removeMember = (project: string, email: string) => api(memberPath(project, email), MemberList, { method: "DELETE" });

/** Where the project's notifications go, and the last deliveries (members; the whole URL for owners only). */
export const getNotifications = (project: string) => api(`${projectPath(project)}/notifications`, NotificationsView);
/** Owners save the settings; the answer carries the json format's signing secret only when it was just made. */
export const putNotifications = (project: string, body: PutNotificationsBody) =>
  api(`${projectPath(project)}/notifications`, NotificationsSaved, { method: "PUT", body });
/** Owners send one test message now: how it went. */
export const sendTestNotification = (project: string) =>
  api(`${projectPath(project)}/notifications/test`, NotificationTestResult, { method: "POST", body: {} });

export const listShares = (project: string) => api(`${projectPath(project)}/shares`, ShareList);
/** 201 with the link's id, which the API never shows again (managers see links by their handle). */
export const createShare = (project: string, body: CreateShareBody) =>
  api(`${projectPath(project)}/shares`, CreatedShare, { method: "POST", body });
export const revokeShare = (project: string, handle: string) =>
  api(`${projectPath(project)}/shares/${encodeURIComponent(handle)}`, ShareAnswer, { method: "DELETE" });
/**
 * The recipient's one and only read of a share's ciphertext, with the proof derived from the
 * link's key (and passphrase); later reads answer 410 `gone`, a wrong proof 403 (5 burn it).
 */
export const openShare = (id: string, proof: string) => api(`/api/shares/${encodeURIComponent(id)}`, OpenedShare, { headers: { [SHARE_PROOF_HEADER]: proof } });

/** `ws(s)://<this origin>/api/projects/:p/live?since=<seq>`, matching the page's scheme. */
export function liveUrl(project: string, since: number): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${projectPath(project)}/live?since=${since}`;
}
