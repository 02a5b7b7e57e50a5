/** Applies one session-step write inside `Store.apply`'s PostgreSQL transaction (mirrors src/store/writes.ts). */
import type { DeviceId } from "../../domain/device.js";
import { assertNever } from "../../domain/result.js";
import type { StoreWrite } from "../../domain/store.js";
import { staleChildren } from "../gpn.js";
import { setParameterKey, setStatus } from "./devices.js";
import * as inv from "./inventory.js";
import type { Queryable } from "./pool.js";
import { addFault, clearFaults, finishTask, saveTranscript, setSecret } from "./records.js";
import * as rep from "./reported.js";

export interface WriteBounds {
  readonly faultsPerDevice: number;
  readonly transcriptsPerDevice: number;
  readonly now: () => number;
}

export async function applyWrite(q: Queryable, dev: number, id: DeviceId, w: StoreWrite, b: WriteBounds): Promise<void> {
  switch (w.kind) {
    case "reported":
      return rep.upsertValues(q, dev, w.params, w.observedAt);
    case "names":
      await forgetVanished(q, dev, w.discovered, w.params);
      await rep.upsertNames(q, dev, w.params, w.observedAt);
      return rep.upsertAt(q, "discovered", dev, [w.discovered], w.observedAt);
    case "attributes":
      return rep.setNotifications(q, dev, w.params);
    case "objectAdded":
      await rep.upsertAt(q, "objects", dev, [objectPath(w.path)], w.observedAt);
      return w.createdByUs ? inv.addCreated(q, dev, w.path, w.key) : undefined;
    case "addIntent":
      return inv.addIntent(q, dev, w.intent);
    case "clearAddIntent":
      return inv.clearIntent(q, dev, w.selector);
    case "parameterKeyKept":
      return inv.setParameterKeyKept(q, dev, w.kept);
    case "objectDeleted":
      await rep.forgetUnder(q, dev, objectPath(w.path));
      return inv.forgetUnder(q, dev, w.path);
    case "forgetPaths":
      for (const p of w.paths) {
        if (p.endsWith(".")) await rep.forgetUnder(q, dev, p);
        else await rep.forgetParam(q, dev, p);
      }
      return;
    case "writeOnlyHash":
      return inv.setWriteOnlyHash(q, dev, w.path, w.hash);
    case "backoff":
      return inv.setBackoff(q, dev, w.path, w);
    case "clearBackoff":
      return inv.clearBackoff(q, dev, w.path);
    case "download":
      return inv.setDownload(q, dev, w.download);
    case "parameterKey":
      await setParameterKey(q, dev, w.value);
      return inv.addAppliedKey(q, dev, w.value);
    case "rebootPending":
      return inv.setRebootPending(q, dev, w.pending);
    case "task":
      return finishTask(q, dev, w.id, w.state, w.outcome, w.at ?? b.now());
    case "fault":
      return addFault(q, dev, w.fault, b.faultsPerDevice);
    case "clearFaults":
      return clearFaults(q, dev, w.paths);
    case "status":
      return setStatus(q, dev, w.status);
    case "inform":
      // Only the first write of an apply may be an Inform (it creates the device): see Store.apply.
      throw new Error("an inform write must come first in its step");
    case "forgetState":
      await rep.forgetAll(q, dev);
      return w.inventory ? inv.forgetAll(q, dev) : undefined;
    case "secret":
      return setSecret(q, id, w.name, w.value);
    case "transcript":
      return saveTranscript(q, dev, w.sessionId, w.entries, w.entries.at(-1)?.at ?? b.now(), b.transcriptsPerDevice);
    default:
      return assertNever(w);
  }
}

/** Forgets the direct children of a GetParameterNames path that its answer no longer lists (see gpn.ts). */
async function forgetVanished(q: Queryable, dev: number, discovered: string, answer: readonly { readonly path: string }[]): Promise<void> {
  const known = await rep.knownUnder(q, dev, discovered);
  if (known.length === 0) return;
  for (const child of staleChildren(
    discovered,
    answer.map((p) => p.path),
    known,
  )) {
    if (!child.endsWith(".")) {
      await rep.forgetParam(q, dev, child);
      continue;
    }
    await rep.forgetUnder(q, dev, child);
    await inv.forgetUnder(q, dev, child);
  }
}

function objectPath(path: string): string {
  if (!path.endsWith(".")) throw new Error(`object path must end with ".": ${path}`);
  return path;
}
