/**
 * Fencing a session step by the device's lease (issue 15, several nodes): when the store's database also holds
 * the cluster's leases (`converge_cluster_leases`, PG migration 50), `Store.apply` folds this statement into the
 * step's first one (a data-modifying CTE), so the check costs no round trip of its own. It renews the lease (or,
 * for the session's last step, gives it back) only while this node still holds it for this session; otherwise it
 * touches no row, the step's first statement sees that, and the transaction rolls back having written nothing.
 * The row lock it takes holds off another node's acquisition until the step commits: a step either commits while
 * this node holds the lease, or not at all.
 */
import type { LeaseFence } from "../../domain/store.js";

/** The CTE `fence` over the device id `$1`; its own parameters start at `$<at>`. */
export function fenceCte(at: number): string {
  const [node, session, ms, release, bump] = [at, at + 1, at + 2, at + 3, at + 4].map((i) => `$${i}`);
  return `fence AS (
  UPDATE converge_cluster_leases SET
    node = CASE WHEN ${release}::boolean THEN NULL ELSE node END,
    session = CASE WHEN ${release}::boolean THEN NULL ELSE session END,
    expires_at = clock_timestamp() + CASE WHEN ${release}::boolean THEN 0 ELSE ${ms}::bigint END * interval '1 millisecond',
    state_version = state_version + ${bump}::int
  WHERE device_id = $1 AND node = ${node}::text AND session = ${session}::text
  RETURNING 1)`;
}

/** The fence CTE's parameter values, in order. */
export function fenceValues(f: LeaseFence): readonly unknown[] {
  return [f.node, f.session, f.leaseMs, f.release === true, f.bump === true ? 1 : 0];
}
