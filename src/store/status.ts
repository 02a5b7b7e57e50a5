import type { ConditionType, DeviceStatus } from "../domain/status.js";
import { statusJson } from "../reconcile/status.js";

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
    status: statusJson(status),
    applied_revision: status.appliedRevision ?? null,
    attempted_revision: status.attemptedRevision ?? null,
    c_matched: flag("Matched"),
    c_converged: flag("Converged"),
    c_drifted: flag("Drifted"),
    c_faulted: flag("Faulted"),
    c_pending: flag("Pending"),
  };
}

/** The status columns of the devices row, in the order an UPDATE sets them. Closed set: safe to splice into SQL. */
export const STATUS_COLUMNS = [
  "status",
  "applied_revision",
  "attempted_revision",
  "c_matched",
  "c_converged",
  "c_drifted",
  "c_faulted",
  "c_pending",
] as const satisfies readonly (keyof StatusColumns)[];

/**
 * An UPDATE of only `columns` (a subset of STATUS_COLUMNS). SQLite rewrites the index entries of every column an
 * UPDATE sets, changed or not, and each dirty page is a WAL frame: a status whose conditions did not move sets
 * no condition column, so none of the five condition indexes is touched.
 */
export function updateStatusSql(columns: readonly (typeof STATUS_COLUMNS)[number][]): string {
  return `UPDATE devices SET ${columns.map((c) => `${c} = @${c}`).join(", ")} WHERE dev = @dev`;
}
