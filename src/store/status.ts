import type { ConditionType, DeviceStatus } from "../domain/status.js";

/** The devices column that mirrors each condition's status, for indexed filtering. Closed set: safe to splice into SQL. */
export const CONDITION_COLUMN: Readonly<Record<ConditionType, string>> = {
  Matched: "c_matched",
  Converged: "c_converged",
  Drifted: "c_drifted",
  Faulted: "c_faulted",
  Pending: "c_pending",
};

export interface StatusColumns {
  readonly status: string;
  readonly applied_revision: string | null;
  readonly attempted_revision: string | null;
  readonly c_matched: number | null;
  readonly c_converged: number | null;
  readonly c_drifted: number | null;
  readonly c_faulted: number | null;
  readonly c_pending: number | null;
}

/** Maps a status to its row columns: the JSON itself plus revisions and one 0/1/NULL column per condition. */
export function statusColumns(status: DeviceStatus): StatusColumns {
  const flag = (type: ConditionType): number | null => {
    const c = status.conditions.find((x) => x.type === type);
    return c === undefined ? null : c.status ? 1 : 0;
  };
  return {
    status: JSON.stringify(status),
    applied_revision: status.appliedRevision ?? null,
    attempted_revision: status.attemptedRevision ?? null,
    c_matched: flag("Matched"),
    c_converged: flag("Converged"),
    c_drifted: flag("Drifted"),
    c_faulted: flag("Faulted"),
    c_pending: flag("Pending"),
  };
}

// An unchanged status (every steady-state session) matches no row and writes nothing.
export const UPDATE_STATUS_SQL = `UPDATE devices SET status = @status, applied_revision = @applied_revision,
  attempted_revision = @attempted_revision, c_matched = @c_matched, c_converged = @c_converged,
  c_drifted = @c_drifted, c_faulted = @c_faulted, c_pending = @c_pending
  WHERE dev = @dev AND status IS NOT @status`;
