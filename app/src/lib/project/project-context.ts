import { createContext } from "svelte";
import type { PermissionDraft } from "$lib/permissions/permission-draft.svelte";
import type { ProjectShares } from "$lib/shares/shares.svelte";
import type { LiveConnection } from "./live-connection.svelte";
import type { ProjectState } from "./project-state.svelte";

/**
 * What the project layout (`routes/projects/[id]/+layout.svelte`) hands to the project page and
 * the resource pages under it: one live state, one WebSocket, one permission draft and one share
 * list for as long as the manager stays in the project. Getters, because a resync (or another
 * project) replaces the state behind them.
 */
interface ProjectContext {
  readonly project: ProjectState;
  readonly live: LiveConnection;
  readonly draft: PermissionDraft;
  readonly shares: ProjectShares;
  /** Users with unsaved permission changes. */
  readonly pendingUsers: number;
}

const [getProjectContext, setProjectContext] = createContext<ProjectContext>();

/** Where a navigation goes, as SvelteKit's `beforeNavigate` names it (null: another site). */
interface NavigationTarget {
  route: { id: string | null };
  params: Record<string, string> | null;
}

/**
 * Whether a navigation leaves project `projectId`: going to another page of this app or another
 * site does; going between the project page and its resource pages does not (the layout, and
 * with it the unsaved permission draft, stays).
 */
export function leavesProject(to: NavigationTarget | null, projectId: string): boolean {
  if (!to?.route.id?.startsWith("/projects/[id]")) return true;
  return to.params?.["id"] !== projectId;
}

export { getProjectContext, setProjectContext };
