/** Search parameters -> store filter (store/search-query.ts): the one parser behind GET /api/devices and `converge devices`. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { filterFromQuery, parseAge, parseCondition } from "../../src/store/search-query.js";

test("ages: seconds by default, s/m/h/d units, nothing else", () => {
  const table: [string, number | undefined][] = [
    ["90", 90_000],
    ["90s", 90_000],
    ["15m", 900_000],
    ["2h", 7_200_000],
    ["7d", 604_800_000],
    ["0", 0],
    ["", undefined],
    ["h", undefined],
    ["1.5h", undefined],
    ["-1h", undefined],
    ["2w", undefined],
    ["1 h", undefined],
    ["9999999999", undefined],
    ["1e3", undefined],
  ];
  for (const [s, ms] of table) assert.equal(parseAge(s), ms, JSON.stringify(s));
});

test("conditions: Type=true|false, any case of the type; a bare type means true", () => {
  assert.deepEqual(parseCondition("Converged=false"), { type: "Converged", status: false });
  assert.deepEqual(parseCondition("faulted=true"), { type: "Faulted", status: true });
  assert.deepEqual(parseCondition("Drifted"), { type: "Drifted", status: true });
  for (const bad of ["Converged=yes", "Sleepy=true", "=true", "Converged=", "Converged=true=x"]) assert.equal(parseCondition(bad), undefined, bad);
});

test("a query becomes a filter; ages become times from the given clock", () => {
  const now = 1_000_000_000;
  const r = filterFromQuery(
    { serial: "ab", model: "EG", informedWithin: "1h", silentFor: "10m", condition: "Converged=false", param: "A.B", value: "x", tag: "" },
    now,
    { limit: 20, after: "cursor" },
  );
  assert.deepEqual(r, {
    ok: true,
    value: {
      limit: 20,
      after: "cursor",
      serial: "ab",
      model: "EG",
      condition: { type: "Converged", status: false },
      informedSince: now - 3_600_000,
      informedBefore: now - 600_000,
      reported: { path: "A.B", value: "x" },
    },
  });
  assert.deepEqual(filterFromQuery({ param: "A.B" }, now, { limit: 1 }), { ok: true, value: { limit: 1, reported: { path: "A.B" } } });
});

test("bad parameters name themselves", () => {
  const bad: [Parameters<typeof filterFromQuery>[0], RegExp][] = [
    [{ condition: "nope" }, /^condition: expected/],
    [{ informedWithin: "soon" }, /^informedWithin: expected a duration/],
    [{ silentFor: "1y" }, /^silentFor:/],
    [{ value: "x" }, /^value: needs param/],
    [{ serial: "s".repeat(257) }, /^serial: at most 256/],
    [{ param: "p".repeat(257) }, /^param\/value: at most 256/],
  ];
  for (const [q, message] of bad) {
    const r = filterFromQuery(q, 0, { limit: 1 });
    assert.equal(r.ok, false, JSON.stringify(q));
    if (!r.ok) assert.match(r.error, message);
  }
});
