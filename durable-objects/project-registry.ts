import { DurableObject } from "cloudflare:workers";
import { ProjectRecord } from "../core/contract";
import { REGISTRY_CACHE_KEY, RegistryCache } from "../core/kv-documents";
import { migrate, type Migration } from "./sqlite-migrations";
import { configureLogs } from "../core/log";
import { Quarantine, QUARANTINE_TABLE, type QuarantinedRow } from "./quarantine";
import { RoomError, guarded, type RoomResult } from "./room-error";

const MIGRATIONS: readonly Migration[] = [
  {
    name: "projects and quarantined rows",
    up(sql) {
      sql.exec("CREATE TABLE projects (id TEXT PRIMARY KEY, json TEXT NOT NULL)");
      sql.exec(QUARANTINE_TABLE);
    },
  },
];

/** A registration's AWS side, without the webhook secret versions (only rotation moves those). */
type Registration = Omit<ProjectRecord, "webhookSecretVersion" | "webhookPreviousSecretVersion">;

/**
 * The project registry: every project's AWS side (account, region, roles, topic, webhook secret
 * versions), in SQLite. It is the authority; KV holds a copy (`REGISTRY_CACHE_KEY`) that requests
 * read, rewritten after every change here and whenever a reader finds it missing or unreadable.
 *
 * One object for the whole deployment: projects are AWS accounts, registered by ops a few times a
 * month, and every change is a single-row write, so one serialised writer is far from its limits
 * (a Durable Object serves about a thousand requests a second), and being one is what makes a
 * registration atomic: two ops registering at once can no longer overwrite each other, as two
 * read-modify-writes of one KV value did. Requests never wait on it while KV answers.
 */
export class ProjectRegistry extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  readonly #quarantine: Quarantine;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    configureLogs(env.LOG_LEVEL);
    migrate(ctx.storage, MIGRATIONS, "ProjectRegistry");
    this.#sql = ctx.storage.sql;
    this.#quarantine = new Quarantine(ctx.storage.sql, "ProjectRegistry");
  }

  /** Every project, by id. */
  async list(): Promise<ProjectRecord[]> {
    return this.#all();
  }

  async get(id: string): Promise<ProjectRecord | null> {
    const row = this.#sql.exec<{ json: string }>("SELECT json FROM projects WHERE id = ?", id).toArray()[0];
    return (row && this.#read(id, row.json)) ?? null;
  }

  /**
   * Adds a project or replaces its AWS side, in one step. A registered project keeps its webhook
   * secret versions: only rotation moves them, so re-registering never breaks the bridge.
   */
  async register(registration: Registration): Promise<{ project: ProjectRecord; created: boolean }> {
    const current = await this.get(registration.id);
    const project = ProjectRecord.parse({
      ...registration,
      webhookSecretVersion: current?.webhookSecretVersion ?? 1,
      ...(current?.webhookPreviousSecretVersion ? { webhookPreviousSecretVersion: current.webhookPreviousSecretVersion } : {}),
    });
    this.#put(project);
    await this.publish();
    return { project, created: current === null };
  }

  /** Puts back a project from an export, secret versions included; refused when the id is registered. */
  async restore(project: ProjectRecord): Promise<RoomResult<{ project: ProjectRecord }>> {
    return guarded(async () => {
      if (await this.get(project.id)) throw new RoomError("conflict", `Project ${project.id} is already registered; import only into an empty deployment.`);
      return { project: await this.#save(ProjectRecord.parse(project)) };
    });
  }

  /** Offboarding: the project is no longer registered (its room forgot its data first). */
  async remove(id: string): Promise<RoomResult<{ project: ProjectRecord }>> {
    return guarded(async () => {
      const project = await this.#registered(id);
      this.#sql.exec("DELETE FROM projects WHERE id = ?", id);
      await this.publish();
      return { project };
    });
  }

  /** Starts rotating the project's own webhook secret: a new version, the old one still accepted. */
  async rotateWebhookSecret(id: string): Promise<RoomResult<{ project: ProjectRecord }>> {
    return guarded(async () => {
      const project = await this.#registered(id);
      if (project.webhookPreviousSecretVersion) throw new RoomError("conflict", `A rotation of ${id}'s webhook secret is under way; finish it first.`);
      return { project: await this.#save({ ...project, webhookSecretVersion: project.webhookSecretVersion + 1, webhookPreviousSecretVersion: project.webhookSecretVersion }) };
    });
  }

  /** Ends a rotation: the previous version is refused from now on. */
  async finishWebhookRotation(id: string): Promise<RoomResult<{ project: ProjectRecord }>> {
    return guarded(async () => {
      const { webhookPreviousSecretVersion: _old, ...rest } = await this.#registered(id);
      return { project: await this.#save(rest) };
    });
  }

  /** Writes the KV copy that requests read (the whole registry: one read answers every lookup). */
  async publish(): Promise<ProjectRecord[]> {
    const projects = this.#all();
    await this.env.STACK_CACHE.put(REGISTRY_CACHE_KEY, JSON.stringify({ projects, writtenAt: new Date().toISOString() } satisfies RegistryCache));
    return projects;
  }

  /** Rows that no longer parsed and were set aside (ops). */
  async quarantined(): Promise<QuarantinedRow[]> {
    return this.#quarantine.list();
  }

  async #registered(id: string): Promise<ProjectRecord> {
    const project = await this.get(id);
    if (!project) throw new RoomError("not_found", `No project “${id}” is registered.`);
    return project;
  }

  async #save(project: ProjectRecord): Promise<ProjectRecord> {
    this.#put(project);
    await this.publish();
    return project;
  }

  #put(project: ProjectRecord): void {
    this.#sql.exec("INSERT INTO projects (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json", project.id, JSON.stringify(project));
  }

  #read(id: string, json: string): ProjectRecord | undefined {
    return this.#quarantine.read("projects", id, json, (raw) => ProjectRecord.parse(raw), () => this.#sql.exec("DELETE FROM projects WHERE id = ?", id));
  }

  #all(): ProjectRecord[] {
    return this.#sql
      .exec<{ id: string; json: string }>("SELECT id, json FROM projects ORDER BY id")
      .toArray()
      .flatMap((r) => {
        const project = this.#read(r.id, r.json);
        return project ? [project] : [];
      });
  }
}
