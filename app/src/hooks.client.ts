import type { HandleClientError } from "@sveltejs/kit";

/** An unexpected error in a load or while rendering: the error page says so in words, the console keeps the detail. */
export const handleError: HandleClientError = ({ error, status }) => {
  console.error(error);
  return {
    message: status === 404 ? "There is nothing at this address." : "Something went wrong in this page. Reload it; if that does not help, try again later.",
    code: status === 404 ? "not_found" : "internal",
  };
};
