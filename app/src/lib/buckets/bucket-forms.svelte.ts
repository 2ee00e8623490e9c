import { BucketName, CreateBucketBody, UpdateBucketBody, type Bucket, type BucketSpec } from "$contract";
import { Submission, topLevelErrors } from "$lib/submission.svelte";

/** The settings both forms edit; "no expiry" is a checkbox so an empty days box is an error. */
export class SettingsDraft {
  versioning = $state(true);
  encryption = $state<BucketSpec["encryption"]>("s3");
  expires = $state(false);
  days = $state<number | undefined>(30);

  /** NaN makes the shared schema say "Enter a whole number of days." for an empty box. */
  get expireAfterDays(): number | null {
    return this.expires ? (this.days ?? Number.NaN) : null;
  }
}

export class NewBucketForm {
  name = $state("");
  nameTouched = $state(false);
  readonly settings = new SettingsDraft();
  readonly submission = new Submission();
  readonly #taken: (name: string) => boolean;

  readonly parsed = $derived(
    CreateBucketBody.safeParse({
      name: this.name,
      versioning: this.settings.versioning,
      encryption: this.settings.encryption,
      expireAfterDays: this.settings.expireAfterDays,
    }),
  );

  /** Message under the name input: server first, then the shared rules, then uniqueness. */
  readonly nameError = $derived.by((): string | undefined => {
    const server = this.submission.server["name"];
    if (server) return server;
    if (this.name === "") return this.submission.attempted ? "Enter a bucket name." : undefined;
    const rules = BucketName.safeParse(this.name);
    if (!rules.success) {
      const issue = rules.error.issues[0];
      // "too short" while still typing the first letters would only nag.
      if (issue?.code === "too_small" && !this.nameTouched && !this.submission.attempted) return undefined;
      return issue?.message;
    }
    // While our own create is in flight the room may already push the new bucket: not a clash.
    if (!this.submission.pending && this.#taken(this.name)) return "A bucket with this name already exists in this project.";
    return undefined;
  });

  readonly daysError = $derived.by((): string | undefined => {
    const server = this.submission.server["expireAfterDays"];
    if (server) return server;
    if (this.parsed.success || !this.settings.expires) return undefined;
    return topLevelErrors(this.parsed.error.issues)["expireAfterDays"];
  });

  constructor(taken: (name: string) => boolean) {
    this.#taken = taken;
  }

  /** The body to send, or null when the form still has an error to show. */
  validBody(): CreateBucketBody | null {
    this.submission.attempted = true;
    if (!this.parsed.success || this.nameError || this.daysError) return null;
    return this.parsed.data;
  }
}

export class EditBucketForm {
  readonly settings = new SettingsDraft();
  readonly submission = new Submission();
  readonly #original: BucketSpec;

  /** Only what changed is sent, so a queued edit never reverts someone else's setting. */
  readonly changes = $derived.by(() => {
    const o = this.#original;
    const s = this.settings;
    const expireAfterDays = s.expireAfterDays;
    return {
      ...(s.versioning !== o.versioning ? { versioning: s.versioning } : {}),
      ...(s.encryption !== o.encryption ? { encryption: s.encryption } : {}),
      ...(expireAfterDays !== o.expireAfterDays ? { expireAfterDays } : {}),
    };
  });
  readonly hasChanges = $derived(Object.keys(this.changes).length > 0);
  readonly parsed = $derived(UpdateBucketBody.safeParse(this.changes));

  readonly daysError = $derived.by((): string | undefined => {
    const server = this.submission.server["expireAfterDays"];
    if (server) return server;
    if (this.parsed.success || !this.settings.expires) return undefined;
    return topLevelErrors(this.parsed.error.issues)["expireAfterDays"];
  });

  constructor(bucket: Bucket) {
    this.#original = bucket.spec;
    this.settings.versioning = bucket.spec.versioning;
    this.settings.encryption = bucket.spec.encryption;
    this.settings.expires = bucket.spec.expireAfterDays !== null;
    this.settings.days = bucket.spec.expireAfterDays ?? 30;
  }

  validBody(): UpdateBucketBody | null {
    this.submission.attempted = true;
    return this.parsed.success ? this.parsed.data : null;
  }
}
