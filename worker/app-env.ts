import type { ProjectRecord, Role } from "../core/contract";
import type { AuthConfig } from "./auth/config";

/** Hono generics of the Worker: bindings plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    auth: AuthConfig;
    email: string;
    sessionId: string;
    /** Unix seconds. */
    sessionExpiresAt: number;
    project: ProjectRecord;
    role: Role;
    /** Cloudflare's Ray ID, or a fresh id: in every log line of the request and on its answer. */
    requestId: string;
    /** The stack operation a request started or queued, for its log line. */
    operationId: string;
  };
}
