import test from "node:test";
import assert from "node:assert/strict";
import { createConvergeMetrics } from "../../src/metrics/converge-metrics.js";
import { EXPOSITION_CONTENT_TYPE } from "../../src/metrics/registry.js";

const NAMES = [
  ["converge_informs_total", "counter"],
  ["converge_sessions_total", "counter"],
  ["converge_rpcs_total", "counter"],
  ["converge_cpe_faults_total", "counter"],
  ["converge_session_duration_seconds", "histogram"],
  ["converge_devices", "gauge"],
  ["converge_devices_flagged", "gauge"],
  ["converge_policy_revision_info", "gauge"],
  ["converge_policy_reload_failures_total", "counter"],
  ["converge_connection_requests_total", "counter"],
  ["converge_sessions_shed_total", "counter"],
  ["converge_active_sessions", "gauge"],
] as const;

for (const [name, type] of NAMES) {
  void test(`${name} is declared as a ${type}`, async () => {
    assert.match(await createConvergeMetrics().render(), new RegExp(`^# TYPE ${name} ${type}$`, "m"));
  });
}

void test("scrape-time callbacks and recorded values appear in the exposition", async () => {
  let active = 3;
  const m = createConvergeMetrics({ devicesByCondition: () => ({ converged: 250, faulted: 2 }), activeSessions: () => active });
  m.informs.inc({ event: "6 CONNECTION REQUEST" });
  m.sessions.inc({ outcome: "converged" });
  m.rpcs.inc({ method: "SetParameterValues" }, 2);
  m.cpeFaults.inc({ code: "9007" });
  m.sessionDuration.observe({}, 0.3);
  m.connectionRequests.inc({ outcome: "ok" });
  m.sessionsShed.inc();
  m.policyReloadFailures.inc();
  m.setPolicyRevision("a1b2c3d");
  m.setPolicyRevision("e4f5a6b");
  const out = await m.render();
  for (const line of [
    'converge_informs_total{event="6 CONNECTION REQUEST"} 1',
    'converge_sessions_total{outcome="converged"} 1',
    'converge_rpcs_total{method="SetParameterValues"} 2',
    'converge_cpe_faults_total{code="9007"} 1',
    'converge_session_duration_seconds_bucket{le="0.25"} 0',
    'converge_session_duration_seconds_bucket{le="0.5"} 1',
    "converge_session_duration_seconds_count 1",
    'converge_devices{condition="converged"} 250',
    'converge_devices_flagged{condition="faulted"} 2',
    'converge_policy_revision_info{revision="e4f5a6b"} 1',
    "converge_policy_reload_failures_total 1",
    'converge_connection_requests_total{outcome="ok"} 1',
    "converge_sessions_shed_total 1",
    "converge_active_sessions 3",
  ]) {
    assert.ok(out.split("\n").includes(line), `missing line: ${line}`);
  }
  assert.doesNotMatch(out, /a1b2c3d/, "only the current revision is exposed");
  active = 0;
  assert.match(await m.render(), /^converge_active_sessions 0$/m);
});

void test("every non-comment line parses as name{labels} value", async () => {
  const m = createConvergeMetrics({ devicesByCondition: () => ({ pending: 1 }) });
  m.informs.inc({ event: 'X_VENDOR "quoted"\nevent' });
  const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? (-?[0-9.e+]+|[+-]Inf|NaN)$/;
  for (const line of (await m.render()).trimEnd().split("\n")) {
    if (!line.startsWith("#")) assert.match(line, SAMPLE);
  }
  assert.equal(EXPOSITION_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
});

/** Evaluates `sum(<metric>{condition="<c>"}) / sum(<metric>)` over an exposition, as Prometheus would. */
function share(exposition: string, metric: string, condition: string): number {
  let part = 0;
  let all = 0;
  for (const line of exposition.split("\n")) {
    const m = /^([a-z_]+)\{condition="([a-z_]+)"\} (\d+)$/.exec(line);
    if (!m || m[1] !== metric) continue;
    all += Number(m[3]);
    if (m[2] === condition) part += Number(m[3]);
  }
  return part / all;
}

void test("the documented PromQL for the converged share is right: converge_devices is a partition, flags are apart", async () => {
  // The store's counts for 100 devices: 63 converged, 30 not, 7 without a status; flags overlap with those.
  const counts = { converged: 63, not_converged: 30, unknown: 7, drifted: 12, faulted: 9, pending: 15 };
  const out = await createConvergeMetrics({ devicesByCondition: () => counts }).render();
  // docs/operations.md: sum(converge_devices{condition="converged"}) / sum(converge_devices)
  const documented = /sum\(converge_devices\{condition="converged"\}\) \/ sum\(converge_devices\)/;
  const { readFileSync } = await import("node:fs");
  assert.match(readFileSync(new URL("../../docs/operations.md", import.meta.url), "utf8"), documented);
  assert.equal(share(out, "converge_devices", "converged"), 0.63);
  assert.equal(share(out, "converge_devices_flagged", "faulted"), 9 / 36, "flags live in their own metric");
  assert.doesNotMatch(out, /^converge_devices\{condition="(drifted|faulted|pending)"\}/m);
});

void test("the server's registry carries prom-client's default process and event-loop metrics beside Converge's", async () => {
  const out = await createConvergeMetrics({ processMetrics: true }).render();
  for (const [name, type] of [
    ["process_cpu_seconds_total", "counter"],
    ["process_resident_memory_bytes", "gauge"],
    ["nodejs_eventloop_lag_seconds", "gauge"],
    ["nodejs_heap_size_used_bytes", "gauge"],
    ["nodejs_gc_duration_seconds", "histogram"],
    ...NAMES,
  ] as const)
    assert.match(out, new RegExp(`^# TYPE ${name} ${type}$`, "m"));
  assert.doesNotMatch(await createConvergeMetrics().render(), /^# TYPE process_/m, "off unless asked for");
});
