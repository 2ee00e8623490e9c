import type { ProjectRecord, Role } from "./domain/contract";

/** Hono generics of the Worker: bindings plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    email: string;
    project: ProjectRecord;
    role: Role;
  };
}
