/**
 * Which stored devices a policy change affects: their desired state differs between the previous and the
 * new snapshot (revision aside). Used to kick them with a connection request after a reload.
 */
import type { DeviceId } from "../domain/device.js";
import type { PolicySet } from "../policy/types.js";
import type { DesiredState } from "../policy/desired.types.js";
import type { Store } from "../store/types.js";
import { factsOfRecord } from "../plan/device-plan.js";
import type { DesiredResolver } from "./desired-resolver.js";

function fingerprint(d: DesiredState | undefined): string {
  if (!d) return "";
  const { revision: _revision, notes: _notes, ...rest } = d;
  return JSON.stringify(rest, (_k, v: unknown) => (v instanceof Map ? [...v] : v));
}

export function* changedDevices(store: Store, resolver: DesiredResolver, set: PolicySet, previous: PolicySet | undefined): Generator<DeviceId> {
  for (const id of store.eachDeviceId()) {
    const d = store.getDevice(id);
    if (!d) continue;
    const facts = factsOfRecord(d, store.loadReported(id));
    if (!previous || fingerprint(resolver(facts, set)) !== fingerprint(resolver(facts, previous))) yield id;
  }
}
