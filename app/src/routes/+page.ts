import { redirect } from "@sveltejs/kit";
import { getAuthInfo } from "$lib/api";
import { failLoad, safeNext } from "$lib/load";
import type { PageLoad } from "./$types";

export const load: PageLoad = async ({ parent, url, fetch }) => {
  const { me, lapsed } = await parent();
  // After a lapsed session (`session=expired`), stay here even if /api/me still answered: going
  // on to `next` would meet the same 401 and come straight back.
  if (me && !lapsed) redirect(307, safeNext(url.searchParams.get("next"), url.origin));
  try {
    return { auth: await getAuthInfo(fetch) };
  } catch (err) {
    failLoad(err, url);
  }
};
