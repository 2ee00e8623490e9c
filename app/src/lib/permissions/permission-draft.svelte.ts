import { SvelteMap, SvelteSet } from "svelte/reactivity";
import { UpdateUserBody, folderPrefix, type Access, type Permission, type User } from "$contract";
import { ApiError, updateUser } from "$lib/api";
import { errorMessage } from "$lib/attempt";
import { pathErrors, type FieldErrors } from "$lib/submission.svelte";

/** One grant as the matrix edits it; `prefix` "" means the whole bucket. */
export interface DraftGrant {
  bucket: string;
  access: Access;
  prefix: string;
}

interface Row {
  /** The server's permissions when editing started, to notice someone else saving meanwhile. */
  base: string;
  grants: DraftGrant[];
}

/** A bucket whose grants a pending save changes: what it was and what it will be. */
interface GrantChange {
  bucket: string;
  before: DraftGrant[];
  after: DraftGrant[];
}

interface SaveOutcome {
  saved: string[];
  /** Saved, but waiting in the user's queue behind a running operation. */
  queued: string[];
  failed: string[];
}

const toDraft = (ps: readonly Permission[]): DraftGrant[] => ps.map((p) => ({ bucket: p.bucket, access: p.access, prefix: p.prefix ?? "" }));

const toPermissions = (gs: readonly DraftGrant[]): Permission[] =>
  gs.map((g) => {
    const prefix = g.prefix.trim();
    return { bucket: g.bucket, access: g.access, ...(prefix ? { prefix: folderPrefix(prefix) } : {}) };
  });

/** Order-insensitive identity of a permission list. */
const canonical = (ps: readonly Permission[]): string =>
  JSON.stringify(ps.map((p) => `${p.bucket}\u0000${p.prefix ?? ""}\u0000${p.access}`).sort());

/**
 * Unsaved edits of the permission matrix, one row per user. A row exists only once its user was
 * edited; saving sends one PATCH per changed user with the row's full permissions.
 */
export class PermissionDraft {
  readonly #project: string;
  readonly #rows = new SvelteMap<string, Row>();
  /** Server answers to the last save, per user: a message and `permissions.<i>.<field>` fields. */
  readonly #serverErrors = new SvelteMap<string, { message: string; fields: FieldErrors }>();
  readonly saving = new SvelteSet<string>();

  constructor(project: string) {
    this.#project = project;
  }

  /** The grants shown for the user: the draft when there is one, else the server's. */
  grants(user: User): readonly DraftGrant[] {
    return this.#rows.get(user.name)?.grants ?? toDraft(user.spec.permissions);
  }

  /** The permissions a save would send for the user (the server's when there is no draft). */
  permissions(user: User): Permission[] {
    return toPermissions(this.grants(user));
  }

  /** The user's grants on one bucket, with their index in the row (the index the API's fields use). */
  cell(user: User, bucket: string): { grant: DraftGrant; index: number }[] {
    return this.grants(user).flatMap((grant, index) => (grant.bucket === bucket ? [{ grant, index }] : []));
  }

  setAccess(user: User, index: number, access: Access | "none"): void {
    this.#edit(user, (gs) => (access === "none" ? gs.filter((_, i) => i !== index) : gs.map((g, i) => (i === index ? { ...g, access } : g))));
  }

  setPrefix(user: User, index: number, prefix: string): void {
    this.#edit(user, (gs) => gs.map((g, i) => (i === index ? { ...g, prefix } : g)));
  }

  /** Grants `access` on the bucket; a second grant on the same bucket needs a different prefix. */
  add(user: User, bucket: string, access: Access = "read"): void {
    this.#edit(user, (gs) => [...gs, { bucket, access, prefix: "" }]);
  }

  isDirty(user: User): boolean {
    const row = this.#rows.get(user.name);
    return row !== undefined && canonical(toPermissions(row.grants)) !== canonical(user.spec.permissions);
  }

  /** Someone else changed the user's permissions after this manager started editing them. */
  isStale(user: User): boolean {
    const row = this.#rows.get(user.name);
    return row !== undefined && row.base !== canonical(user.spec.permissions);
  }

  /** Per bucket, what the save would change for the user. */
  changes(user: User): GrantChange[] {
    if (!this.isDirty(user)) return [];
    const before = toDraft(user.spec.permissions);
    const after = this.grants(user);
    const buckets = [...new Set([...before, ...after].map((g) => g.bucket))];
    const key = (gs: readonly DraftGrant[]) => canonical(toPermissions(gs));
    return buckets.flatMap((bucket) => {
      const b = before.filter((g) => g.bucket === bucket);
      const a = after.filter((g) => g.bucket === bucket);
      return key(a) === key(b) ? [] : [{ bucket, before: b, after: a }];
    });
  }

  /** Inline message for one grant field: this browser's rules first, then the last save's answer. */
  error(user: User, index: number, field: "bucket" | "access" | "prefix"): string | undefined {
    const key = `permissions.${index}.${field}`;
    return this.#rules(user)[key] ?? this.#serverErrors.get(user.name)?.fields[key];
  }

  /** A message about the user's row as a whole (duplicates, too many grants, refusals). */
  rowError(user: User): string | undefined {
    const rules = this.#rules(user);
    return rules["permissions"] ?? this.#serverErrors.get(user.name)?.message;
  }

  isValid(user: User): boolean {
    return Object.keys(this.#rules(user)).length === 0;
  }

  discard(name: string): void {
    this.#rows.delete(name);
    this.#serverErrors.delete(name);
  }

  discardAll(): void {
    this.#rows.clear();
    this.#serverErrors.clear();
  }

  /** Drops rows of users that are gone, or whose draft now equals the server's state. */
  prune(users: readonly User[]): void {
    const byName = new Map(users.map((u) => [u.name, u]));
    for (const name of [...this.#rows.keys()]) {
      const user = byName.get(name);
      if (!user || user.status === "deleted" || !this.isDirty(user)) this.discard(name);
    }
  }

  /** Sends one PATCH per user, in parallel; a refused user keeps its draft and shows why. */
  async save(users: readonly User[], onsaved: (user: User | undefined) => void): Promise<SaveOutcome> {
    const outcome: SaveOutcome = { saved: [], queued: [], failed: [] };
    await Promise.all(
      users.map(async (user) => {
        const body = UpdateUserBody.safeParse({ permissions: toPermissions(this.grants(user)) });
        if (!body.success) {
          outcome.failed.push(user.name);
          return;
        }
        this.saving.add(user.name);
        this.#serverErrors.delete(user.name);
        try {
          const accepted = await updateUser(this.#project, user.name, body.data);
          this.discard(user.name);
          const waits = accepted?.user?.queue?.some((e) => e.operationId === accepted.operationId) ?? false;
          (waits ? outcome.queued : outcome.saved).push(user.name);
          onsaved(accepted?.user);
        } catch (err) {
          this.#serverErrors.set(user.name, err instanceof ApiError ? { message: err.message, fields: err.fields } : { message: errorMessage(err), fields: {} });
          outcome.failed.push(user.name);
        } finally {
          this.saving.delete(user.name);
        }
      }),
    );
    return outcome;
  }

  #rules(user: User): FieldErrors {
    const row = this.#rows.get(user.name);
    if (!row) return {};
    const parsed = UpdateUserBody.safeParse({ permissions: toPermissions(row.grants) });
    const errors = parsed.success ? {} : pathErrors(parsed.error.issues);
    const seen = new Set<string>();
    let repeated = false;
    row.grants.forEach((g, i) => {
      const id = `${g.bucket}\u0000${g.prefix.trim() ? folderPrefix(g.prefix.trim()) : ""}`;
      if (seen.has(id)) {
        repeated = true;
        errors[`permissions.${i}.prefix`] ??= g.prefix.trim()
          ? "This prefix is already granted on this bucket."
          : "Give this grant a prefix: the whole bucket is already granted.";
      }
      seen.add(id);
    });
    // The schema's duplicate rule names the whole list; the repeating grant now says it itself.
    if (repeated) delete errors["permissions"];
    return errors;
  }

  #edit(user: User, change: (grants: DraftGrant[]) => DraftGrant[]): void {
    const row = this.#rows.get(user.name) ?? { base: canonical(user.spec.permissions), grants: toDraft(user.spec.permissions) };
    this.#rows.set(user.name, { ...row, grants: change([...row.grants]) });
    // Indices in the last answer's fields may no longer match the row.
    this.#serverErrors.delete(user.name);
  }
}
