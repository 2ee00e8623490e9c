/**
 * `work` over every item, at most `limit` at a time, answers in the items' order. The first
 * failure rejects the whole (work already started runs to its end; none new starts). Keeps a
 * burst of AWS calls (healing's GetTemplate) under the account's rate limits and the Worker's
 * simultaneous-subrequest limit.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
