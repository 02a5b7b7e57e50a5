import { checkLabelName, checkMetricName, formatLabels, formatValue, headerLines } from "./exposition.js";
import { createSeriesStore, type SeriesStore } from "./series.js";

export { EXPOSITION_CONTENT_TYPE } from "./exposition.js";
export { OVERFLOW_LABEL_VALUE } from "./series.js";

/** Label values by label name; `never` (no labels) makes this `{}`. */
export type Labels<L extends string> = Readonly<Record<L, string>>;

export interface MetricDef<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  /** Distinct label sets kept before new ones fold into an all-"other" series. Default 100. */
  readonly maxSeries?: number;
}

export interface Counter<L extends string> {
  inc(labels?: Labels<L>, by?: number): void;
  /** The current value (tests, health). */
  get(labels?: Labels<L>): number;
}

export interface Gauge<L extends string> {
  set(labels: Labels<L>, value: number): void;
  inc(labels?: Labels<L>, by?: number): void;
  dec(labels?: Labels<L>, by?: number): void;
  get(labels?: Labels<L>): number;
  /** Drops every series (e.g. before re-setting an info metric). */
  reset(): void;
}

export interface GaugeDef<L extends string> extends MetricDef<L> {
  /** Called at scrape time after a reset: set the current values (devices by condition, ...). */
  readonly collect?: (gauge: Gauge<L>) => void;
}

export interface HistogramDef<L extends string> extends MetricDef<L> {
  /** Upper bounds, strictly increasing, finite; `+Inf` is implicit. */
  readonly buckets: readonly number[];
}

export interface Histogram<L extends string> {
  observe(labels: Labels<L>, value: number): void;
}

export interface Registry {
  counter<L extends string = never>(def: MetricDef<L>): Counter<L>;
  gauge<L extends string = never>(def: GaugeDef<L>): Gauge<L>;
  histogram<L extends string = never>(def: HistogramDef<L>): Histogram<L>;
  /** The whole registry in the text exposition format 0.0.4, metrics in registration order. */
  render(): string;
}

interface Renderable {
  render(): string;
}

const DEFAULT_MAX_SERIES = 100;

/** Label values in declared order; throws when the set of names differs from the declaration. */
function labelValues<L extends string>(names: readonly L[], labels: Labels<L> | undefined, metric: string): string[] {
  const given = labels === undefined ? [] : Object.keys(labels);
  if (given.length !== names.length || !names.every((n) => given.includes(n))) {
    throw new Error(`${metric}: labels {${given.join(",")}} do not match declared {${names.join(",")}}`);
  }
  return names.map((n) => String(labels?.[n]));
}

function prepare<L extends string>(def: MetricDef<L>, reserved: readonly string[] = []): readonly L[] {
  checkMetricName(def.name);
  const names = def.labelNames ?? [];
  for (const n of names) checkLabelName(n, reserved);
  if (new Set(names).size !== names.length) throw new Error(`${def.name}: duplicate label name`);
  return names;
}

function renderScalars<L extends string>(def: MetricDef<L>, names: readonly L[], series: SeriesStore<{ v: number }>, type: "counter" | "gauge"): string {
  let out = headerLines(def.name, def.help, type);
  if (names.length === 0 && series.size === 0) return `${out}${def.name} 0\n`;
  for (const [values, s] of series.entries()) out += `${def.name}${formatLabels(names, values)} ${formatValue(s.v)}\n`;
  return out;
}

function makeCounter<L extends string>(def: MetricDef<L>): Counter<L> & Renderable {
  const names = prepare(def);
  const series = createSeriesStore(names.length, def.maxSeries ?? DEFAULT_MAX_SERIES, () => ({ v: 0 }));
  return {
    inc(labels, by = 1) {
      if (!(by >= 0)) throw new Error(`${def.name}: counters only go up (got ${by})`);
      series.get(labelValues(names, labels, def.name)).v += by;
    },
    get: (labels) => series.peek(labelValues(names, labels, def.name))?.v ?? 0,
    render: () => renderScalars(def, names, series, "counter"),
  };
}

function makeGauge<L extends string>(def: GaugeDef<L>): Gauge<L> & Renderable {
  const names = prepare(def);
  const series = createSeriesStore(names.length, def.maxSeries ?? DEFAULT_MAX_SERIES, () => ({ v: 0 }));
  const at = (labels: Labels<L> | undefined): { v: number } => series.get(labelValues(names, labels, def.name));
  const gauge: Gauge<L> & Renderable = {
    set: (labels, value) => void (at(labels).v = value),
    inc: (labels, by = 1) => void (at(labels).v += by),
    dec: (labels, by = 1) => void (at(labels).v -= by),
    get: (labels) => series.peek(labelValues(names, labels, def.name))?.v ?? 0,
    reset: () => series.clear(),
    render() {
      if (def.collect) {
        series.clear();
        def.collect(gauge);
      }
      return renderScalars(def, names, series, "gauge");
    },
  };
  return gauge;
}

function makeHistogram<L extends string>(def: HistogramDef<L>): Histogram<L> & Renderable {
  const names = prepare(def, ["le"]);
  const bounds = [...def.buckets];
  if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] ?? b)))) {
    throw new Error(`${def.name}: buckets must be finite and strictly increasing`);
  }
  const series = createSeriesStore(names.length, def.maxSeries ?? DEFAULT_MAX_SERIES, () => ({ counts: bounds.map(() => 0), sum: 0, count: 0 }));
  if (names.length === 0) series.get([]); // a label-less histogram is exposed from the start
  return {
    observe(labels, value) {
      const s = series.get(labelValues(names, labels, def.name));
      for (const [i, b] of bounds.entries()) if (value <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
      s.sum += value;
      s.count += 1;
    },
    render() {
      let out = headerLines(def.name, def.help, "histogram");
      for (const [values, s] of series.entries()) {
        const withLe = (le: string): string => formatLabels([...names, "le"], [...values, le]);
        for (const [i, b] of bounds.entries()) out += `${def.name}_bucket${withLe(formatValue(b))} ${s.counts[i] ?? 0}\n`;
        out += `${def.name}_bucket${withLe("+Inf")} ${s.count}\n`;
        out += `${def.name}_sum${formatLabels(names, values)} ${formatValue(s.sum)}\n`;
        out += `${def.name}_count${formatLabels(names, values)} ${s.count}\n`;
      }
      return out;
    },
  };
}

/** A dependency-free Prometheus registry: counters, gauges (optionally computed at scrape), histograms. */
export function createRegistry(): Registry {
  const metrics = new Map<string, Renderable>();
  function add<T extends Renderable>(name: string, m: T): T {
    if (metrics.has(name)) throw new Error(`metric ${name} registered twice`);
    metrics.set(name, m);
    return m;
  }
  return {
    counter: (def) => add(def.name, makeCounter(def)),
    gauge: (def) => add(def.name, makeGauge(def)),
    histogram: (def) => add(def.name, makeHistogram(def)),
    render: () => [...metrics.values()].map((m) => m.render()).join(""),
  };
}
