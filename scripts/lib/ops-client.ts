import { ErrorEnvelope } from "../../core/contract";

/**
 * How the ops CLI talks to a deployment's `/api/ops/*`: the ops bearer token, and in production
 * the Cloudflare Access service token that lets it through Access (CF-Access-Client-Id /
 * CF-Access-Client-Secret). It never follows a redirect (Access answers an unauthenticated call
 * with one, to its login page) and says plainly what went wrong: Access refused, an HTML page
 * instead of JSON, the host unreachable, the ops token refused.
 */
export class OpsError extends Error {
  override name = "OpsError";
}

export interface OpsTarget {
  url: string;
  token: string;
  access?: { clientId: string; clientSecret: string };
}

/** The target from the environment (STACKROOM_URL, OPS_TOKEN, STACKROOM_ACCESS_CLIENT_ID/SECRET). */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): OpsTarget {
  const url = env.STACKROOM_URL;
  const token = env.OPS_TOKEN;
  if (!url || !token) {
    throw new OpsError("Set STACKROOM_URL and OPS_TOKEN (locally: `set -a; . .dev/ops.env; set +a` after `npm run dev`).");
  }
  if (!URL.canParse(url)) throw new OpsError(`STACKROOM_URL “${url}” is not a URL (e.g. https://stackroom.example.com).`);
  const clientId = env.STACKROOM_ACCESS_CLIENT_ID;
  const clientSecret = env.STACKROOM_ACCESS_CLIENT_SECRET;
  if (Boolean(clientId) !== Boolean(clientSecret)) throw new OpsError("Set both STACKROOM_ACCESS_CLIENT_ID and STACKROOM_ACCESS_CLIENT_SECRET (an Access service token), or neither.");
  return { url: url.replace(/\/+$/, ""), token, ...(clientId && clientSecret ? { access: { clientId, clientSecret } } : {}) };
}

/**
 * Calls `/api/ops<path>`; answers the parsed JSON, or throws OpsError saying what went wrong.
 * `answered` lists error statuses whose JSON is an answer rather than a failure (health's 503).
 */
export async function opsCall(target: OpsTarget, method: string, path: string, body?: unknown, answered: readonly number[] = []): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${target.token}`, accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (target.access) {
    headers["CF-Access-Client-Id"] = target.access.clientId;
    headers["CF-Access-Client-Secret"] = target.access.clientSecret;
  }
  const where = `${method} ${target.url}/api/ops${path}`;
  let res: Response;
  try {
    res = await fetch(`${target.url}/api/ops${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: "manual", signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    throw new OpsError(`Could not reach ${target.url} (${cause}). Check STACKROOM_URL and your network.`);
  }
  const text = await res.text();
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get("location") ?? "(no Location)";
    throw new OpsError(
      target.access
        ? `${where} was redirected to ${location}: Cloudflare Access did not accept the service token. Check that the token is valid and that the Access application's policy allows it (Service Auth).`
        : `${where} was redirected to ${location}: Cloudflare Access wants a sign-in. Set STACKROOM_ACCESS_CLIENT_ID and STACKROOM_ACCESS_CLIENT_SECRET to an Access service token that the application's policy allows.`,
    );
  }
  let json: unknown;
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    const looksHtml = /^\s*</.test(text);
    const accessDenied = looksHtml && (res.status === 403 || res.status === 401);
    throw new OpsError(
      accessDenied
        ? `${where} → ${res.status}: Cloudflare Access refused the request (an HTML page, not Stackroom). Check the Access service token and the application's policy.`
        : `${where} → ${res.status}: expected JSON, got ${looksHtml ? "an HTML page" : "text"} (${text.slice(0, 120).replace(/\s+/g, " ")}). Is STACKROOM_URL the Stackroom host, with /api/* routed to the Worker?`,
    );
  }
  if (!res.ok && !answered.includes(res.status)) {
    const envelope = ErrorEnvelope.safeParse(json);
    const error = envelope.success ? envelope.data.error : null;
    if (res.status === 401 && error) throw new OpsError(`${where} → 401: the ops token was refused (${error.message}). Check OPS_TOKEN.`);
    throw new OpsError(`${where} → ${res.status}${error ? ` ${error.code}: ${error.message}` : `: ${text.slice(0, 300)}`}`);
  }
  return { status: res.status, json };
}
