/**
 * When each fleet device informs next: a binary min-heap of (due time, device index, generation). Re-scheduling
 * a device bumps its generation, so stale heap entries are skipped instead of searched for and removed.
 */

interface Entry {
  readonly at: number;
  readonly index: number;
  readonly gen: number;
}

export class DueQueue {
  readonly #heap: Entry[] = [];
  readonly #gen: Uint32Array;

  constructor(devices: number) {
    this.#gen = new Uint32Array(devices);
  }

  get size(): number {
    return this.#heap.length;
  }

  /** (Re)schedules device `index` at `at` (ms); any earlier schedule of it is void. */
  schedule(index: number, at: number): void {
    const gen = ((this.#gen[index] ?? 0) + 1) >>> 0;
    this.#gen[index] = gen;
    this.#heap.push({ at, index, gen });
    this.#up(this.#heap.length - 1);
  }

  /** Voids the device's schedule (it is done, or in a session). */
  cancel(index: number): void {
    this.#gen[index] = ((this.#gen[index] ?? 0) + 1) >>> 0;
  }

  /** The earliest live due time, or undefined when nothing is scheduled. */
  peekAt(): number | undefined {
    this.#dropStale();
    return this.#heap[0]?.at;
  }

  /** Removes and returns the earliest device due at or before `now`. */
  popDue(now: number): number | undefined {
    this.#dropStale();
    const top = this.#heap[0];
    if (top === undefined || top.at > now) return undefined;
    this.#pop();
    this.#gen[top.index] = ((this.#gen[top.index] ?? 0) + 1) >>> 0;
    return top.index;
  }

  #dropStale(): void {
    for (let top = this.#heap[0]; top !== undefined && top.gen !== this.#gen[top.index]; top = this.#heap[0]) this.#pop();
  }

  #pop(): void {
    const last = this.#heap.pop();
    if (last === undefined || this.#heap.length === 0) return;
    this.#heap[0] = last;
    this.#down(0);
  }

  #less(i: number, j: number): boolean {
    const a = this.#heap[i] as Entry;
    const b = this.#heap[j] as Entry;
    return a.at < b.at || (a.at === b.at && a.index < b.index);
  }

  #swap(i: number, j: number): void {
    const h = this.#heap;
    [h[i], h[j]] = [h[j] as Entry, h[i] as Entry];
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#less(l, m)) m = l;
      if (r < n && this.#less(r, m)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}
