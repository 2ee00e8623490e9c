import { EMPTY_MATRIX_QUERY, type GrantShow, type MatrixQuery } from "./matrix-filter";

/** How the Permissions tab shows access: one user's buckets at a time, or users × buckets. */
export type PermissionsLayout = "user" | "matrix";

/**
 * Where the manager is in the Permissions tab: the layout, the user whose grants are open and the
 * searches. The project page draws only the tab shown, so this outlives the panel (per project, for
 * the browser tab's life) and switching to Buckets and back keeps the place; the unsaved edits
 * themselves live in the page's PermissionDraft.
 */
export class PermissionsPlace {
  layout = $state<PermissionsLayout>("user");
  /** The user whose grants are open; null: the first one listed. */
  selected = $state<string | null>(null);
  query = $state<MatrixQuery>({ ...EMPTY_MATRIX_QUERY });
  show = $state<GrantShow>("all");
}

const places = new Map<string, PermissionsPlace>();

export function permissionsPlace(project: string): PermissionsPlace {
  let place = places.get(project);
  if (!place) places.set(project, (place = new PermissionsPlace()));
  return place;
}
