/**
 * Runs `work` over `items`, at most `jobs` at a time, in order of index. Stops taking new
 * items once `signal` aborts (items already started finish). `work` returning "stop" ends that
 * worker's loop too, for an item that found the run interrupted.
 */
export async function runPool<T>(
  items: readonly T[],
  jobs: number,
  work: (item: T, index: number) => Promise<"stop" | undefined>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      if ((await work(items[index]!, index)) === "stop") return;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}
