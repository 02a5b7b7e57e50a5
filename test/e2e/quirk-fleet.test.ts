/**
 * Issue 9 "Done when": a mixed simulated fleet with every quirk switch of the real CPE stacks seen, against a real
 * server with Digest authentication and the example policies, converges; quirks that end in a named fault are
 * listed with the fault they must end with. Each switch is also combined with the others (one set holds all).
 * When a helper adds a quirk for issue 9, it goes into QUIRK_SETS (with its expected fault, if it has one).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, EXAMPLE_POLICIES } from "../support/server.js";
import { MODEL_FILES } from "../support/fleet-models.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { Fleet } from "../../src/sim/fleet.js";
import { acsCounts } from "../../src/sim/fleet-acs.js";
import { FLEET_DEFAULTS, FLEET_QUIRKS, parseQuirksMix, type FleetOptions } from "../../src/sim/fleet-options.js";

const CPE_USER = "fleet-cpe";
const CPE_PASS = "fleet-cpe-password-0123";

/** Every issue 9 quirk (alone, and all together), beside well-behaved CPEs and the older wire quirks. */
/** The authentication and wire quirks of issue 9 (endpoint side). */
const AUTH_QUIRKS = ["authOnlyWithBody", "shortNonceBuffer", "emptyDigestUri", "reusedNonceCount", "emptyContentType", "noXmlDeclaration"] as const;
/** The reconciler-loop quirks of issue 9 (each also has its own focused test in cpe-loops / quirk-fleet-loops). */
const LOOP_QUIRKS = ["faultDetailInFaultstring", "newInstanceWithoutChildren", "firmwareNotApplied", "ignoresCrUsername", "noParameterKey"] as const;
const ISSUE_9_QUIRKS = [...AUTH_QUIRKS, ...LOOP_QUIRKS] as const;
const QUIRK_SETS = [
  "none",
  ...ISSUE_9_QUIRKS,
  AUTH_QUIRKS.join("+"),
  `${AUTH_QUIRKS.join("+")}+noCookies+latin1+chunked`,
  "newConnectionPerRequest+authOnlyWithBody+reusedNonceCount",
  `${AUTH_QUIRKS.join("+")}+${LOOP_QUIRKS.join("+")}`,
];

/**
 * Quirks whose devices may end with a named fault instead of converging (on the models where a policy reaches the
 * quirk: a keyed table, a firmware pin); every other device must converge.
 */
const MAY_END_WITH: Readonly<Record<string, readonly string[]>> = {
  newInstanceWithoutChildren: ["instance_keys_missing"],
  firmwareNotApplied: ["firmware_not_applied"],
};
const allowedFaults = (set: string): readonly string[] => set.split("+").flatMap((q) => MAY_END_WITH[q] ?? []);

const DEVICES = 64;

function options(acsUrl: string, apiUrl: string): FleetOptions {
  const quirks = parseQuirksMix(QUIRK_SETS.map((q) => `${q}:1`).join(","));
  if (!quirks.ok) throw new Error(quirks.error);
  return {
    acsUrl,
    apiUrl,
    count: DEVICES,
    models: MODEL_FILES.map((f) => ({ value: new URL(`../fixtures/datamodels/${f}`, import.meta.url).pathname, weight: 1 })),
    quirks: quirks.value,
    seed: "e2e-quirk-fleet",
    intervalS: 0.05,
    jitter: 0.5,
    concurrency: 16,
    bootStorm: true,
    rampS: 0,
    durationS: undefined,
    rounds: 3,
    deadlineS: 50,
    timeoutMs: 10_000,
    maxMessages: FLEET_DEFAULTS.maxMessages,
    retryMinS: 0.1,
    retryAfterMaxS: 0.2,
    listen: false,
    auth: { username: CPE_USER, password: CPE_PASS, scheme: "digest" },
    indexOffset: 0,
  };
}

test("a fleet with every issue 9 quirk converges against a real server with Digest", { timeout: 90_000 }, async () => {
  for (const q of ISSUE_9_QUIRKS) assert.ok((FLEET_QUIRKS as readonly string[]).includes(q), `${q} is a fleet quirk switch (converge sim --help)`);
  const srv = await startTestServer({
    policies: EXAMPLE_POLICIES,
    // noXmlDeclaration CPEs are spread over all six models: omit the declaration for every device ("*").
    env: { CONVERGE_CPE_AUTH: "digest", CONVERGE_CPE_USERNAME: CPE_USER, CONVERGE_CPE_PASSWORD: CPE_PASS, CONVERGE_OMIT_XML_DECLARATION: "*" },
  });
  const fleet = await Fleet.create(options(srv.cwmpUrl, srv.apiUrl));
  try {
    const run = await fleet.run();
    const sets = new Set(fleet.members.map((m) => m.quirks.name));
    for (const q of QUIRK_SETS) assert.ok(sets.has(q), `quirk set ${q} is in the fleet`);
    assert.equal(run.stopped, "done", `fleet stopped: ${run.stopped}, outcomes ${JSON.stringify(run.lastOutcomes)}`);
    assert.deepEqual(Object.fromEntries(run.counters.errors), {}, "no session failed");
    for (const m of fleet.members) {
      const id = deviceIdOf(m.device.deviceId);
      const status = (await srv.store.getDevice(id))?.status;
      const converged = status?.conditions.find((c) => c.type === "Converged")?.status === true;
      const allowed = allowedFaults(m.quirks.name);
      if (!converged && allowed.length > 0) {
        const codes = (await srv.store.listFaults(id, 20)).map((f) => f.code);
        assert.ok(
          codes.some((c) => allowed.includes(c)),
          `${m.device.deviceId.serialNumber} (${m.model}, ${m.quirks.name}) converged or ended with ${allowed.join("/")}: faults ${codes.join(", ")}`,
        );
        continue;
      }
      assert.equal(converged, true, `${m.device.deviceId.serialNumber} (${m.model}, ${m.quirks.name}) converged`);
    }
    const counts = await acsCounts(srv.apiUrl);
    assert.equal(counts.devices, DEVICES);
  } finally {
    await fleet.close();
    await srv.close();
  }
});
