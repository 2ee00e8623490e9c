import { ProjectSettingsAnswer, type ProjectSettings, type PutProjectSettingsBody } from "$contract";
import { api } from "$lib/api";
import { errorMessage } from "$lib/attempt";

/** `/api/projects/:p/settings`: every member reads the project's settings, owners change them. */
const settingsPath = (project: string) => `/api/projects/${encodeURIComponent(project)}/settings`;

export async function getSettings(project: string, options: { background?: boolean } = {}): Promise<ProjectSettings> {
  return (await api(settingsPath(project), ProjectSettingsAnswer, options)).settings;
}

export async function putSettings(project: string, body: PutProjectSettingsBody): Promise<ProjectSettings> {
  return (await api(settingsPath(project), ProjectSettingsAnswer, { method: "PUT", body })).settings;
}

/** "90 days", "1 day". */
export function daysWords(days: number): string {
  return days === 1 ? "1 day" : `${days} days`;
}

/**
 * A project's settings as this page holds them: loaded once when first asked for, and replaced by
 * what an owner saves here, so the Members tab, the New user dialog and "Extend" agree.
 */
export class ProjectSettingsState {
  settings = $state<ProjectSettings | null>(null);
  error = $state<string | null>(null);
  #loading: Promise<void> | null = null;

  constructor(readonly project: string) {}

  /** Loads the settings unless they are loaded or loading; a failed load may be tried again. */
  ensureLoaded(options: { background?: boolean } = {}): Promise<void> {
    this.#loading ??= getSettings(this.project, options).then(
      (settings) => {
        this.settings = settings;
        this.error = null;
      },
      (err: unknown) => {
        this.error = errorMessage(err);
        this.#loading = null;
      },
    );
    return this.#loading;
  }

  /**
   * Reads them again (another owner may have changed them since), in the background: a dialog
   * that refreshes them as it opens must not end the manager's session before they act.
   */
  reload(): Promise<void> {
    this.#loading = null;
    return this.ensureLoaded({ background: true });
  }

  /** Saves (owners); throws the API's refusal for the form to show. */
  async save(body: PutProjectSettingsBody): Promise<ProjectSettings> {
    const saved = await putSettings(this.project, body);
    this.settings = saved;
    return saved;
  }
}

const byProject = new Map<string, ProjectSettingsState>();

/** The one settings state of `project` on this page. */
export function projectSettings(project: string): ProjectSettingsState {
  let state = byProject.get(project);
  if (!state) byProject.set(project, (state = new ProjectSettingsState(project)));
  return state;
}
