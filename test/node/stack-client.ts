/**
 * What Node tests that drive the whole local stack (scripts/lib/stack.ts) over HTTP share: a dev
 * sign-in that answers its cookie and a fetch sent as the app sends it, and a wait on a condition.
 */

export interface DevSession {
  cookie: string;
  /** A same-origin API call as the signed-in person (JSON, with the Origin the Worker's CSRF check wants). */
  api(path: string, init?: RequestInit): Promise<Response>;
}

export async function devSession(apiUrl: string, email: string): Promise<DevSession> {
  const res = await fetch(`${apiUrl}/api/dev/login`, { method: "POST", headers: { "content-type": "application/json", origin: apiUrl }, body: JSON.stringify({ email }) });
  if (res.status !== 204) throw new Error(`dev sign-in of ${email} answered ${res.status}`);
  const cookie = res.headers.get("set-cookie")?.split(";")[0] ?? "";
  return {
    cookie,
    api: (path, init = {}) => fetch(`${apiUrl}${path}`, { ...init, headers: { cookie, origin: apiUrl, "content-type": "application/json", ...init.headers } }),
  };
}

/** Reads until `done` holds, every 150 ms; throws after `timeoutMs`, naming `what` and the last value read. */
export async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, what = "the condition", timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
