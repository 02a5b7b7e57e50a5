/** Metrics wiring: CWMP hooks feed the Prometheus registry; gauges are read at scrape time. */
import { createConvergeMetrics, type ConvergeMetrics } from "../metrics/converge-metrics.js";
import type { Store } from "../domain/store.js";
import type { CwmpHooks } from "./cwmp-deps.js";
import type { PolicySource } from "../policy/source.js";

export interface Observability {
  readonly metrics: ConvergeMetrics;
  readonly hooks: CwmpHooks;
  connectionRequest(outcome: string): void;
  reloadFailed(): void;
  render(): Promise<string>;
}

/** The session outcome label: "ok" sessions split by whether the device ended converged. */
function outcomeLabel(outcome: string, converged: boolean | undefined): string {
  if (outcome !== "ok") return outcome.replace(/^fault:/, "");
  return converged === false ? "not_converged" : "ok";
}

export function createObservability(store: Store, policies: Pick<PolicySource, "current">, activeSessions: () => number = () => 0): Observability {
  // Counted at scrape time: read from the store (asynchronously) just before the registry renders.
  let byCondition: Readonly<Record<string, number>> = {};
  const metrics = createConvergeMetrics({ devicesByCondition: () => byCondition, activeSessions, processMetrics: true });
  let lastRevision: string | undefined;
  const fastPath = metrics.registry.counter({
    name: "converge_fast_path_sessions_total",
    help: "Sessions of converged devices answered without loading state or planning (see docs/ARCHITECTURE.md).",
  });
  const refusals = metrics.registry.counter<"reason">({
    name: "converge_cwmp_refusals_total",
    help: "Requests refused at the CWMP port, by reason (authentication, admission, bad message, framework errors).",
    labelNames: ["reason"],
    maxSeries: 40,
  });
  const hooks: CwmpHooks = {
    onRefusal: (reason) => refusals.inc({ reason }),
    onInform(facts) {
      for (const e of facts.events) metrics.informs.inc({ event: e.code });
    },
    onRpc: (method) => metrics.rpcs.inc({ method }),
    onCpeFault: (code) => metrics.cpeFaults.inc({ code }),
    onShed: () => metrics.sessionsShed.inc(),
    onSessionEnd(s) {
      metrics.sessions.inc({ outcome: outcomeLabel(s.outcome, s.converged) });
      metrics.sessionDuration.observe({}, s.durationMs / 1000);
      if (s.fast) fastPath.inc();
    },
  };
  return {
    metrics,
    hooks,
    connectionRequest: (outcome) => metrics.connectionRequests.inc({ outcome }),
    reloadFailed: () => metrics.policyReloadFailures.inc(),
    async render() {
      byCondition = await store.countByCondition();
      const revision = policies.current()?.revision;
      if (revision !== undefined && revision !== lastRevision) {
        metrics.setPolicyRevision(revision);
        lastRevision = revision;
      }
      return metrics.render();
    },
  };
}
