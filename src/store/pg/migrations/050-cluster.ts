/**
 * PostgreSQL migration 50 (the multi-node numbers start at 50): the cluster's tables (src/cluster/pg.ts): the node
 * registry, per-device leases with state versions, kick claims, shared token buckets. Idempotent (IF NOT EXISTS),
 * so src/cluster/pg.ts also applies it on a `cluster.url` database the store's migrations never ran on.
 */
export const sql = `
CREATE TABLE IF NOT EXISTS converge_cluster_nodes (
  node text PRIMARY KEY,
  revision text,
  revision_since timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  heartbeat_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS converge_cluster_leases (
  device_id text PRIMARY KEY,
  node text,
  session text,
  expires_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  state_version bigint NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS converge_cluster_leases_node ON converge_cluster_leases (node) WHERE node IS NOT NULL;
CREATE TABLE IF NOT EXISTS converge_cluster_claims (
  key text NOT NULL,
  device_id text NOT NULL,
  node text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (key, device_id)
);
CREATE TABLE IF NOT EXISTS converge_cluster_buckets (
  name text PRIMARY KEY,
  tokens double precision NOT NULL,
  refilled_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
`;
