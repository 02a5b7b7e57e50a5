/**
 * An Inform recorded exactly as the CWMP endpoint records it (server/open-session.ts): load what the store
 * knows, apply the pure Inform step (session/inform.ts), commit its writes in one `apply`. For tests and
 * benchmarks that seed a store through the real path.
 */
import type { InformFacts } from "../../src/domain/facts.js";
import type { Store } from "../../src/domain/store.js";
import { applyInform } from "../../src/session/inform.js";

export async function recordInform(store: Store, facts: InformFacts, now: number): Promise<{ readonly isNew: boolean }> {
  const known = await store.loadDevice(facts.deviceId);
  const out = applyInform(facts, known, now);
  await store.apply(facts.deviceId, out.writes);
  return { isNew: out.isNew };
}
