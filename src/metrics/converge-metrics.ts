import { createRegistry, type Counter, type Gauge, type Histogram, type Registry } from "./registry.js";

/** Seconds; CWMP sessions run from well under a second (Inform only) to minutes (firmware, big trees). */
export const SESSION_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;

export interface ConvergeMetricsOptions {
  /** Devices per condition (converged, drifted, faulted, pending, ...), read at scrape time. */
  readonly devicesByCondition?: () => Readonly<Record<string, number>>;
  /** Sessions in progress, read at scrape time. */
  readonly activeSessions?: () => number;
  /** prom-client's default process and event-loop metrics too (the server's registry; off in most tests). */
  readonly processMetrics?: boolean;
}

export interface ConvergeMetrics {
  readonly registry: Registry;
  /** One per Inform, per event code (`0 BOOTSTRAP`, `2 PERIODIC`, `M Reboot`...). */
  readonly informs: Counter<"event">;
  /** One per ended session: converged, fault, cpe_fault, timeout, auth_failed, ... */
  readonly sessions: Counter<"outcome">;
  readonly rpcs: Counter<"method">;
  /** CWMP fault codes the CPEs returned (9001..9019, vendor 98xx). */
  readonly cpeFaults: Counter<"code">;
  readonly sessionDuration: Histogram<never>;
  /** A partition of the fleet: converged, not_converged, unknown (no status yet); sums to the fleet size. */
  readonly devices: Gauge<"condition">;
  /** Overlapping flags: drifted, faulted, pending (a device may carry several, or none). */
  readonly devicesFlagged: Gauge<"condition">;
  readonly policyRevision: Gauge<"revision">;
  readonly policyReloadFailures: Counter<never>;
  /** ok, auth_failed, unreachable, timeout, busy, http_error, udp_sent, ... */
  readonly connectionRequests: Counter<"outcome">;
  /** Sessions refused with 503 because the server was at capacity. */
  readonly sessionsShed: Counter<never>;
  readonly activeSessions: Gauge<never>;
  /** Marks `revision` as the loaded policy revision (the only series of the info metric). */
  setPolicyRevision(revision: string): void;
  render(): Promise<string>;
}

/** Converge's metrics, each with bounded label cardinality (extra label sets fold into "other"). */
export function createConvergeMetrics(opts: ConvergeMetricsOptions = {}): ConvergeMetrics {
  const r = createRegistry({ processMetrics: opts.processMetrics === true });
  const { activeSessions } = opts;
  const policyRevision = r.gauge({
    name: "converge_policy_revision_info",
    help: "The policy revision in force (value is always 1).",
    labelNames: ["revision"],
    maxSeries: 1,
  });
  const m: ConvergeMetrics = {
    registry: r,
    informs: r.counter({ name: "converge_informs_total", help: "Informs received, by event code.", labelNames: ["event"], maxSeries: 50 }),
    sessions: r.counter({ name: "converge_sessions_total", help: "CWMP sessions ended, by outcome.", labelNames: ["outcome"], maxSeries: 20 }),
    rpcs: r.counter({ name: "converge_rpcs_total", help: "RPCs sent to CPEs, by method.", labelNames: ["method"], maxSeries: 30 }),
    cpeFaults: r.counter({ name: "converge_cpe_faults_total", help: "CWMP faults returned by CPEs, by fault code.", labelNames: ["code"], maxSeries: 50 }),
    sessionDuration: r.histogram({
      name: "converge_session_duration_seconds",
      help: "Duration of CWMP sessions, Inform to end.",
      buckets: SESSION_DURATION_BUCKETS,
    }),
    devices: r.gauge({
      name: "converge_devices",
      help: "Known devices by convergence: converged, not_converged, unknown (a partition: the series sum to the fleet).",
      labelNames: ["condition"],
      maxSeries: 20,
      ...(opts.devicesByCondition ? { collect: collectDevices(opts.devicesByCondition, true) } : {}),
    }),
    devicesFlagged: r.gauge({
      name: "converge_devices_flagged",
      help: "Devices carrying a flag: drifted, faulted, pending (flags overlap; do not sum them).",
      labelNames: ["condition"],
      maxSeries: 20,
      ...(opts.devicesByCondition ? { collect: collectDevices(opts.devicesByCondition, false) } : {}),
    }),
    policyRevision,
    policyReloadFailures: r.counter({ name: "converge_policy_reload_failures_total", help: "Policy reloads rejected (the previous revision stays in force)." }),
    connectionRequests: r.counter({
      name: "converge_connection_requests_total",
      help: "Connection requests sent, by outcome.",
      labelNames: ["outcome"],
      maxSeries: 20,
    }),
    sessionsShed: r.counter({ name: "converge_sessions_shed_total", help: "CPE requests refused with 503 because the ACS was at capacity." }),
    activeSessions: r.gauge({
      name: "converge_active_sessions",
      help: "CWMP sessions in progress.",
      ...(activeSessions ? { collect: (g: Gauge<never>) => g.set({}, activeSessions()) } : {}),
    }),
    setPolicyRevision(revision) {
      policyRevision.reset();
      policyRevision.set({ revision }, 1);
    },
    render: () => r.render(),
  };
  return m;
}

/** The conditions of `converge_devices`: every device is in exactly one. The rest are flags. */
export const DEVICE_PARTITION: readonly string[] = ["converged", "not_converged", "unknown"];

function collectDevices(read: () => Readonly<Record<string, number>>, partition: boolean): (g: Gauge<"condition">) => void {
  return (g) => {
    for (const [condition, n] of Object.entries(read())) if (DEVICE_PARTITION.includes(condition) === partition) g.set({ condition }, n);
  };
}
