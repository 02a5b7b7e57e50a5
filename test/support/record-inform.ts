/**
 * An Inform recorded exactly as the CWMP endpoint records it (server/open-session.ts): in one
 * `Store.loadAndApply`, load what the store knows, apply the pure Inform step (session/inform.ts) and commit its
 * writes. For tests and benchmarks that seed a store through the real path.
 */
import type { InformFacts } from "../../src/domain/facts.js";
import type { Store } from "../../src/domain/store.js";
import { applyInform } from "../../src/session/inform.js";

export async function recordInform(store: Store, facts: InformFacts, now: number): Promise<{ readonly isNew: boolean }> {
  return store.loadAndApply(facts.deviceId, (known) => {
    const out = applyInform(facts, known, now);
    return { writes: out.writes, result: { isNew: out.isNew } };
  });
}
