import * as z from "zod";

/**
 * `GET /api/auth` (no session needed): how this deployment signs people in. With Cloudflare
 * Access, `signInUrl` is the team's login page for this host and `signOutUrl` Access's logout.
 */
export const AuthInfo = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("dev") }),
  z.object({ mode: z.literal("access"), signInUrl: z.string(), signOutUrl: z.string() }),
]);
export type AuthInfo = z.infer<typeof AuthInfo>;

/** `POST /api/logout`: where the browser goes next to end the sign-in at its source (Access), if anywhere. */
export const SignedOut = z.object({ signOutUrl: z.string().nullable() });
export type SignedOut = z.infer<typeof SignedOut>;
