/**
 * Converge's metric registry on prom-client: counters, gauges (optionally computed at scrape), histograms, and
 * on request prom-client's default process and event-loop metrics. What this layer adds to prom-client: label
 * cardinality bounded per metric (past `maxSeries` label sets, new ones fold into an all-"other" series, so a
 * misbehaving label cannot blow up memory or the scrape), labels checked against the declaration, and a
 * synchronous `get` (tests, health). The exposition is prom-client's text format 0.0.4.
 */
import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry as PromRegistry, collectDefaultMetrics } from "prom-client";
import { checkLabelName, checkMetricName } from "./exposition.js";
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
  render(): Promise<string>;
}

export interface RegistryOptions {
  /** prom-client's default metrics: process CPU, memory, file descriptors, event-loop lag, GC, heap (`process_*`, `nodejs_*`). */
  readonly processMetrics?: boolean;
}

const DEFAULT_MAX_SERIES = 100;

/** One bounded series: the label object handed to prom-client (declared order) and its value, for `get`. */
interface Series {
  readonly labels: Record<string, string>;
  v: number;
}

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

/** prom-client requires a HELP text: an empty one reads as the metric's name. */
function helpOf(def: MetricDef<string>): string {
  return def.help === "" ? def.name : def.help;
}

function seriesStore<L extends string>(def: MetricDef<L>, names: readonly L[]): SeriesStore<Series> {
  return createSeriesStore(names.length, def.maxSeries ?? DEFAULT_MAX_SERIES, (values) => ({
    labels: Object.fromEntries(names.map((n, i) => [n, values[i] ?? ""])),
    v: 0,
  }));
}

/** A dependency-light Prometheus registry on prom-client: counters, gauges (optionally computed at scrape), histograms. */
export function createRegistry(opts: RegistryOptions = {}): Registry {
  const prom = new PromRegistry();
  if (opts.processMetrics === true) collectDefaultMetrics({ register: prom });
  const names = new Set<string>();
  function claim(name: string): void {
    if (names.has(name)) throw new Error(`metric ${name} registered twice`);
    names.add(name);
  }

  function counter<L extends string>(def: MetricDef<L>): Counter<L> {
    const labelNames = prepare(def);
    claim(def.name);
    const series = seriesStore(def, labelNames);
    // The series store holds the values; prom-client gets them at scrape (`collect`), in first-increment order, so
    // an increment on the session path costs a map lookup, not prom-client's label hashing and checks as well.
    new PromCounter<string>({
      name: def.name,
      help: helpOf(def),
      labelNames: [...labelNames],
      registers: [prom],
      collect() {
        this.reset();
        for (const [, s] of series.entries()) this.inc(s.labels, s.v);
      },
    });
    return {
      inc(labels, by = 1) {
        if (!(by >= 0)) throw new Error(`${def.name}: counters only go up (got ${by})`);
        series.get(labelValues(labelNames, labels, def.name)).v += by;
      },
      get: (labels) => series.peek(labelValues(labelNames, labels, def.name))?.v ?? 0,
    };
  }

  function gauge<L extends string>(def: GaugeDef<L>): Gauge<L> {
    const labelNames = prepare(def);
    claim(def.name);
    const series = seriesStore(def, labelNames);
    const at = (labels: Labels<L> | undefined): Series => series.get(labelValues(labelNames, labels, def.name));
    const collect = def.collect;
    const g: PromGauge = new PromGauge<string>({
      name: def.name,
      help: helpOf(def),
      labelNames: [...labelNames],
      registers: [prom],
      ...(collect ? { collect: () => (wrapper.reset(), collect(wrapper)) } : {}),
    });
    const wrapper: Gauge<L> = {
      set(labels, value) {
        const s = at(labels);
        s.v = value;
        g.set(s.labels, value);
      },
      inc(labels, by = 1) {
        const s = at(labels);
        s.v += by;
        g.set(s.labels, s.v);
      },
      dec(labels, by = 1) {
        const s = at(labels);
        s.v -= by;
        g.set(s.labels, s.v);
      },
      get: (labels) => series.peek(labelValues(labelNames, labels, def.name))?.v ?? 0,
      reset() {
        series.clear();
        g.reset();
      },
    };
    return wrapper;
  }

  function histogram<L extends string>(def: HistogramDef<L>): Histogram<L> {
    const labelNames = prepare(def, ["le"]);
    const bounds = [...def.buckets];
    if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] ?? b)))) {
      throw new Error(`${def.name}: buckets must be finite and strictly increasing`);
    }
    claim(def.name);
    const series = seriesStore(def, labelNames);
    const h = new PromHistogram<string>({ name: def.name, help: helpOf(def), labelNames: [...labelNames], buckets: bounds, registers: [prom] });
    return {
      observe(labels, value) {
        h.observe(series.get(labelValues(labelNames, labels, def.name)).labels, value);
      },
    };
  }

  return {
    counter,
    gauge,
    histogram,
    // prom-client separates metrics by a blank line; the format allows it, but Converge's scrape stays one
    // line per sample (escaped help and label values never hold a line feed, so "\n\n" only joins metrics).
    render: async () => (await prom.metrics()).replaceAll("\n\n", "\n"),
  };
}
