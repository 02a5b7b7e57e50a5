/**
 * Which stored devices a policy change affects: their desired state differs between the previous and the
 * new snapshot (revision aside). Used to kick them with a connection request after a reload.
 */
import type { DeviceId } from "../domain/device.js";
import type { PolicySet } from "../policy/types.js";
import type { DesiredState } from "../policy/desired.types.js";
import type { Store } from "../domain/store.js";
import { factsOfRecord } from "../plan/device-plan.js";
import type { DesiredResolver } from "./desired-resolver.js";

function fingerprint(d: DesiredState | undefined): string {
  if (!d) return "";
  const { revision: _revision, notes: _notes, ...rest } = d;
  return JSON.stringify(rest, (_k, v: unknown) => (v instanceof Map ? [...v] : v));
}

export async function* changedDevices(store: Store, resolver: DesiredResolver, set: PolicySet, previous: PolicySet | undefined): AsyncGenerator<DeviceId> {
  for await (const id of store.eachDeviceId()) {
    const d = await store.getDevice(id);
    if (!d) continue;
    const facts = factsOfRecord(d, await store.loadReported(id));
    const secrets = await store.getSecrets(id);
    if (!previous || fingerprint(resolver(facts, secrets, set)) !== fingerprint(resolver(facts, secrets, previous))) yield id;
  }
}
