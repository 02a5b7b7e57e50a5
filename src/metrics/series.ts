/**
 * Label sets of one metric, bounded: past `maxSeries` distinct sets, new ones fold into a single
 * series whose every label is "other", so a misbehaving label (fault codes from a buggy CPE, event
 * codes with vendor suffixes) cannot blow up memory or the scrape.
 */

export const OVERFLOW_LABEL_VALUE = "other";

export interface SeriesStore<S> {
  /** The state for these label values, created with `init` if new (or the overflow series). */
  get(values: readonly string[]): S;
  /** The state for these label values if that series exists; never creates one. */
  peek(values: readonly string[]): S | undefined;
  entries(): IterableIterator<[readonly string[], S]>;
  clear(): void;
  readonly size: number;
}

export function createSeriesStore<S>(labelCount: number, maxSeries: number, init: (values: readonly string[]) => S): SeriesStore<S> {
  const series = new Map<string, { values: readonly string[]; state: S }>();
  const overflowValues = Array.from({ length: labelCount }, () => OVERFLOW_LABEL_VALUE);
  const overflowKey = JSON.stringify(overflowValues);
  let regular = 0;

  function create(key: string, values: readonly string[]): S {
    const state = init(values);
    series.set(key, { values: [...values], state });
    return state;
  }

  return {
    get(values) {
      const key = JSON.stringify(values);
      const hit = series.get(key);
      if (hit !== undefined) return hit.state;
      if (regular < maxSeries) {
        regular++;
        return create(key, values);
      }
      return series.get(overflowKey)?.state ?? create(overflowKey, overflowValues);
    },
    peek: (values) => series.get(JSON.stringify(values))?.state,
    *entries() {
      for (const { values, state } of series.values()) yield [values, state];
    },
    clear() {
      series.clear();
      regular = 0;
    },
    get size() {
      return series.size;
    },
  };
}
