/**
 * Every PostgreSQL migration, in order (src/store/pg/migrate.ts applies them). Append only: a released migration
 * is never edited. Numbers 1-49 are the store's own; the multi-node tables (leases...) take 50 and up from a file
 * of their own, added to the list below. A number appears once; the list must ascend (checked at start-up).
 */
import { sql as initial } from "./001-initial.js";
import { sql as cluster } from "./050-cluster.js";
import { sql as visits } from "./060-device-visits.js";

export interface PgMigration {
  /** The row this migration leaves in `schema_migrations`. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: "initial", sql: initial },
  { version: 50, name: "cluster", sql: cluster },
  { version: 60, name: "device-visits", sql: visits },
];
