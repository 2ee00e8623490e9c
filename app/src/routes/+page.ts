import { redirect } from "@sveltejs/kit";
import { getAuthInfo } from "$lib/api";
import { failLoad, safeNext } from "$lib/load";
import type { PageLoad } from "./$types";

export const load: PageLoad = async ({ parent, url, fetch }) => {
  const { me } = await parent();
  if (me) redirect(307, safeNext(url.searchParams.get("next")));
  try {
    return { auth: await getAuthInfo(fetch) };
  } catch (err) {
    failLoad(err, url);
  }
};
