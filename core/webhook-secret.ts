/**
 * Each project's bridge signs with a secret that is valid for that project only:
 * HMAC-SHA256(root, "stackroom-webhook/<project>/v<version>"), hex. The Worker holds only the root
 * (WEBHOOK_SECRET, plus WEBHOOK_SECRET_PREVIOUS while the root rotates) and derives per request,
 * so no project's secret is stored anywhere, and a secret read in one project account signs
 * nothing for another. A project's own secret rotates by its version: while rotating, the
 * previous version is accepted too. Pure WebCrypto: the ops CLI and local stack derive the same.
 */
const encoder = new TextEncoder();

export async function projectWebhookSecret(root: string, projectId: string, version: number): Promise<string> {
  if (root.length === 0) throw new Error("No webhook root secret is configured.");
  const key = await crypto.subtle.importKey("raw", encoder.encode(root), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`stackroom-webhook/${projectId}/v${version}`));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

interface WebhookSecretVersions {
  id: string;
  webhookSecretVersion: number;
  /** Set while the project's secret rotates: the bridge may still sign with the old one. */
  webhookPreviousSecretVersion?: number;
}

/** Every secret the project's webhook accepts now, with its version: its version(s) under the current and previous root. */
export async function acceptedWebhookSecrets(roots: readonly string[], project: WebhookSecretVersions): Promise<Array<{ secret: string; version: number }>> {
  const versions = [project.webhookSecretVersion, ...(project.webhookPreviousSecretVersion ? [project.webhookPreviousSecretVersion] : [])];
  const usable = roots.filter((r) => r.length > 0);
  return Promise.all(usable.flatMap((root) => versions.map(async (version) => ({ secret: await projectWebhookSecret(root, project.id, version), version }))));
}
