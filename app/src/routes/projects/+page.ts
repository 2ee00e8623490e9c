import { listProjects } from "$lib/api";
import { failLoad } from "$lib/load";
import type { PageLoad } from "./$types";

export const load: PageLoad = async ({ fetch, url }) => {
  try {
    return await listProjects(fetch);
  } catch (err) {
    failLoad(err, url);
  }
};
