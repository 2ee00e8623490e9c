import { AccessReview } from "$contract";
import { api } from "$lib/api";

const reviewPath = (project: string) => `/api/projects/${encodeURIComponent(project)}/access-review`;

/** The project's access review as the room holds it (members; no AWS call). */
export const getAccessReview = (project: string) => api(reviewPath(project), AccessReview);
/** Editors: the room reads every user's keys and their last use from IAM now (rate-limited). */
export const refreshAccessReview = (project: string) => api(`${reviewPath(project)}/refresh`, AccessReview, { method: "POST", body: {} });
