/**
 * The planner's structural index (`knowledgeOf`): every object known to exist is a reported object, a discovered
 * path, or an ancestor of any known path, whatever the shape of the paths (it walks ancestors in place, not through
 * `ancestorsOf`: this holds the two to the same set).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { knowledgeOf } from "../../src/reconcile/knowledge.js";
import { ancestorsOf } from "../../src/reconcile/paths.js";
import type { ReportedParam, ReportedState } from "../../src/reconcile/types.js";
import { NOTHING_DONE } from "../../src/session/inform.js";

const param = (value: string): ReportedParam => ({ value, type: "xsd:string", writable: true, observedAt: 1 });

function stateOf(params: readonly string[], names: readonly string[], objects: readonly string[], discovered: readonly string[]): ReportedState {
  return {
    params: new Map(params.map((p) => [p, param("v")])),
    names: new Map(names.map((p) => [p, { writable: true }])),
    objects: new Map(objects.map((p) => [p, 1])),
    discovered: new Map(discovered.map((p) => [p, 1])),
    parameterKey: "",
    softwareVersion: "",
  };
}

/** The index as defined: each path (an object itself when it ends in ".") and all of its ancestors. */
function reference(paths: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    if (p.endsWith(".")) out.add(p);
    for (const a of ancestorsOf(p)) out.add(a);
  }
  return out;
}

test("knowledgeOf indexes every reported, named, object and discovered path with all its ancestors", () => {
  const r = stateOf(["Device.WiFi.SSID.1.SSID", "Device.DeviceInfo.SoftwareVersion"], ["Device.WiFi.SSID.2.Enable"], ["Device.Hosts.Host.3."], ["Device.NAT."]);
  const k = knowledgeOf(r, NOTHING_DONE, 5);
  assert.deepEqual([...k.objects].sort(), [
    "Device.",
    "Device.DeviceInfo.",
    "Device.Hosts.",
    "Device.Hosts.Host.",
    "Device.Hosts.Host.3.",
    "Device.NAT.",
    "Device.WiFi.",
    "Device.WiFi.SSID.",
    "Device.WiFi.SSID.1.",
    "Device.WiFi.SSID.2.",
  ]);
});

test("knowledgeOf's objects are exactly the paths and ancestors `ancestorsOf` gives, for any path shape (empty segments, leading or doubled dots)", () => {
  const segment = fc.constantFrom("", "A", "B", "1", "2", "Device", "X.Y");
  const path = fc.array(segment, { maxLength: 5 }).chain((segs) => fc.boolean().map((obj) => segs.join(".") + (obj ? "." : "")));
  const paths = fc.array(path, { maxLength: 12 });
  fc.assert(
    fc.property(paths, paths, paths, paths, (params, names, objects, discovered) => {
      const k = knowledgeOf(stateOf(params, names, objects, discovered), NOTHING_DONE, 5);
      assert.deepEqual([...k.objects].sort(), [...reference([...params, ...names, ...objects, ...discovered])].sort());
    }),
  );
});
