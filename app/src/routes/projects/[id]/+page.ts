import { getActivity, getProject } from "$lib/api";
import { failLoad } from "$lib/load";
import type { PageLoad } from "./$types";

export const load: PageLoad = async ({ params, fetch, url, depends }) => {
  depends("app:project");
  try {
    const [view, activity] = await Promise.all([getProject(params.id, fetch), getActivity(params.id, { fetch })]);
    return { view, activity };
  } catch (err) {
    failLoad(err, url);
  }
};
