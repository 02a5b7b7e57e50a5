/**
 * Chooses what the ACS sends next: operator tasks first (oldest first), then the reconciler's head step.
 * When nothing is left the session ends (empty 204) and the device status is written.
 */
import { plan } from "../reconcile/plan.js";
import { requestFor } from "../reconcile/rpc.js";
import { withAddIntent } from "../reconcile/add-intents.js";
import { FIRMWARE_ISSUED_KEY, REBOOT_ISSUED_KEY } from "../reconcile/firmware.js";
import { nextBackoff } from "../reconcile/limits.js";
import { statusFrom, statusJson } from "../reconcile/status.js";
import type { Plan } from "../reconcile/types.js";
import type { SessionOutcome } from "../domain/faults.js";
import type { StoreWrite } from "../domain/store.js";
import { endWithFault } from "./end.js";
import type { Outstanding, SessionConfig, SessionState, StepResult } from "./types.js";

function send(state: SessionState, o: Omit<Outstanding, "id">, cfg: SessionConfig, extra: Partial<SessionState>): StepResult {
  const id = `acs-${state.nextId}`;
  return {
    // Object.assign: a spread followed by keys it lacks (the request's `id`) costs V8 ~1 µs per key (Node 20).
    state: Object.assign({}, state, extra, { outstanding: Object.assign({}, o, { id }), rpcCount: state.rpcCount + 1, nextId: state.nextId + 1 }),
    reply: { kind: "message", message: o.request, id, holdRequests: cfg.holdRequests },
    writes: [],
  };
}

function planFor(state: SessionState, cfg: SessionConfig, now: number): Plan | undefined {
  const rec = state.reconcile;
  if (!rec) return undefined;
  return plan({
    desired: rec.desired,
    reported: rec.reported,
    inventory: rec.inventory,
    now,
    limits: cfg.limits,
    quirks: cfg.quirks,
    hashWriteOnly: cfg.hashWriteOnly,
  });
}

/** Ends the session normally, writing the device status computed from the last plan. */
function finish(state: SessionState, last: Plan | undefined, now: number, outcome: SessionOutcome): StepResult {
  const writes: StoreWrite[] = [];
  const rec = state.reconcile;
  if (rec && last) {
    const status = statusFrom(last, rec.desired, state.faults, state.previousStatus, now);
    // An unchanged status (the converged device's periodic visit) writes nothing at all.
    const previous = state.previousStatus === undefined ? undefined : statusJson(state.previousStatus);
    if (statusJson(status) !== previous) writes.push({ kind: "status", status });
  }
  const converged = rec && last ? { converged: last.converged } : {};
  // Object.assign: a spread followed by a key it lacks (`converged`) costs V8 ~1 µs (Node 20).
  return { state: Object.assign({}, state, converged, { phase: "ended" as const, outstanding: undefined, outcome }), reply: { kind: "end" }, writes };
}

/** Picks the next ACS request, or ends the session. Bounded by maxRpcsPerSession and maxReplanRounds. */
export function chooseNext(state: SessionState, cfg: SessionConfig, now: number): StepResult {
  const [task, ...rest] = state.tasks;
  const overRpcs = state.rpcCount >= cfg.limits.maxRpcsPerSession;
  if (task) {
    if (overRpcs) return endWithFault(state, "too_many_rpcs", `more than ${cfg.limits.maxRpcsPerSession} RPCs in one session`, now);
    return send(state, { request: task.request, origin: { kind: "task", taskId: task.id } }, cfg, { tasks: rest });
  }
  const p = planFor(state, cfg, now);
  const head = p?.steps[0];
  if (!p || !head) return finish(state, p, now, "ok");
  if (overRpcs) {
    const ended = endWithFault(state, "too_many_rpcs", `more than ${cfg.limits.maxRpcsPerSession} RPCs in one session`, now);
    const fin = finish(ended.state, p, now, ended.state.outcome ?? "fault:too_many_rpcs");
    return { ...fin, writes: [...ended.writes, ...fin.writes] };
  }
  if (state.planRounds >= cfg.limits.maxReplanRounds) {
    const ended = endWithFault(state, "not_converging", `still ${p.steps.length} steps after ${state.planRounds} rounds`, now);
    const fin = finish(ended.state, p, now, ended.state.outcome ?? "fault:not_converging");
    return { ...fin, writes: [...ended.writes, ...fin.writes] };
  }
  const request = requestFor(head, p.parameterKey, cfg.quirks);
  if (head.kind === "addObject" && state.reconcile) {
    // Write-ahead (issue 10.5): the intent commits with this step, before the AddObject leaves; a crash or a lost
    // answer is reconciled on the next enumeration of the table instead of leaving an orphan instance.
    const { intent, inventory } = withAddIntent(state.reconcile.inventory, state.reconcile.reported, head, now);
    const sent = send(state, { request, origin: { kind: "plan", step: head } }, cfg, {
      planRounds: state.planRounds + 1,
      reconcile: { ...state.reconcile, inventory },
    });
    return { ...sent, writes: [{ kind: "addIntent", intent }] };
  }
  if (head.kind === "reboot" && state.reconcile) {
    // One Reboot per backoff period, recorded before it goes out (a lost answer does not reboot the CPE again).
    const inv = state.reconcile.inventory;
    const b = nextBackoff(cfg.limits, inv.backoff.get(REBOOT_ISSUED_KEY)?.attempts ?? 0, now);
    const issued = { until: b.until, code: "issued", attempts: b.attempts };
    const sent = send(state, { request, origin: { kind: "plan", step: head } }, cfg, {
      planRounds: state.planRounds + 1,
      reconcile: { ...state.reconcile, inventory: { ...inv, backoff: new Map(inv.backoff).set(REBOOT_ISSUED_KEY, issued) } },
    });
    return { ...sent, writes: [{ kind: "backoff", path: REBOOT_ISSUED_KEY, ...issued }] };
  }
  if (head.kind === "download" && state.reconcile) {
    // Write-ahead too: a Download whose answer is lost is awaited (bounded by downloadTimeoutMs), never re-sent.
    const inv = state.reconcile.inventory;
    const download = { commandKey: head.commandKey, version: head.version, startedAt: now };
    const b = nextBackoff(cfg.limits, inv.backoff.get(FIRMWARE_ISSUED_KEY)?.attempts ?? 0, now);
    const issued = { until: b.until, code: "issued", attempts: b.attempts };
    const sent = send(state, { request, origin: { kind: "plan", step: head } }, cfg, {
      planRounds: state.planRounds + 1,
      reconcile: { ...state.reconcile, inventory: { ...inv, download, backoff: new Map(inv.backoff).set(FIRMWARE_ISSUED_KEY, issued) } },
    });
    return {
      ...sent,
      writes: [
        { kind: "download", download },
        { kind: "backoff", path: FIRMWARE_ISSUED_KEY, ...issued },
      ],
    };
  }
  return send(state, { request, origin: { kind: "plan", step: head } }, cfg, { planRounds: state.planRounds + 1 });
}
