import { sql as initial } from "./001-initial.js";
import { sql as sessionMemory } from "./002-session-memory.js";
import { sql as keyedWriteOnly } from "./003-keyed-write-only-hashes.js";
import { sql as search } from "./004-search.js";
import { sql as rollouts } from "./005-rollouts.js";
import { sql as loopMemory } from "./006-loop-memory.js";
import { sql as compactReported } from "./007-compact-reported.js";
import { sql as fewerDeviceIndexes } from "./008-fewer-device-indexes.js";
import { sql as deviceMirrorIndexes } from "./009-device-mirror-indexes.js";

export interface Migration {
  /** The `PRAGMA user_version` the database has once this migration is applied. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration, in order. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial", sql: initial },
  { version: 2, name: "session-memory", sql: sessionMemory },
  { version: 3, name: "keyed-write-only-hashes", sql: keyedWriteOnly },
  { version: 4, name: "search", sql: search },
  { version: 5, name: "rollouts", sql: rollouts },
  { version: 6, name: "loop-memory", sql: loopMemory },
  { version: 7, name: "compact-reported", sql: compactReported },
  { version: 8, name: "fewer-device-indexes", sql: fewerDeviceIndexes },
  { version: 9, name: "device-mirror-indexes", sql: deviceMirrorIndexes },
];
