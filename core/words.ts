/** Small helpers for the words Stackroom says, shared by the rooms, the Worker and the app. */

/** The text with its first letter in upper case ("the bucket" → "The bucket"). */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
