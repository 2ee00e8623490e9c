import { CreateUserBody, UpdateUserBody, UserName, UserSpec, folderPrefix, type Access, type Permission, type User } from "$contract";
import { fromLocalInput, toLocalInput } from "./format";
import { Submission, pathErrors, type FieldErrors } from "./submission.svelte";

/** The contract's limit for a user's description (the input stops there). */
export const DESCRIPTION_MAX = UserSpec.shape.description.unwrap().maxLength ?? undefined;

/** One grant row of the new-user form; `prefix` "" means the whole bucket. */
export class GrantDraft {
  static #next = 1;
  readonly id = GrantDraft.#next++;
  bucket = $state("");
  access = $state<Access>("read");
  prefix = $state("");

  toPermission(): Permission {
    const prefix = this.prefix.trim();
    return { bucket: this.bucket, access: this.access, ...(prefix ? { prefix: folderPrefix(prefix) } : {}) };
  }
}

/** "Access expires" checkbox plus a datetime-local box; "" while unset. */
export class ExpiryDraft {
  enabled = $state(false);
  local = $state("");

  /** null = never; "" = enabled without a usable date (the form shows why). */
  get value(): string | null {
    return this.enabled ? (fromLocalInput(this.local) ?? "") : null;
  }

  /** Sets the box to `days` from now, at the current minute. */
  inDays(days: number): void {
    this.enabled = true;
    this.local = toLocalInput(new Date(Date.now() + days * 86_400_000).toISOString());
  }
}

function expiryMessage(expiry: ExpiryDraft, server: string | undefined, rules: string | undefined, attempted: boolean): string | undefined {
  if (server) return server;
  if (!expiry.enabled) return undefined;
  if (expiry.value === "") return attempted || expiry.local !== "" ? "Choose a date and time." : undefined;
  return rules;
}

export class NewUserForm {
  name = $state("");
  nameTouched = $state(false);
  description = $state("");
  grants = $state<GrantDraft[]>([]);
  readonly expiry = new ExpiryDraft();
  readonly submission = new Submission();
  readonly #taken: (name: string) => boolean;

  readonly parsed = $derived(
    CreateUserBody.safeParse({
      name: this.name,
      description: this.description.trim() || null,
      permissions: this.grants.map((g) => g.toPermission()),
      expiresAt: this.expiry.value,
    }),
  );
  /** Rule messages keyed like the API's `fields` (`permissions.0.prefix`). */
  readonly #rules = $derived<FieldErrors>(this.parsed.success ? {} : pathErrors(this.parsed.error.issues));

  /** Message under the name input: server first, then the shared rules, then uniqueness. */
  readonly nameError = $derived.by((): string | undefined => {
    const server = this.submission.server["name"];
    if (server) return server;
    if (this.name === "") return this.submission.attempted ? "Enter a user name." : undefined;
    const rules = UserName.safeParse(this.name);
    if (!rules.success) return rules.error.issues[0]?.message;
    if (!this.submission.pending && this.#taken(this.name)) return "A user with this name already exists in this project.";
    return undefined;
  });

  readonly expiryError = $derived(
    expiryMessage(this.expiry, this.submission.server["expiresAt"], this.#rules["expiresAt"], this.submission.attempted),
  );

  constructor(taken: (name: string) => boolean) {
    this.#taken = taken;
  }

  /** Error for one grant field (`bucket`, `access`, `prefix`); bucket only after a submit attempt. */
  grantError(index: number, field: "bucket" | "access" | "prefix"): string | undefined {
    const key = `permissions.${index}.${field}`;
    const server = this.submission.server[key];
    if (server) return server;
    const grant = this.grants[index];
    if (field === "bucket" && grant?.bucket === "") return this.submission.attempted ? "Choose a bucket." : undefined;
    return this.#rules[key];
  }

  /** Problems about the grant list as a whole (duplicates, too many). */
  get grantsError(): string | undefined {
    return this.submission.server["permissions"] ?? this.#rules["permissions"];
  }

  get descriptionError(): string | undefined {
    return this.submission.server["description"] ?? this.#rules["description"];
  }

  addGrant(bucket = ""): void {
    const grant = new GrantDraft();
    grant.bucket = bucket;
    this.grants = [...this.grants, grant];
  }

  removeGrant(id: number): void {
    this.grants = this.grants.filter((g) => g.id !== id);
    // Server messages are keyed by index, which just shifted.
    this.submission.server = {};
  }

  validBody(): CreateUserBody | null {
    this.submission.attempted = true;
    if (!this.parsed.success || this.nameError || this.expiryError) return null;
    return this.parsed.data;
  }
}

/** Description and expiry of an existing user; permissions are edited in the matrix. */
export class EditUserForm {
  description = $state("");
  readonly expiry = new ExpiryDraft();
  readonly submission = new Submission();
  readonly #original: User["spec"];

  /** Only what changed is sent, so the save never reverts a concurrent permission change. */
  readonly changes = $derived.by(() => {
    const o = this.#original;
    const description = this.description.trim() || null;
    const expiryChanged = this.expiry.enabled
      ? o.expiresAt === null || this.expiry.local !== toLocalInput(o.expiresAt)
      : o.expiresAt !== null;
    return {
      ...(description !== o.description ? { description } : {}),
      ...(expiryChanged ? { expiresAt: this.expiry.value } : {}),
    };
  });
  readonly hasChanges = $derived(Object.keys(this.changes).length > 0);
  readonly parsed = $derived(UpdateUserBody.safeParse(this.changes));
  readonly #rules = $derived<FieldErrors>(this.parsed.success ? {} : pathErrors(this.parsed.error.issues));

  readonly expiryError = $derived(
    expiryMessage(this.expiry, this.submission.server["expiresAt"], this.#rules["expiresAt"], this.submission.attempted),
  );

  get descriptionError(): string | undefined {
    return this.submission.server["description"] ?? this.#rules["description"];
  }

  constructor(user: User) {
    this.#original = user.spec;
    this.description = user.spec.description ?? "";
    this.expiry.enabled = user.spec.expiresAt !== null;
    this.expiry.local = user.spec.expiresAt ? toLocalInput(user.spec.expiresAt) : "";
  }

  validBody(): UpdateUserBody | null {
    this.submission.attempted = true;
    if (!this.parsed.success || this.expiryError) return null;
    return this.parsed.data;
  }
}
