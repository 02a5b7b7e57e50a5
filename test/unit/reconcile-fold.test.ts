import test from "node:test";
import assert from "node:assert/strict";
import type { CpeMessage, CwmpFault } from "../../src/cwmp/types.js";
import { fold } from "../../src/reconcile/fold.js";
import { requestFor } from "../../src/reconcile/rpc.js";
import type { Inventory, PlanStep, ReportedState } from "../../src/reconcile/types.js";
import type { StoreWrite } from "../../src/domain/store.js";
import { LIMITS, NOW, PROV, QUIRKS, inventory, reported, HASH } from "../support/reconcile-builders.js";

const KEY = "cv1-0123456789abcdef";
const T = "Device.NAT.PortMapping.";
const BASE = LIMITS.backoffBaseMs;

type Out = ReturnType<typeof fold>;

function run(step: PlanStep, response: CpeMessage, r: ReportedState = reported(), inv: Inventory = inventory()): Out {
  const state = { reported: r, inventory: inv };
  const before = structuredClone(state);
  const out = fold(state, step, requestFor(step, KEY, QUIRKS), response, NOW, LIMITS, HASH);
  assert.deepStrictEqual(state, before, "fold does not mutate its input");
  return out;
}

const fault = (code: number, details: { name: string; code: number }[] = []): CpeMessage => {
  const f: CwmpFault = {
    faultCode: "Client",
    faultString: "CWMP fault",
    code,
    message: `fault ${code}`,
    setParameterValuesFaults: details.map((d) => ({ ...d, string: `bad ${d.name}` })),
  };
  return { method: "Fault", fault: f };
};
const faultWrite = (code: number, path: string, message: string, retryable = false, policy: string | undefined = undefined) =>
  ({ kind: "fault", fault: { code: `${code}` as const, message, path, policy, sessionId: undefined, retryable, at: NOW } }) as const;

void test("fold GetParameterValuesResponse: values observed now, writability and notification kept, read-back done", () => {
  const r = reported({ names: { "A.X": true }, params: { "A.Y": ["old", "xsd:string", 1, false, 2] } });
  const out = run(
    { kind: "refresh", paths: ["A.X", "A.Y"], reason: "readback" },
    {
      method: "GetParameterValuesResponse",
      parameterList: [
        { name: "A.X", value: "1", type: "xsd:int" },
        { name: "A.Y", value: "new", type: "xsd:string" },
      ],
    },
    r,
    inventory({
      readback: new Map([
        ["A.Y", "new"],
        ["A.Z", "z"],
      ]),
    }),
  );
  assert.deepStrictEqual(out.writes, [
    {
      kind: "reported",
      params: [
        { path: "A.X", value: "1", type: "xsd:int" },
        { path: "A.Y", value: "new", type: "xsd:string" },
      ],
      observedAt: NOW,
    },
  ]);
  assert.deepStrictEqual(out.faults, []);
  assert.deepStrictEqual(out.reported.params.get("A.X"), { value: "1", type: "xsd:int", writable: true, observedAt: NOW });
  assert.deepStrictEqual(out.reported.params.get("A.Y"), { value: "new", type: "xsd:string", writable: false, observedAt: NOW, notification: 2 });
  assert.equal(out.reported.names?.has("A.X"), false);
  assert.deepStrictEqual(out.inventory.readback, new Map([["A.Z", "z"]]));
});

void test("fold GetParameterValuesResponse: a read-back that differs from what the CPE accepted backs off (no set loop)", () => {
  const out = run(
    { kind: "refresh", paths: ["A.X", "A.B"], reason: "readback" },
    {
      method: "GetParameterValuesResponse",
      parameterList: [
        { name: "A.X", value: "ABC", type: "xsd:string" },
        { name: "A.B", value: "1", type: "xsd:boolean" },
      ],
    },
    reported(),
    inventory({
      readback: new Map([
        ["A.X", "abc"],
        ["A.B", "true"],
      ]),
    }),
  );
  const message = 'accepted "abc" but reads back "ABC"';
  assert.deepStrictEqual(out.writes, [
    {
      kind: "reported",
      params: [
        { path: "A.X", value: "ABC", type: "xsd:string" },
        { path: "A.B", value: "1", type: "xsd:boolean" },
      ],
      observedAt: NOW,
    },
    { kind: "backoff", path: "A.X", until: NOW + BASE, code: 9007, attempts: 1 },
    faultWrite(9007, "A.X", message),
  ]);
  assert.deepStrictEqual(out.faults, [{ code: "9007", message, path: "A.X", retryable: false }]);
  assert.deepStrictEqual(out.inventory.readback, new Map());
});

void test("fold GetParameterValuesResponse: a requested name left out backs off as 9005", () => {
  const out = run(
    { kind: "refresh", paths: ["A.X", "A.Gone"], reason: "unknown" },
    { method: "GetParameterValuesResponse", parameterList: [{ name: "A.X", value: "1", type: "xsd:int" }] },
  );
  assert.deepStrictEqual(out.writes, [
    { kind: "reported", params: [{ path: "A.X", value: "1", type: "xsd:int" }], observedAt: NOW },
    { kind: "backoff", path: "A.Gone", until: NOW + BASE, code: 9005, attempts: 1 },
    faultWrite(9005, "A.Gone", "not returned by GetParameterValues"),
  ]);
  assert.deepStrictEqual(out.inventory.backoff.get("A.Gone"), { until: NOW + BASE, code: 9005, attempts: 1 });
});

void test("fold GetParameterNamesResponse: children recorded, object discovered, vanished children forgotten", () => {
  const r = reported({ objects: [T, `${T}1.`, `${T}2.`], params: { [`${T}2.ExternalPort`]: ["80", "xsd:unsignedInt"], [`${T}Stale`]: ["x", "xsd:string"] } });
  const out = run(
    { kind: "discover", path: T, reason: "stale" },
    {
      method: "GetParameterNamesResponse",
      parameterList: [
        { name: `${T}1.`, writable: true },
        { name: `${T}3.`, writable: true },
        { name: `${T}Enable`, writable: true },
      ],
    },
    r,
    inventory({ created: new Map([[T, [2, 3]]]) }),
  );
  assert.deepStrictEqual(out.writes, [
    {
      kind: "names",
      params: [
        { path: `${T}1.`, writable: true },
        { path: `${T}3.`, writable: true },
        { path: `${T}Enable`, writable: true },
      ],
      discovered: T,
      observedAt: NOW,
    },
    { kind: "objectDeleted", path: `${T}2.` },
    { kind: "forgetPaths", paths: [`${T}Stale`] },
  ]);
  assert.deepStrictEqual([...out.reported.objects.keys()].sort(), [T, `${T}1.`, `${T}3.`]);
  assert.equal(out.reported.params.has(`${T}2.ExternalPort`), false);
  assert.deepStrictEqual(out.reported.names?.get(`${T}Enable`), { writable: true });
  assert.equal(out.reported.discovered.get(T), NOW);
  assert.deepStrictEqual(out.inventory.created, new Map([[T, [3]]]));
});

void test("fold GetParameterAttributesResponse: notification levels recorded", () => {
  const out = run(
    { kind: "readAttributes", paths: ["A.X"] },
    { method: "GetParameterAttributesResponse", parameterList: [{ name: "A.X", notification: 1, accessList: [] }] },
    reported({ params: { "A.X": ["1", "xsd:int"] } }),
  );
  assert.deepStrictEqual(out.writes, [{ kind: "attributes", params: [{ path: "A.X", notification: 1 }] }]);
  assert.equal(out.reported.params.get("A.X")?.notification, 1);
});

void test("fold SetParameterValuesResponse status 0: ParameterKey recorded, readable values to read back, write-only values hashed", () => {
  const step: PlanStep = {
    kind: "setValues",
    values: [
      { name: "A.X", value: "2", type: "xsd:int" },
      { name: "A.Pw", value: "s3cret", type: "xsd:string" },
    ],
    from: [PROV, PROV],
    writeOnly: ["A.Pw"],
  };
  const out = run(step, { method: "SetParameterValuesResponse", status: 0 }, reported({ params: { "A.X": ["1", "xsd:int"] } }));
  assert.deepStrictEqual(out.writes, [
    { kind: "parameterKey", value: KEY },
    { kind: "writeOnlyHash", path: "A.Pw", hash: HASH("s3cret") },
  ]);
  assert.deepStrictEqual(out.faults, []);
  assert.equal(out.reported.parameterKey, KEY);
  assert.deepStrictEqual(out.reported.params.get("A.X")?.value, "1", "reported holds only what the CPE said");
  assert.deepStrictEqual(out.inventory.readback, new Map([["A.X", "2"]]));
  assert.equal(out.inventory.writeOnlyHashes.get("A.Pw"), HASH("s3cret"));
  assert.equal(out.inventory.rebootPending, undefined);
});

void test("fold SetParameterValuesResponse: a drift: report value's hash is remembered and it is still read back", () => {
  const step: PlanStep = { kind: "setValues", values: [{ name: "A.X", value: "2", type: "xsd:int" }], from: [PROV], report: ["A.X"] };
  const out = run(step, { method: "SetParameterValuesResponse", status: 0 }, reported({ params: { "A.X": ["1", "xsd:int"] } }));
  assert.deepStrictEqual(out.writes, [
    { kind: "parameterKey", value: KEY },
    { kind: "writeOnlyHash", path: "A.X", hash: HASH("2") },
  ]);
  assert.deepStrictEqual(out.inventory.readback, new Map([["A.X", "2"]]));
});

void test("fold SetParameterValuesResponse status 1: a reboot is pending", () => {
  const out = run(
    { kind: "setValues", values: [{ name: "A.X", value: "2", type: "xsd:int" }], from: [PROV] },
    { method: "SetParameterValuesResponse", status: 1 },
  );
  assert.equal(out.inventory.rebootPending, true);
});

void test("fold a successful set clears an expired backoff and its faults", () => {
  const inv = inventory({ backoff: new Map([["A.X", { until: NOW - 1, code: 9007, attempts: 2 }]]) });
  const out = run(
    { kind: "setValues", values: [{ name: "A.X", value: "2", type: "xsd:int" }], from: [PROV] },
    { method: "SetParameterValuesResponse", status: 0 },
    reported(),
    inv,
  );
  assert.deepStrictEqual(out.writes, [
    { kind: "parameterKey", value: KEY },
    { kind: "clearBackoff", path: "A.X" },
    { kind: "clearFaults", paths: ["A.X"] },
  ]);
  assert.equal(out.inventory.backoff.size, 0);
});

void test("fold a successful read does not clear a refused write's backoff", () => {
  const inv = inventory({ backoff: new Map([["A.X", { until: NOW - 1, code: 9007, attempts: 2 }]]) });
  const out = run(
    { kind: "refresh", paths: ["A.X"], reason: "stale" },
    { method: "GetParameterValuesResponse", parameterList: [{ name: "A.X", value: "1", type: "xsd:int" }] },
    reported(),
    inv,
  );
  assert.equal(out.inventory.backoff.get("A.X")?.attempts, 2);
});

void test("fold SetParameterAttributesResponse: levels recorded", () => {
  const out = run(
    { kind: "setAttributes", attributes: [{ path: "A.X", notification: 2 }], from: [PROV] },
    { method: "SetParameterAttributesResponse" },
    reported({ params: { "A.X": ["1", "xsd:int"] } }),
  );
  assert.deepStrictEqual(out.writes, [{ kind: "attributes", params: [{ path: "A.X", notification: 2 }] }]);
  assert.equal(out.reported.params.get("A.X")?.notification, 2);
});

void test("fold AddObjectResponse: the instance exists, Converge created it, the ParameterKey moved", () => {
  const out = run(
    { kind: "addObject", table: T, key: { ExternalPort: "80" }, from: PROV },
    { method: "AddObjectResponse", instanceNumber: 7, status: 0 },
    reported({ objects: [T] }),
  );
  assert.deepStrictEqual(out.writes, [
    { kind: "objectAdded", path: `${T}7.`, createdByUs: true, observedAt: NOW, key: { ExternalPort: "80" } },
    { kind: "parameterKey", value: KEY },
    { kind: "backoff", path: `#added:${T}[ExternalPort=80]`, until: NOW + BASE, code: "added", attempts: 1 },
  ]);
  assert.equal(out.reported.objects.get(`${T}7.`), NOW);
  assert.deepStrictEqual(out.inventory.created, new Map([[T, [7]]]));
  assert.deepStrictEqual(out.inventory.createdKeys, new Map([[`${T}7.`, { ExternalPort: "80" }]]), "remembered with the key it was added for");
  assert.equal(out.reported.parameterKey, KEY);
});

void test("fold DeleteObjectResponse: the instance and everything beneath it are forgotten", () => {
  const r = reported({ objects: [`${T}2.`], params: { [`${T}2.ExternalPort`]: ["80", "xsd:unsignedInt"], [`${T}3.ExternalPort`]: ["81", "xsd:unsignedInt"] } });
  const out = run(
    { kind: "deleteObject", object: `${T}2.`, from: PROV },
    { method: "DeleteObjectResponse", status: 0 },
    r,
    inventory({ created: new Map([[T, [2, 3]]]) }),
  );
  assert.deepStrictEqual(out.writes, [
    { kind: "objectDeleted", path: `${T}2.` },
    { kind: "parameterKey", value: KEY },
  ]);
  assert.deepStrictEqual([...out.reported.params.keys()], [`${T}3.ExternalPort`]);
  assert.deepStrictEqual(out.inventory.created, new Map([[T, [3]]]));
});

void test("fold 9005 on DeleteObject: the instance is already gone, as wanted", () => {
  const out = run(
    { kind: "deleteObject", object: `${T}2.`, from: PROV },
    fault(9005),
    reported({ objects: [`${T}2.`] }),
    inventory({ created: new Map([[T, [2]]]) }),
  );
  assert.deepStrictEqual(out.faults, []);
  assert.deepStrictEqual(out.writes, [
    { kind: "objectDeleted", path: `${T}2.` },
    { kind: "parameterKey", value: KEY },
  ]);
  assert.equal(out.inventory.created.size, 0);
});

void test("fold DownloadResponse: the download is outstanding under its CommandKey", () => {
  const out = run(
    { kind: "download", version: "2.0", url: "u", fileSize: 1, commandKey: "fw-1", from: PROV },
    { method: "DownloadResponse", status: 1, startTime: "", completeTime: "" },
  );
  const download = { commandKey: "fw-1", version: "2.0", startedAt: NOW };
  assert.deepStrictEqual(out.writes, [{ kind: "download", download }]);
  assert.deepStrictEqual(out.inventory.download, download);
});

void test("fold RebootResponse: no reboot pending any more", () => {
  const out = run({ kind: "reboot", reason: "x", from: PROV }, { method: "RebootResponse" }, reported(), inventory({ rebootPending: true }));
  assert.equal(out.inventory.rebootPending, false);
});

// Session memory that outlives the session: reboot pending and the ParameterKeys we set. One row per behaviour.
interface MemoryRow {
  readonly name: string;
  readonly step: PlanStep;
  readonly response: CpeMessage;
  readonly before: Inventory;
  readonly rebootPending: boolean | undefined;
  readonly appliedKeys: readonly string[] | undefined;
  /** The writes of these kinds, in order (rebootPending with its flag). */
  readonly writes: readonly { readonly kind: StoreWrite["kind"]; readonly pending?: boolean }[];
}
const SPV: PlanStep = { kind: "setValues", values: [{ name: "A.X", value: "2", type: "xsd:int" }], from: [PROV] };
const ADD: PlanStep = { kind: "addObject", table: T, key: { ExternalPort: "80" }, from: PROV };
const MEMORY_ROWS: readonly MemoryRow[] = [
  {
    name: "SPV status 1 sets reboot pending and persists it",
    step: SPV,
    response: { method: "SetParameterValuesResponse", status: 1 },
    before: inventory(),
    rebootPending: true,
    appliedKeys: [KEY],
    writes: [{ kind: "parameterKey" }, { kind: "rebootPending", pending: true }],
  },
  {
    name: "SPV status 1 while a reboot is already pending writes nothing more about it",
    step: SPV,
    response: { method: "SetParameterValuesResponse", status: 1 },
    before: inventory({ rebootPending: true }),
    rebootPending: true,
    appliedKeys: [KEY],
    writes: [{ kind: "parameterKey" }],
  },
  {
    name: "SPV status 0 leaves reboot pending alone",
    step: SPV,
    response: { method: "SetParameterValuesResponse", status: 0 },
    before: inventory(),
    rebootPending: undefined,
    appliedKeys: [KEY],
    writes: [{ kind: "parameterKey" }],
  },
  {
    name: "AddObject status 1 sets reboot pending and persists it",
    step: ADD,
    response: { method: "AddObjectResponse", instanceNumber: 3, status: 1 },
    before: inventory(),
    rebootPending: true,
    appliedKeys: [KEY],
    writes: [{ kind: "objectAdded" }, { kind: "parameterKey" }, { kind: "rebootPending", pending: true }],
  },
  {
    name: "a Reboot answered clears reboot pending and persists that",
    step: { kind: "reboot", reason: "x", from: PROV },
    response: { method: "RebootResponse" },
    before: inventory({ rebootPending: true }),
    rebootPending: false,
    appliedKeys: undefined,
    writes: [{ kind: "rebootPending", pending: false }],
  },
  {
    name: "a successful set remembers its key newest last, at most 4, without duplicates",
    step: SPV,
    response: { method: "SetParameterValuesResponse", status: 0 },
    before: inventory({ appliedKeys: ["k1", KEY, "k2", "k3", "k4"] }),
    rebootPending: undefined,
    appliedKeys: ["k2", "k3", "k4", KEY],
    writes: [{ kind: "parameterKey" }],
  },
  {
    name: "a faulted set remembers no key",
    step: SPV,
    response: fault(9001),
    before: inventory({ appliedKeys: ["k1"] }),
    rebootPending: undefined,
    appliedKeys: ["k1"],
    writes: [{ kind: "backoff" }, { kind: "fault" }],
  },
];

for (const row of MEMORY_ROWS) {
  void test(`fold memory: ${row.name}`, () => {
    const out = run(row.step, row.response, reported({ objects: [T] }), row.before);
    assert.equal(out.inventory.rebootPending, row.rebootPending);
    assert.deepStrictEqual(out.inventory.appliedKeys, row.appliedKeys);
    const kinds = new Set(row.writes.map((w) => w.kind));
    const got = out.writes.filter((w) => kinds.has(w.kind)).map((w) => (w.kind === "rebootPending" ? w : { kind: w.kind }));
    assert.deepStrictEqual(got, row.writes);
    assert.equal(out.writes.filter((w) => w.kind === "rebootPending").length, row.writes.filter((w) => w.kind === "rebootPending").length);
  });
}

// Fault handling: one row per fault kind.
interface FaultRow {
  readonly name: string;
  readonly step: PlanStep;
  readonly response: CpeMessage;
  readonly inv?: Inventory;
  readonly writes: Out["writes"];
  readonly faults: Out["faults"];
  readonly backoff: Inventory["backoff"];
  readonly bisect: Inventory["bisect"];
}

const SPV3: PlanStep = {
  kind: "setValues",
  values: [
    { name: "A.X", value: "1", type: "xsd:int" },
    { name: "A.Y", value: "1", type: "xsd:int" },
    { name: "A.Z", value: "1", type: "xsd:int" },
  ],
  from: [PROV, PROV, PROV],
};
const GPV4: PlanStep = { kind: "refresh", paths: ["A.1", "A.2", "A.3", "A.4"], reason: "unknown" };

const FAULTS: readonly FaultRow[] = [
  {
    name: "8005 is retried next round, without backoff or record",
    step: SPV3,
    response: fault(8005),
    writes: [],
    faults: [{ code: "8005", message: "fault 8005", retryable: true }],
    backoff: new Map(),
    bisect: undefined,
  },
  {
    name: "SPV detail (9007, 9008): each named parameter backs off; the rest is left to replan",
    step: SPV3,
    response: fault(9003, [
      { name: "A.X", code: 9007 },
      { name: "A.Z", code: 9008 },
    ]),
    writes: [
      { kind: "backoff", path: "A.X", until: NOW + BASE, code: 9007, attempts: 1 },
      faultWrite(9007, "A.X", "bad A.X", false, "base"),
      { kind: "backoff", path: "A.Z", until: NOW + BASE, code: 9008, attempts: 1 },
      faultWrite(9008, "A.Z", "bad A.Z", false, "base"),
    ],
    faults: [
      { code: "9007", message: "bad A.X", path: "A.X", retryable: false },
      { code: "9008", message: "bad A.Z", path: "A.Z", retryable: false },
    ],
    backoff: new Map([
      ["A.X", { until: NOW + BASE, code: 9007, attempts: 1 }],
      ["A.Z", { until: NOW + BASE, code: 9008, attempts: 1 }],
    ]),
    bisect: undefined,
  },
  {
    name: "9005 without detail on a batch: bisect it",
    step: GPV4,
    response: fault(9005),
    writes: [],
    faults: [{ code: "9005", message: "fault 9005: no per-parameter detail; bisecting 4 paths", retryable: true }],
    backoff: new Map(),
    bisect: [
      ["A.1", "A.2"],
      ["A.3", "A.4"],
    ],
  },
  {
    name: "9005 on a bisected half: halve again, other groups kept",
    step: { kind: "refresh", paths: ["A.1", "A.2"], reason: "unknown" },
    response: fault(9005),
    inv: inventory({
      bisect: [
        ["A.1", "A.2"],
        ["A.3", "A.4"],
      ],
    }),
    writes: [],
    faults: [{ code: "9005", message: "fault 9005: no per-parameter detail; bisecting 2 paths", retryable: true }],
    backoff: new Map(),
    bisect: [["A.3", "A.4"], ["A.1"], ["A.2"]],
  },
  {
    name: "9005 on a single path: that path is unsupported and backs off",
    step: { kind: "refresh", paths: ["A.2"], reason: "unknown" },
    response: fault(9005),
    inv: inventory({ bisect: [["A.1"], ["A.2"]] }),
    writes: [{ kind: "backoff", path: "A.2", until: NOW + BASE, code: 9005, attempts: 1 }, faultWrite(9005, "A.2", "fault 9005")],
    faults: [{ code: "9005", message: "fault 9005", path: "A.2", retryable: false }],
    backoff: new Map([["A.2", { until: NOW + BASE, code: 9005, attempts: 1 }]]),
    bisect: [["A.1"]],
  },
  {
    name: "9002 on a batch: bisected too, so one faulting item never blocks the others",
    step: { kind: "refresh", paths: ["A.1", "A.2", "A.3"], reason: "unknown" },
    response: fault(9002),
    writes: [],
    faults: [{ code: "9002", message: "fault 9002: no per-parameter detail; bisecting 3 paths", retryable: true }],
    backoff: new Map(),
    bisect: [["A.1", "A.2"], ["A.3"]],
  },
  {
    name: "9002 on a single path: it backs off, retryable",
    step: { kind: "refresh", paths: ["A.1"], reason: "unknown" },
    response: fault(9002),
    writes: [{ kind: "backoff", path: "A.1", until: NOW + BASE, code: 9002, attempts: 1 }, faultWrite(9002, "A.1", "fault 9002", true)],
    faults: [{ code: "9002", message: "fault 9002", path: "A.1", retryable: true }],
    backoff: new Map([["A.1", { until: NOW + BASE, code: 9002, attempts: 1 }]]),
    bisect: undefined,
  },
  {
    name: "backoff grows exponentially with attempts and is capped",
    step: { kind: "refresh", paths: ["A.1"], reason: "unknown" },
    response: fault(9002),
    inv: inventory({ backoff: new Map([["A.1", { until: NOW - 1, code: 9002, attempts: 3 }]]) }),
    writes: [
      { kind: "backoff", path: "A.1", until: NOW + Math.min(BASE * 8, LIMITS.backoffMaxMs), code: 9002, attempts: 4 },
      faultWrite(9002, "A.1", "fault 9002", true),
    ],
    faults: [{ code: "9002", message: "fault 9002", path: "A.1", retryable: true }],
    backoff: new Map([["A.1", { until: NOW + Math.min(BASE * 8, LIMITS.backoffMaxMs), code: 9002, attempts: 4 }]]),
    bisect: undefined,
  },
  {
    name: "AddObject fault backs off the keyed instance's selector",
    step: { kind: "addObject", table: T, key: { Protocol: "TCP", ExternalPort: "80" }, from: PROV },
    response: fault(9004),
    writes: [
      { kind: "backoff", path: `${T}[ExternalPort=80,Protocol=TCP]`, until: NOW + BASE, code: 9004, attempts: 1 },
      faultWrite(9004, `${T}[ExternalPort=80,Protocol=TCP]`, "fault 9004", true, "base"),
      { kind: "backoff", path: `#added:${T}[ExternalPort=80,Protocol=TCP]`, until: NOW + BASE, code: "added", attempts: 1 },
    ],
    faults: [{ code: "9004", message: "fault 9004", path: `${T}[ExternalPort=80,Protocol=TCP]`, retryable: true }],
    backoff: new Map<string, { until: number; code: number | string; attempts: number }>([
      [`${T}[ExternalPort=80,Protocol=TCP]`, { until: NOW + BASE, code: 9004, attempts: 1 }],
      [`#added:${T}[ExternalPort=80,Protocol=TCP]`, { until: NOW + BASE, code: "added", attempts: 1 }],
    ]),
    bisect: undefined,
  },
  {
    name: "Download fault backs off firmware",
    step: { kind: "download", version: "2.0", url: "u", fileSize: 1, commandKey: "fw-1", from: PROV },
    response: fault(9010),
    writes: [{ kind: "backoff", path: "#firmware", until: NOW + BASE, code: 9010, attempts: 1 }, faultWrite(9010, "#firmware", "fault 9010")],
    faults: [{ code: "9010", message: "fault 9010", path: "#firmware", retryable: false }],
    backoff: new Map([["#firmware", { until: NOW + BASE, code: 9010, attempts: 1 }]]),
    bisect: undefined,
  },
];

for (const row of FAULTS) {
  void test(`fold fault: ${row.name}`, () => {
    const out = run(row.step, row.response, reported(), row.inv ?? inventory());
    assert.deepStrictEqual(out.writes, row.writes);
    assert.deepStrictEqual(out.faults, row.faults);
    assert.deepStrictEqual(out.inventory.backoff, row.backoff);
    assert.deepStrictEqual(out.inventory.bisect, row.bisect);
  });
}

void test("fold an answer of the wrong kind is a bad_message fault and changes nothing", () => {
  const state = { reported: reported(), inventory: inventory() };
  const out = fold(state, GPV4, requestFor(GPV4, KEY, QUIRKS), { method: "SetParameterValuesResponse", status: 0 }, NOW, LIMITS, HASH);
  assert.deepStrictEqual(out, {
    ...state,
    writes: [],
    faults: [{ code: "bad_message", message: "GetParameterValues answered by SetParameterValuesResponse", retryable: true }],
  });
});
