import test from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { mapLimit } from "../../src/plan/api-source.js";

interface Row {
  readonly name: string;
  readonly items: readonly number[];
  readonly limit: number;
  /** Delay per item (ms): later items finishing first must not reorder the results. */
  readonly delay: (n: number) => number;
}

const ROWS: readonly Row[] = [
  { name: "no items", items: [], limit: 8, delay: () => 0 },
  { name: "fewer items than the limit", items: [1, 2, 3], limit: 8, delay: (n) => 10 - n },
  { name: "many items, limit 8, reverse finishing order", items: Array.from({ length: 40 }, (_, i) => i), limit: 8, delay: (n) => 40 - n },
  { name: "limit 1 is sequential", items: [5, 6, 7], limit: 1, delay: () => 1 },
];

for (const row of ROWS) {
  void test(`mapLimit: ${row.name}: results in input order, never more than the limit in flight`, async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit(row.items, row.limit, async (n) => {
      peak = Math.max(peak, ++inFlight);
      await sleep(row.delay(n));
      inFlight--;
      return n * 2;
    });
    assert.deepEqual(
      out,
      row.items.map((n) => n * 2),
    );
    assert.ok(peak <= row.limit, `peak ${peak} > ${row.limit}`);
    if (row.items.length >= row.limit) assert.equal(peak, row.limit, "uses the allowed concurrency");
  });
}

void test("mapLimit: a failure rejects the whole map", async () => {
  await assert.rejects(
    mapLimit([1, 2, 3], 2, async (n) => (n === 2 ? Promise.reject(new Error("boom")) : n)),
    /boom/,
  );
});
