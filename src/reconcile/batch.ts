/**
 * Batching of reads and writes by the device's batch sizes. Paths under bisection (after a fault without
 * per-parameter detail) go in their own groups so a bad name is isolated while the rest proceeds.
 */

/** Splits `items` into batches of at most `size`; members of each bisect group are batched apart. */
export function batchBy<T>(items: readonly T[], nameOf: (t: T) => string, size: number, groups: readonly (readonly string[])[] = []): T[][] {
  const limit = Math.max(1, Math.floor(size));
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((p) => groupOf.set(p, i)));
  const buckets = new Map<number, T[]>();
  for (const item of items) {
    const g = groupOf.get(nameOf(item)) ?? -1;
    const bucket = buckets.get(g);
    if (bucket === undefined) buckets.set(g, [item]);
    else bucket.push(item);
  }
  // Bisect groups first: they finish the search for a bad name; ungrouped paths keep their order.
  const order = [...buckets.keys()].sort((a, b) => (a === -1 ? 1 : b === -1 ? -1 : a - b));
  return order.flatMap((g) => chunk(buckets.get(g) ?? [], limit));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Keeps the first occurrence of each key, in order. */
export function uniqueBy<T>(items: readonly T[], keyOf: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = keyOf(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
