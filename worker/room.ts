import type { ProjectRoom } from "../durable-objects/project-room";

/** The project's room (one Durable Object per project id). */
export function projectRoom(env: Env, projectId: string): DurableObjectStub<ProjectRoom> {
  return env.PROJECT_ROOM.get(env.PROJECT_ROOM.idFromName(projectId));
}
