import { redirect } from "@sveltejs/kit";
import { safeNext } from "$lib/load";
import type { PageLoad } from "./$types";

export const load: PageLoad = async ({ parent, url }) => {
  const { me } = await parent();
  if (me) redirect(307, safeNext(url.searchParams.get("next")));
};
