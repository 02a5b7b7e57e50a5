import { test } from "node:test";
import assert from "node:assert/strict";
import { maskUrl, parseStoreTarget } from "../../src/store/target.js";
import { buildConfig } from "../../src/config/config.js";

const CASES: readonly { readonly value: string; readonly kind: "sqlite" | "postgres" | "refused" }[] = [
  { value: "./data/converge.db", kind: "sqlite" },
  { value: "/var/lib/converge/converge.db", kind: "sqlite" },
  { value: ":memory:", kind: "sqlite" },
  { value: "C:\\converge\\converge.db", kind: "sqlite" },
  { value: "data/postgres:weird.db", kind: "sqlite" },
  { value: "postgres://converge@127.0.0.1:5432/converge", kind: "postgres" },
  { value: "postgresql://u:p@db.internal/converge?sslmode=require", kind: "postgres" },
  { value: "POSTGRES://u@127.0.0.1/c", kind: "postgres" },
  { value: "mysql://u:p@127.0.0.1/converge", kind: "refused" },
  { value: "http://127.0.0.1/db", kind: "refused" },
  { value: "sqlite:///var/lib/converge.db", kind: "refused" },
  { value: "file:///var/lib/converge.db", kind: "refused" },
  { value: "postgres:///converge", kind: "refused" },
];

for (const c of CASES) {
  test(`store target ${c.value}: ${c.kind}`, () => {
    const r = parseStoreTarget(c.value);
    if (c.kind === "refused") {
      assert.equal(r.ok, false);
      if (!r.ok) assert.doesNotMatch(r.error, /:p@/, "no password in the message");
      return;
    }
    assert.ok(r.ok, r.ok ? "" : r.error);
    assert.equal(r.value.kind, c.kind);
  });
}

test("an unsupported scheme says what is accepted", () => {
  const r = parseStoreTarget("mysql://root:hunter2@127.0.0.1/converge");
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.match(r.error, /unsupported scheme "mysql:\/\/"/);
  assert.match(r.error, /postgres:\/\/ .*file path/);
  assert.doesNotMatch(r.error, /hunter2/);
});

test("maskUrl hides the password only", () => {
  assert.equal(maskUrl("postgres://conv:s3cret@127.0.0.1:5432/converge"), "postgres://conv:***@127.0.0.1:5432/converge");
  assert.equal(maskUrl("postgres://conv@127.0.0.1/converge"), "postgres://conv@127.0.0.1/converge");
  assert.equal(maskUrl("./data/converge.db"), "./data/converge.db");
  assert.doesNotMatch(maskUrl("postgres://conv:p%40ss@[bad/x"), /p%40ss/);
});

test("config: CONVERGE_DB, else the file's store.url, else its db; a refused scheme fails start-up without the password", () => {
  const pg = "postgres://conv:s3cret@127.0.0.1:5432/converge";
  const fromFile = buildConfig({}, `store: { url: "${pg}", poolSize: 4 }\n`);
  assert.ok(fromFile.ok);
  assert.equal(fromFile.value.db, pg);
  assert.equal(fromFile.value.store.poolSize, 4);
  const legacy = buildConfig({}, "db: /tmp/legacy.db\n");
  assert.ok(legacy.ok);
  assert.equal(legacy.value.db, "/tmp/legacy.db");
  assert.equal(legacy.value.store.poolSize, 10);
  const both = buildConfig({}, `db: /tmp/legacy.db\nstore: { url: "${pg}" }\n`);
  assert.ok(both.ok);
  assert.equal(both.value.db, pg, "store.url wins over the older db key");
  const env = buildConfig({ CONVERGE_DB: "/tmp/env.db", CONVERGE_DB_POOL_SIZE: "7" }, `store: { url: "${pg}" }\n`);
  assert.ok(env.ok);
  assert.equal(env.value.db, "/tmp/env.db");
  assert.equal(env.value.store.poolSize, 7);
  const bad = buildConfig({ CONVERGE_DB: "mysql://root:hunter2@127.0.0.1/converge" }, undefined);
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.match(bad.error.join("\n"), /unsupported scheme/);
    assert.doesNotMatch(bad.error.join("\n"), /hunter2/);
  }
});
