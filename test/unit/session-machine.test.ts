/** The session state machine, pure: one row per behaviour, asserting replies and writes. */
import test from "node:test";
import assert from "node:assert/strict";
import type { DeviceId } from "../../src/domain/device.js";
import type { AcsRequest, CpeMessage } from "../../src/cwmp/types.js";
import { openSession, step } from "../../src/session/machine.js";
import type { SessionConfig, SessionInput, SessionState, StepResult } from "../../src/session/types.js";
import type { TaskRecord } from "../../src/domain/store.js";
import { HASH } from "../support/reconcile-builders.js";

const ID = "00259E-EG8145V5-S1" as DeviceId;
const CFG: SessionConfig = {
  limits: {
    maxRpcsPerSession: 3,
    maxReplanRounds: 8,
    downloadTimeoutMs: 3_600_000,
    firmwareApplyInforms: 2,
    firmwareApplyTimeoutMs: 3_600_000,
    backoffBaseMs: 60_000,
    backoffMaxMs: 86_400_000,
  },
  quirks: { booleanAsDigit: false, datetimeMilliseconds: true, gpvBatchSize: 64, spvBatchSize: 32 },
  holdRequests: false,
  hashWriteOnly: HASH,
};
const EMPTY_REPORTED = { params: new Map(), objects: new Map(), discovered: new Map(), parameterKey: "", softwareVersion: "" };
const EMPTY_INVENTORY = { created: new Map(), writeOnlyHashes: new Map(), backoff: new Map(), download: undefined };

const gpv: AcsRequest = { method: "GetParameterValues", names: ["InternetGatewayDevice.DeviceInfo.UpTime"] };
const task = (id: number, request: AcsRequest = gpv): TaskRecord => ({
  id,
  deviceId: ID,
  request,
  state: "pending",
  createdAt: 0,
  doneAt: undefined,
  outcome: undefined,
  queuedBy: undefined,
});

function open(tasks: TaskRecord[] = []): SessionState {
  return openSession({
    id: "s1",
    deviceId: ID,
    version: "1.0",
    tasks,
    desired: undefined,
    reported: EMPTY_REPORTED,
    inventory: EMPTY_INVENTORY,
    previousStatus: undefined,
  });
}

function run(state: SessionState, inputs: SessionInput[]): StepResult[] {
  const out: StepResult[] = [];
  let s = state;
  for (const input of inputs) {
    const r = step(s, input, CFG, 1000);
    out.push(r);
    s = r.state;
  }
  return out;
}

const msg = (message: CpeMessage, id = "acs-1"): SessionInput => ({ kind: "message", id, message });
const gpvResponse: CpeMessage = {
  method: "GetParameterValuesResponse",
  parameterList: [{ name: "InternetGatewayDevice.DeviceInfo.UpTime", value: "42", type: "xsd:unsignedInt" }],
};
const replyMethod = (r: StepResult): string => (r.reply.kind === "end" ? "204" : r.reply.message.method);

void test("nothing to do: the empty POST ends the session with 204 and no writes", () => {
  const [r] = run(open(), [{ kind: "empty" }]);
  assert.ok(r);
  assert.equal(replyMethod(r), "204");
  assert.deepEqual(r.writes, []);
  assert.equal(r.state.outcome, "ok");
});

void test("a queued task is sent after the empty POST; its answer is recorded and taught to the store", () => {
  const rs = run(open([task(7)]), [{ kind: "empty" }, msg(gpvResponse), { kind: "empty" }]);
  assert.deepEqual(rs.map(replyMethod), ["GetParameterValues", "204", "204"]);
  assert.deepEqual(
    rs[1]?.writes.map((w) => w.kind),
    ["task", "reported"],
  );
  const t = rs[1]?.writes[0];
  assert.ok(t?.kind === "task" && t.id === 7 && t.state === "done");
});

void test("a CPE request mid-session is answered, echoing the CPE's cwmp:ID", () => {
  const [r] = run(open(), [msg({ method: "TransferComplete", commandKey: "k", fault: { code: 0, string: "" }, startTime: "", completeTime: "" }, "cpe-9")]);
  assert.ok(r?.reply.kind === "message");
  assert.equal(r.reply.message.method, "TransferCompleteResponse");
  assert.equal(r.reply.id, "cpe-9");
});

void test("a CPE fault answering a task marks the task faulted and the session goes on", () => {
  const fault: CpeMessage = {
    method: "Fault",
    fault: { faultCode: "Client", faultString: "CWMP fault", code: 9005, message: "Invalid parameter name", setParameterValuesFaults: [] },
  };
  const rs = run(open([task(1), task(2)]), [{ kind: "empty" }, msg(fault), msg(gpvResponse, "acs-2")]);
  assert.deepEqual(rs.map(replyMethod), ["GetParameterValues", "GetParameterValues", "204"]);
  const w = rs[1]?.writes[0];
  assert.ok(w?.kind === "task" && w.state === "fault");
  assert.deepEqual(
    rs[2]?.state.faults.map((f) => f.code),
    ["9005"],
  );
});

void test("an answer of the wrong method ends the session with bad_session_state", () => {
  const rs = run(open([task(1)]), [{ kind: "empty" }, msg({ method: "RebootResponse" })]);
  assert.equal(replyMethod(rs[1] as StepResult), "204");
  assert.equal(rs[1]?.state.outcome, "fault:bad_session_state");
  assert.ok(rs[1]?.writes.some((w) => w.kind === "fault" && w.fault.code === "bad_session_state"));
});

void test("an Inform inside an open session is refused as bad_session_state", () => {
  const inform: CpeMessage = {
    method: "Inform",
    deviceId: { manufacturer: "m", oui: "00259E", productClass: "p", serialNumber: "s" },
    events: [],
    maxEnvelopes: 1,
    currentTime: "",
    retryCount: 0,
    parameterList: [],
  };
  const [r] = run(open(), [msg(inform)]);
  assert.equal(r?.state.outcome, "fault:bad_session_state");
});

void test("more tasks than maxRpcsPerSession: the bound trips as too_many_rpcs, the rest wait for the next session", () => {
  const rs = run(open([task(1), task(2), task(3), task(4)]), [{ kind: "empty" }, msg(gpvResponse), msg(gpvResponse, "acs-2"), msg(gpvResponse, "acs-3")]);
  assert.deepEqual(rs.map(replyMethod), ["GetParameterValues", "GetParameterValues", "GetParameterValues", "204"]);
  assert.equal(rs[3]?.state.outcome, "fault:too_many_rpcs");
});

void test("step never mutates its input state", () => {
  const s = open([task(1)]);
  const copy = structuredClone(s);
  step(s, { kind: "empty" }, CFG, 1000);
  assert.deepEqual(s, copy);
});

void test("a failed TransferComplete of our Download clears it and backs the firmware off with the planner's arithmetic", () => {
  const desired = { revision: "r1", matched: [], values: [], tables: [], attributes: [], firmware: undefined, ignore: [], allowReboot: false, notes: [] };
  const inventory = { ...EMPTY_INVENTORY, download: { commandKey: "fw-1", version: "2.0", startedAt: 0 } };
  const s = openSession({ id: "s1", deviceId: ID, version: "1.0", tasks: [], desired, reported: EMPTY_REPORTED, inventory, previousStatus: undefined });
  const [r] = run(s, [
    msg({ method: "TransferComplete", commandKey: "fw-1", fault: { code: 9010, string: "Download failure" }, startTime: "", completeTime: "" }, "cpe-1"),
  ]);
  assert.ok(r);
  assert.equal(r.state.reconcile?.inventory.download, undefined);
  // CFG.limits: base 60 s, first failure -> 60 s (nextBackoff: base * 2^0), attempts 1.
  assert.deepEqual(r.state.reconcile?.inventory.backoff.get("#firmware"), { until: 1000 + 60_000, code: 9010, attempts: 1 });
  assert.deepEqual(
    r.writes.map((w) => w.kind),
    ["fault", "download", "backoff"],
  );
});
