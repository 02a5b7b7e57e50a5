/**
 * Properties of the session machine's `step()` (src/session/machine.ts), driven in process over the random
 * convergence scenarios (test/support/sim-scenarios.ts) against the simulated CPE, and against an adversarial one:
 * every message it returns is one the CPE side of the codec reads back (values equal per xsd type); a session sends a bounded number
 * of RPCs and always ends; it never writes a value the device already holds.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { AcsRequest, CpeMessage, ParamValue } from "../../src/cwmp/types.js";
import { encodeAcsMessage } from "../../src/cwmp/encode.js";
import { decodeAcsEnvelope } from "../../src/cwmp/decode-acs.js";
import { sameAsWritten, sameValue } from "../../src/reconcile/equality.js";
import { LIMITS } from "../support/reconcile-builders.js";
import { driveSession } from "../support/drive-session.js";
import { arbScenario, setUp } from "../support/sim-scenarios.js";

/** How an adversarial CPE answers one request: as the device would, with a fault, or with the wrong response. */
const arbAnswer = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "device" as const }) },
  fc.record({ kind: fc.constant("fault" as const), code: fc.constantFrom(9002, 9003, 9005, 9007, 9010, 8005) }),
  fc.constant({ kind: "wrong" as const }),
);

describe("step() properties", () => {
  it("every message step() returns encodes to an envelope the CPE's decoder reads back (values equal per xsd type)", () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const { device, input } = setUp(s);
        const run = driveSession(input, (req) => device.handle(req));
        for (const [i, r] of run.replies.entries()) {
          if (r.kind === "end") continue;
          const xml = encodeAcsMessage(r.message, { version: "1.0", id: r.id, holdRequests: r.holdRequests });
          const back = decodeAcsEnvelope(xml);
          assert.ok(back.ok, `reply ${i} (${r.message.method}) does not decode: ${JSON.stringify(back)}`);
          // The CPE side reads xsd values leniently into canonical form (booleanAsDigit's "0" reads as "false"): the
          // values must be equal per xsd type, everything else exactly.
          const values = (m: typeof r.message): readonly ParamValue[] => (m.method === "SetParameterValues" ? m.values : []);
          const got = values(back.value.message);
          assert.equal(got.length, values(r.message).length);
          for (const [k, v] of values(r.message).entries()) {
            const w = got[k];
            assert.ok(
              w !== undefined && w.name === v.name && w.type === v.type && sameValue(v.type, v.value, w.value),
              `${JSON.stringify(v)} read back as ${JSON.stringify(w)}`,
            );
          }
          const strip = (m: typeof r.message): unknown => (m.method === "SetParameterValues" ? { ...m, values: [] } : m);
          assert.deepEqual(strip(back.value.message), strip(r.message));
          assert.equal(back.value.id, r.id);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("whatever the CPE answers, a session sends at most maxRpcsPerSession RPCs and ends, with converged, blocked or a named fault", () => {
    fc.assert(
      fc.property(arbScenario, fc.array(arbAnswer, { minLength: 1, maxLength: 16 }), (s, answers) => {
        const { device, input } = setUp(s);
        let n = 0;
        const respond = (req: AcsRequest): CpeMessage => {
          const a = answers[n++ % answers.length] ?? { kind: "device" as const };
          if (a.kind === "device") return device.handle(req);
          if (a.kind === "wrong") return { method: "RebootResponse" };
          return {
            method: "Fault",
            fault: { faultCode: "Client", faultString: "CWMP fault", code: a.code, message: `fault ${a.code}`, setParameterValuesFaults: [] },
          };
        };
        const run = driveSession(input, respond);
        assert.equal(run.state.phase, "ended");
        assert.ok(run.requests.length <= LIMITS.maxRpcsPerSession, `${run.requests.length} RPCs`);
        assert.match(run.outcome, /^(converged|blocked|fault:[a-z_]+)$/);
      }),
      { numRuns: 80 },
    );
  });

  it("never writes a value the device already holds (write-only values aside: they cannot be read back)", () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const { device, input } = setUp(s);
        const writeOnly = new Set(input.desired.values.filter((v) => v.writeOnly).map((v) => v.path));
        const run = driveSession(input, (req) => {
          if (req.method === "SetParameterValues")
            for (const v of req.values) {
              const held = device.get(v.name);
              if (held === undefined || writeOnly.has(v.name)) continue;
              assert.ok(!sameAsWritten(v.type, v.value, held.value, s.quirks), `writes ${v.name}=${v.value}, which the device holds (${held.value})`);
            }
          return device.handle(req);
        });
        assert.equal(run.outcome, "converged");
      }),
      { numRuns: 60 },
    );
  });
});
