/** Runs work items at most `jobs` at a time, and splits the machine's threads between the jobs. */

/**
 * Calls `work(item, slot)` for every item in order, with at most `jobs` calls in flight; `slot`
 * (0 … jobs − 1) is free for the call's duration. A failing item does not stop the others: the
 * settled outcomes come back in item order. `shouldStart` is asked before each start (Ctrl-C:
 * stop launching, let the running ones finish).
 */
export async function runPool<T, R>(
  items: readonly T[],
  jobs: number,
  work: (item: T, slot: number) => Promise<R>,
  shouldStart: () => boolean = () => true,
): Promise<Array<PromiseSettledResult<R> | undefined>> {
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new RangeError(`jobs: expected an integer ≥ 1, got ${jobs}`);
  }
  const outcomes: Array<PromiseSettledResult<R> | undefined> = new Array(items.length).fill(
    undefined,
  );
  let next = 0;
  const lane = async (slot: number): Promise<void> => {
    while (next < items.length && shouldStart()) {
      const index = next++;
      try {
        outcomes[index] = { status: 'fulfilled', value: await work(items[index]!, slot) };
      } catch (reason) {
        outcomes[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, (_, slot) => lane(slot)));
  return outcomes;
}

/**
 * Intra-op threads per job when `jobs` trials share `total` threads: an even split, at least one.
 * Oversubscribing cores makes every trial slower than running them in turn.
 */
export function threadsPerJob(total: number, jobs: number): number {
  if (!Number.isInteger(total) || total < 1) {
    throw new RangeError(`threads: expected an integer ≥ 1, got ${total}`);
  }
  return Math.max(1, Math.floor(total / jobs));
}
