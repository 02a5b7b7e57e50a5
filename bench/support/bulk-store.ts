/**
 * Writes a large store fast for benchmarks 4 and 5 (issue 16: a million devices): each new device's Inform goes
 * through the real pure Inform step (`applyInform`, the writes the endpoint would commit), its device row through
 * the store's own devices repository, and its reported values through the store's own value encoding
 * (value-codec.ts) in multi-row INSERTs, many devices per transaction. What a bulk-written device reads back is
 * held to what the Store API writes for the same Inform (test/integration/bulk-store.test.ts), so this cannot
 * drift from the real format.
 *
 * `replicate` grows such a store to a million devices in SQL alone (issue 16: the JavaScript writer takes half an
 * hour for a million): device `i` of the first `base` is copied as device `i + k * base` with its serial's index
 * rewritten, everything that carries the serial with it (device id, connection request URL, reported values), the
 * rows in key order. The same test holds a replicated store to one written device by device.
 */
import type { DeviceLoad, InformFacts } from "../../src/domain/store.js";
import { applyInform } from "../../src/session/inform.js";
import { openDatabase, type Database } from "../../src/store/db.js";
import { devicesRepo } from "../../src/store/devices.js";
import { EMPTY_INVENTORY } from "../../src/store/inventory.js";
import { pathIds } from "../../src/store/paths.js";
import { PACK_ABOVE, packValue, typeBits } from "../../src/store/value-codec.js";

const ROWS_PER_INSERT = 100;
const DEVICES_PER_TRANSACTION = 5000;

const NEW: DeviceLoad = {
  record: undefined,
  reported: { params: new Map(), objects: new Map(), discovered: new Map(), parameterKey: "", softwareVersion: "", names: new Map() },
  inventory: EMPTY_INVENTORY,
  tasks: [],
  secrets: new Map(),
};

type Row = [number, number, string | Buffer, number, number];

/** packValue, remembered for long values (the models' logs and capability lists repeat across the fleet). */
const packs = new Map<string, string | Buffer>();
function packed(v: string): string | Buffer {
  if (v.length <= PACK_ABOVE) return v;
  let p = packs.get(v);
  if (p === undefined) {
    if (packs.size > 10_000) packs.clear();
    packs.set(v, (p = packValue(v)));
  }
  return p;
}

/** Records `count` new devices' Informs (`factsOf(i)`, at `now`) into the SQLite file at `file`. */
export function bulkWrite(file: string, count: number, factsOf: (i: number) => InformFacts, now: number, progress?: (done: number) => void): void {
  const db = openDatabase(file);
  try {
    db.pragma("synchronous = OFF"); // a fixture: rebuilt if the machine crashes mid-way
    db.pragma("foreign_keys = OFF"); // every row's device is inserted just before it: no parent lookup per row
    db.pragma("cache_size = -262144"); // 256 MiB of page cache: the index pages of the devices stay hot
    const devices = devicesRepo(db);
    const paths = pathIds(db);
    const many = db.prepare(
      `INSERT INTO reported (dev, path_id, value, flags, observed_at) VALUES ${Array(ROWS_PER_INSERT).fill("(?, ?, ?, ?, ?)").join(", ")}`,
    );
    const one = db.prepare<Row>("INSERT INTO reported (dev, path_id, value, flags, observed_at) VALUES (?, ?, ?, ?, ?)");
    const pending: Row[] = [];
    const drain = (all: boolean): void => {
      while (pending.length >= ROWS_PER_INSERT) many.run(pending.splice(0, ROWS_PER_INSERT).flat());
      if (all) for (const r of pending.splice(0)) one.run(...r);
    };
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const { writes } = applyInform(factsOf(i), NEW, now);
        let dev: number | undefined;
        for (const w of writes) {
          if (w.kind === "inform") dev = devices.upsertFacts(w.facts, w.events, w.at, w.booted).dev;
          else if (w.kind === "reported" && dev !== undefined) {
            // In key order: every row lands at the right edge of the (dev, path_id) b-tree.
            const rows = w.params.map((p): Row => [dev as number, paths.intern(p.path), packed(p.value), typeBits(p.type), w.observedAt]);
            pending.push(...rows.sort((a, b) => a[1] - b[1]));
            drain(false);
          } else throw new Error(`bulk store: a new device's Inform wrote ${w.kind}, which this fixture does not write`);
        }
      }
      drain(true);
    });
    for (let from = 0; from < count; from += DEVICES_PER_TRANSACTION) {
      batch(from, Math.min(count, from + DEVICES_PER_TRANSACTION));
      paths.commit();
      progress?.(Math.min(count, from + DEVICES_PER_TRANSACTION));
    }
  } finally {
    closeQuietly(db);
  }
}

/**
 * Grows a store written by `bulkWrite` from its `base` devices (dev 1..base, device index = dev - 1, serials
 * ending in the index on `digits` digits, as `fleetSerial` makes them) to `count`: device j >= base is device
 * j % base with the serial of index j. `base` must be a multiple of the model rotation (the caller's `factsOf`
 * picks model i % models), so device j's model is the one bulkWrite would have given it.
 */
export function replicate(file: string, base: number, count: number, digits: number, progress?: (done: number) => void): void {
  const db = openDatabase(file);
  try {
    db.pragma("synchronous = OFF");
    db.pragma("foreign_keys = OFF");
    db.pragma("cache_size = -262144");
    const span = db.prepare<[], { n: number; lo: number; hi: number }>("SELECT count(*) AS n, min(dev) AS lo, max(dev) AS hi FROM devices").get();
    if (span?.n !== base || span.lo !== 1 || span.hi !== base) throw new Error(`replicate: the store holds ${JSON.stringify(span)}, not devices 1..${base}`);
    const columns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('devices') ORDER BY cid")
      .all()
      .map((c) => c.name);
    // The serial of index (dev - 1 + @off): the source serial with its last `digits` characters replaced.
    const serialOf = (dev: string, serial: string): string =>
      `substr(${serial}, 1, length(${serial}) - ${digits}) || substr('${"0".repeat(digits)}' || (${dev} - 1 + CAST(@off AS INTEGER)), -${digits})`;
    const select = columns.map((c) => {
      const fresh = serialOf("dev", "serial");
      if (c === "dev") return "dev + CAST(@off AS INTEGER)";
      if (c === "id") return `substr(id, 1, length(id) - length(serial)) || ${fresh}`;
      if (c === "serial") return fresh;
      return `CASE WHEN instr(${c}, serial) > 0 THEN replace(${c}, serial, ${fresh}) ELSE ${c} END`;
    });
    const devices = db.prepare(`INSERT INTO devices (${columns.join(", ")}) SELECT ${select.join(", ")} FROM devices WHERE dev <= @last ORDER BY dev`);
    // Reported values: the serials of the fleet share their prefix (the first device's), so no join per row.
    const fresh = serialOf("r.dev", "@serial");
    const oldSerial = `substr(@serial, 1, length(@serial) - ${digits}) || substr('${"0".repeat(digits)}' || (r.dev - 1), -${digits})`;
    const reported = db.prepare(
      `INSERT INTO reported (dev, path_id, value, flags, observed_at)
       SELECT r.dev + CAST(@off AS INTEGER), r.path_id,
              CASE WHEN typeof(r.value) = 'text' AND instr(r.value, ${oldSerial}) > 0 THEN replace(r.value, ${oldSerial}, ${fresh}) ELSE r.value END,
              r.flags, r.observed_at
       FROM reported r WHERE r.dev <= @last ORDER BY r.dev, r.path_id`,
    );
    const first = db.prepare<[], string>("SELECT serial FROM devices WHERE dev = 1").pluck().get() ?? "";
    const copy = db.transaction((off: number, last: number) => {
      devices.run({ off, last });
      reported.run({ off, last, serial: first });
    });
    for (let off = base; off < count; off += base) {
      copy(off, Math.min(base, count - off));
      progress?.(Math.min(count, off + base));
    }
  } finally {
    closeQuietly(db);
  }
}

function closeQuietly(db: Database): void {
  db.pragma("optimize");
  db.close();
}
