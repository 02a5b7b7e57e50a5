import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Database } from "./db.js";
import { fromJson } from "./json.js";
import type { TranscriptEntry } from "../domain/store.js";

/** Session transcripts (whole SOAP bodies, so compressed), the newest N per device. */
export interface TranscriptsRepo {
  save(dev: number, sessionId: string, entries: readonly TranscriptEntry[], at: number): void;
  get(dev: number, sessionId: string): readonly TranscriptEntry[] | undefined;
}

export function transcriptsRepo(db: Database, keepPerDevice: number): TranscriptsRepo {
  const s = statements(db);
  return {
    save(dev, sessionId, entries, at) {
      s.upsert.run(sessionId, dev, at, deflateRawSync(JSON.stringify(entries)));
      s.prune.run({ dev, keep: keepPerDevice });
    },
    get(dev, sessionId) {
      const blob = s.get.get(sessionId, dev);
      return blob === undefined ? undefined : fromJson<TranscriptEntry[]>(inflateRawSync(blob).toString("utf8"));
    },
  };
}

function statements(db: Database) {
  return {
    // Saving the same session again replaces its entries and makes it the newest.
    upsert: db.prepare<[string, number, number, Buffer]>(
      `INSERT INTO transcripts (session_id, dev, at, entries) VALUES (?, ?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET seq = (SELECT max(seq) + 1 FROM transcripts), dev = excluded.dev,
         at = excluded.at, entries = excluded.entries`,
    ),
    prune: db.prepare<{ dev: number; keep: number }>(
      `DELETE FROM transcripts WHERE dev = @dev AND seq < (
         SELECT seq FROM transcripts WHERE dev = @dev ORDER BY seq DESC LIMIT 1 OFFSET @keep - 1)`,
    ),
    get: db.prepare<[string, number], Buffer>("SELECT entries FROM transcripts WHERE session_id = ? AND dev = ?").pluck(),
  };
}
