/**
 * A count with its noun, in one wording everywhere: "1 key", "2 keys", "0 objects",
 * "1,204 files". `plural` defaults to the noun + "s".
 */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count.toLocaleString("en")} ${count === 1 ? noun : plural}`;
}
