import { getActivity, getProject } from "$lib/api";
import { failLoad } from "$lib/load";
import type { LayoutLoad } from "./$types";

/**
 * The project and its newest activity, once for the project page and every resource page under
 * it: moving between them reads only `params.id`, so this does not run again (and the layout
 * keeps its live connection).
 */
export const load: LayoutLoad = async ({ params, fetch, url, depends }) => {
  depends("app:project");
  try {
    const [view, activity] = await Promise.all([getProject(params.id, fetch), getActivity(params.id, { fetch })]);
    return { view, activity };
  } catch (err) {
    failLoad(err, url);
  }
};
