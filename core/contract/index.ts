/** The API contract: zod schemas + inferred types shared by app, Worker, ProjectRoom and bridge. */
export * from "./errors";
export * from "./resource";
export * from "./bucket";
export * from "./user";
export * from "./sftp";
export * from "./ssh-key";
export * from "./share";
export * from "./project";
export * from "./member";
export * from "./session";
export * from "./stack-event";
export * from "./live";
export * from "./activity";
export * from "./object-event";
export * from "./settings";
export * from "./notifications";
export * from "./access-review";
