import { redirect } from "@sveltejs/kit";
import { signInPath } from "$lib/load";
import type { LayoutLoad } from "./$types";

/** Everything under /projects needs a session; without one, sign in and come back. */
export const load: LayoutLoad = async ({ parent, url }) => {
  const { me } = await parent();
  if (!me) redirect(307, signInPath(url));
  return { me };
};
