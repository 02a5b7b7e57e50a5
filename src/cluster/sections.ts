/**
 * Sections of one name run one after another in this process (cluster/local.ts: that is all; cluster/pg.ts: each
 * then also takes the advisory lock, so one pool connection at a time waits on it). A failed section does not stop
 * the next; the queue of a name is dropped when it empties.
 */
export type SectionQueue = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export function sectionQueue(): SectionQueue {
  const tails = new Map<string, Promise<void>>();
  return (name, fn) => {
    const run = (tails.get(name) ?? Promise.resolve()).then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(name, tail);
    void tail.then(() => tails.get(name) === tail && tails.delete(name));
    return run;
  };
}
