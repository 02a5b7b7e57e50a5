import test from "node:test";
import assert from "node:assert/strict";
import { createRegistry, OVERFLOW_LABEL_VALUE } from "../../src/metrics/registry.js";

void test("exposition format 0.0.4: golden text for a counter, a gauge and a histogram", async () => {
  const r = createRegistry();
  const c = r.counter({ name: "app_requests_total", help: "Requests.\nSecond line with a \\ backslash.", labelNames: ["method", "code"] });
  const g = r.gauge({ name: "app_temperature", help: "Temperature." });
  const h = r.histogram({ name: "app_latency_seconds", help: "Latency.", labelNames: ["route"], buckets: [0.1, 0.5, 1] });
  const idle = r.counter({ name: "app_idle_total", help: "Never incremented." });
  c.inc({ method: "GET", code: "200" });
  c.inc({ code: "200", method: "GET" }, 2);
  c.inc({ method: "POST", code: 'we"ird\\\nvalue' });
  g.set({}, -1.5);
  h.observe({ route: "/cwmp" }, 0.05);
  h.observe({ route: "/cwmp" }, 0.5);
  h.observe({ route: "/cwmp" }, 7);
  void idle;
  assert.equal(
    await r.render(),
    [
      "# HELP app_requests_total Requests.\\nSecond line with a \\\\ backslash.",
      "# TYPE app_requests_total counter",
      'app_requests_total{method="GET",code="200"} 3',
      'app_requests_total{method="POST",code="we\\"ird\\\\\\nvalue"} 1',
      "# HELP app_temperature Temperature.",
      "# TYPE app_temperature gauge",
      "app_temperature -1.5",
      "# HELP app_latency_seconds Latency.",
      "# TYPE app_latency_seconds histogram",
      'app_latency_seconds_bucket{le="0.1",route="/cwmp"} 1',
      'app_latency_seconds_bucket{le="0.5",route="/cwmp"} 2',
      'app_latency_seconds_bucket{le="1",route="/cwmp"} 2',
      'app_latency_seconds_bucket{le="+Inf",route="/cwmp"} 3',
      'app_latency_seconds_sum{route="/cwmp"} 7.55',
      'app_latency_seconds_count{route="/cwmp"} 3',
      "# HELP app_idle_total Never incremented.",
      "# TYPE app_idle_total counter",
      "app_idle_total 0",
      "",
    ].join("\n"),
  );
});

void test("a label-less histogram is exposed with zero counts before any observation", async () => {
  const r = createRegistry();
  r.histogram({ name: "h_seconds", help: "h", buckets: [1] });
  assert.equal(
    await r.render(),
    '# HELP h_seconds h\n# TYPE h_seconds histogram\nh_seconds_bucket{le="1"} 0\nh_seconds_bucket{le="+Inf"} 0\nh_seconds_sum 0\nh_seconds_count 0\n',
  );
});

// prom-client spells NaN "Nan"; Prometheus parses sample values case-insensitively (Go's ParseFloat).
void test("special values are spelled +Inf, -Inf and Nan", async () => {
  const r = createRegistry();
  const g = r.gauge({ name: "g", help: "g", labelNames: ["k"] });
  g.set({ k: "a" }, Infinity);
  g.set({ k: "b" }, -Infinity);
  g.set({ k: "c" }, NaN);
  assert.match(await r.render(), /g\{k="a"\} \+Inf\ng\{k="b"\} -Inf\ng\{k="c"\} Nan\n$/);
});

void test("label cardinality is capped: extra label sets fold into one 'other' series", async () => {
  const r = createRegistry();
  const c = r.counter({ name: "faults_total", help: "f", labelNames: ["code"], maxSeries: 3 });
  for (let i = 0; i < 1000; i++) c.inc({ code: String(9000 + i) });
  const lines = (await r.render()).split("\n").filter((l) => l.startsWith("faults_total{"));
  assert.deepEqual(lines, [
    'faults_total{code="9000"} 1',
    'faults_total{code="9001"} 1',
    'faults_total{code="9002"} 1',
    `faults_total{code="${OVERFLOW_LABEL_VALUE}"} 997`,
  ]);
  c.inc({ code: "9001" });
  assert.equal(c.get({ code: "9001" }), 2, "existing series keep counting after the cap");
});

void test("a gauge with a collect callback is recomputed at every scrape, dropping vanished series", async () => {
  const r = createRegistry();
  let state: Record<string, number> = { converged: 5, drifted: 1 };
  r.gauge({
    name: "devs",
    help: "d",
    labelNames: ["condition"],
    collect: (g) => {
      for (const [condition, n] of Object.entries(state)) g.set({ condition }, n);
    },
  });
  assert.match(await r.render(), /devs\{condition="converged"\} 5\ndevs\{condition="drifted"\} 1\n/);
  state = { converged: 6 };
  const out = await r.render();
  assert.match(out, /devs\{condition="converged"\} 6\n/);
  assert.doesNotMatch(out, /drifted/);
});

const MISUSE: [string, () => void, RegExp][] = [
  ["bad metric name", () => createRegistry().counter({ name: "1bad", help: "" }), /invalid metric name/],
  ["bad label name", () => createRegistry().counter({ name: "ok", help: "", labelNames: ["a-b"] }), /invalid label name/],
  ["reserved __ label", () => createRegistry().counter({ name: "ok", help: "", labelNames: ["__x"] }), /invalid label name/],
  ["le on a histogram", () => createRegistry().histogram({ name: "ok", help: "", labelNames: ["le"], buckets: [1] }), /invalid label name/],
  ["unsorted buckets", () => createRegistry().histogram({ name: "ok", help: "", buckets: [1, 0.5] }), /strictly increasing/],
  [
    "registered twice",
    () => {
      const r = createRegistry();
      r.counter({ name: "x", help: "" });
      r.gauge({ name: "x", help: "" });
    },
    /twice/,
  ],
  ["counter going down", () => createRegistry().counter({ name: "x", help: "" }).inc({}, -1), /only go up/],
  [
    "undeclared label",
    () => {
      const extra = { a: "1", b: "2", c: "3" }; // not a literal, so the compiler allows the extra key
      createRegistry()
        .counter({ name: "x", help: "", labelNames: ["a", "b"] })
        .inc(extra);
    },
    /do not match/,
  ],
];

for (const [name, run, re] of MISUSE) {
  void test(`registry refuses misuse: ${name}`, () => assert.throws(run, re));
}
