import { CreateUserBody, UpdateUserBody, UserName, UserSpec, folderPrefix, keyFingerprint, parseSshPublicKey, type Access, type Permission, type SftpAccess, type User } from "$contract";
import { fromLocalInput, toLocalInput } from "$lib/format";
import { Submission, pathErrors, type FieldErrors } from "$lib/submission.svelte";

/** The contract's limit for a user's description (the input stops there). */
export const DESCRIPTION_MAX = UserSpec.shape.description.unwrap().maxLength ?? undefined;

/** One grant row of the new-user form; `prefix` "" means the whole bucket. */
class GrantDraft {
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

/** One line of the SSH keys box as the form reads it: its fingerprint, or why it is no key. */
interface KeyLine {
  line: string;
  fingerprint?: string;
  type?: string;
  comment?: string | null;
  problem?: string;
}

/** "SFTP access" checkbox plus the user's SSH public keys, one per line. */
export class SftpDraft {
  enabled = $state(false);
  keys = $state("");

  constructor(initial?: SftpAccess | null) {
    this.enabled = Boolean(initial);
    this.keys = initial?.sshPublicKeys.join("\n") ?? "";
  }

  /** The non-empty lines, as the API receives them. */
  readonly lines = $derived(this.keys.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== ""));

  /** What goes in a create or update body: null turns SFTP access off. */
  get value(): SftpAccess | null {
    return this.enabled ? { sshPublicKeys: this.lines } : null;
  }

  /** Each key with its SHA256 fingerprint as `ssh-keygen -l` prints it, or its problem. */
  readonly checked = $derived<KeyLine[]>(
    this.lines.map((line) => {
      const parsed = parseSshPublicKey(line);
      if (!parsed.ok) return { line, problem: parsed.reason };
      return { line, fingerprint: keyFingerprint(parsed.key.line), type: parsed.key.type, comment: parsed.key.comment };
    }),
  );

  /** The same access as `other` (keys compared in normal form, so re-pasting changes nothing). */
  sameAs(other: SftpAccess | null | undefined): boolean {
    const mine = this.value;
    if (!mine || !other) return !mine && !other;
    const normal = (line: string) => {
      const parsed = parseSshPublicKey(line);
      return parsed.ok ? parsed.key.line : line;
    };
    return mine.sshPublicKeys.map(normal).join("\n") === other.sshPublicKeys.map(normal).join("\n");
  }
}

/** Messages about SFTP access: the access as a whole (`sftp`), the key list, and each key by index. */
export interface SftpErrors {
  access: string | undefined;
  keys: string | undefined;
  byKey: ReadonlyMap<number, string>;
}

function sftpErrors(server: FieldErrors, rules: FieldErrors, attempted: boolean): SftpErrors {
  const byKey = new Map<number, string>();
  for (const source of [rules, server]) {
    for (const [key, message] of Object.entries(source)) {
      const match = /^sftp\.sshPublicKeys\.(\d+)$/.exec(key);
      if (match && message) byKey.set(Number(match[1]), message);
    }
  }
  const keys = server["sftp.sshPublicKeys"] ?? (attempted ? rules["sftp.sshPublicKeys"] : undefined);
  return { access: server["sftp"] ?? rules["sftp"], keys, byKey };
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
  readonly sftp = new SftpDraft();
  readonly submission = new Submission();
  readonly #taken: (name: string) => boolean;

  readonly parsed = $derived(
    CreateUserBody.safeParse({
      name: this.name,
      description: this.description.trim() || null,
      permissions: this.grants.map((g) => g.toPermission()),
      expiresAt: this.expiry.value,
      sftp: this.sftp.value,
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

  readonly sftpErrors = $derived(sftpErrors(this.submission.server, this.#rules, this.submission.attempted));

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
  readonly sftp: SftpDraft;
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
      ...(this.sftp.sameAs(o.sftp) ? {} : { sftp: this.sftp.value }),
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

  readonly sftpErrors = $derived(sftpErrors(this.submission.server, this.#rules, this.submission.attempted));

  constructor(user: User) {
    this.#original = user.spec;
    this.sftp = new SftpDraft(user.spec.sftp);
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
