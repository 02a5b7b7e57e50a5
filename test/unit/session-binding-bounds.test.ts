/**
 * Tables for two of the endpoint's collaborators: how a request finds its session (SessionRegistry.lookup,
 * with unconnected sockets standing for connections) and the message bounds (session/message-bounds.ts).
 */
import test from "node:test";
import assert from "node:assert/strict";
import { Socket } from "node:net";
import { SessionRegistry, COOKIE, type LiveSession } from "../../src/server/sessions.js";
import { boundMessage } from "../../src/session/message-bounds.js";
import { parseDeviceId } from "../../src/domain/device.js";
import type { CpeMessage } from "../../src/cwmp/types.js";

function live(reg: SessionRegistry, serial: string, socket: Socket, echoed = false): LiveSession {
  const id = reg.newId();
  const deviceId = parseDeviceId(`00259E-EG8145V5-${serial}`) ?? assert.fail();
  const s = { id, deviceId, socket, lastSeen: 0, startedAt: 0 } as unknown as LiveSession;
  reg.add(s);
  reg.reserve("ip:x");
  reg.bind(s, { identity: undefined, source: "ip:x", cookieEchoed: echoed, xmlDeclaration: true, cpeRequests: 0 });
  return s;
}

void test("session lookup: cookie first; the connection only for one cookieless session; never a guess", () => {
  const reg = new SessionRegistry();
  const shared = new Socket();
  const own = new Socket();
  const other = new Socket();
  const a = live(reg, "A", shared);
  const cookie = (s: LiveSession): string => `${COOKIE}=${s.id}`;
  assert.deepEqual(reg.lookup(cookie(a), shared), { kind: "found", live: a, by: "cookie" });
  assert.deepEqual(reg.lookup(undefined, shared), { kind: "found", live: a, by: "socket" }, "a cookieless CPE is found by its connection");
  const b = live(reg, "B", shared);
  assert.deepEqual(reg.lookup(undefined, shared), { kind: "ambiguous" }, "two sessions on one connection (a proxy)");
  assert.deepEqual(reg.lookup(cookie(b), shared), { kind: "found", live: b, by: "cookie" });
  assert.deepEqual(reg.lookup(cookie(b), other), { kind: "moved", live: b }, "a live session's cookie on another connection");
  assert.deepEqual(reg.lookup(`${COOKIE}=NoSuchSession123`, shared), { kind: "unknown_cookie" }, "no fallback to the connection");
  const c = live(reg, "C", own, true);
  assert.deepEqual(reg.lookup(undefined, own), { kind: "none" }, "a session that echoed its cookie is found only by it");
  assert.deepEqual(reg.lookup(cookie(c), own), { kind: "found", live: c, by: "cookie" });
  own.destroy();
  assert.deepEqual(reg.lookup(cookie(c), other), { kind: "found", live: c, by: "cookie" }, "its connection is gone: the cookie moves it");
  reg.remove(b);
  assert.deepEqual(reg.lookup(undefined, shared), { kind: "found", live: a, by: "socket" });
  assert.equal(reg.sourceCount("ip:x"), 2);
  for (const s of [shared, other]) s.destroy();
});

void test("message bounds: fault strings cut, over-long values refused with the parameter named, nothing mutated", () => {
  const b = { maxStoredValueChars: 10, maxFaultStringChars: 5 };
  const tc: CpeMessage = { method: "TransferComplete", commandKey: "k", fault: { code: 9010, string: "0123456789" }, startTime: "", completeTime: "" };
  const cut = boundMessage(tc, b);
  assert.ok(cut.ok);
  assert.equal(cut.truncated, 1);
  assert.equal(cut.message.method === "TransferComplete" && cut.message.fault.string, "01234 …(truncated)");
  assert.equal(tc.fault.string, "0123456789", "the input is not mutated");
  const fault: CpeMessage = {
    method: "Fault",
    fault: {
      faultCode: "Client",
      faultString: "x".repeat(9),
      code: 9003,
      message: "y".repeat(9),
      setParameterValuesFaults: [{ name: "A.B", code: 9007, string: "z".repeat(9) }],
    },
  };
  const f = boundMessage(fault, b);
  assert.ok(f.ok);
  assert.equal(f.truncated, 3);
  const gpv: CpeMessage = {
    method: "GetParameterValuesResponse",
    parameterList: [
      { name: "A.ok", value: "short", type: "xsd:string" },
      { name: "A.Big", value: "v".repeat(11), type: "xsd:string" },
    ],
  };
  const big = boundMessage(gpv, b);
  assert.deepEqual(big, { ok: false, field: "parameterList[1].value", parameter: "A.Big", length: 11 });
  const fine = boundMessage(
    { method: "GetParameterValuesResponse", parameterList: [{ name: "A.ok", value: "short", type: "xsd:string" }] } satisfies CpeMessage,
    b,
  );
  assert.ok(fine.ok);
  assert.equal(fine.truncated, 0);
});
