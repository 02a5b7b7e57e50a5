import { assertNever } from "../domain/result.js";
import type { DevicesRepo } from "./devices.js";
import type { FaultsRepo } from "./faults.js";
import { staleChildren } from "./gpn.js";
import type { InventoryRepo } from "./inventory.js";
import type { ReportedRepo } from "./reported.js";
import type { StoreWrite } from "../domain/store.js";
import type { TasksRepo } from "./tasks.js";
import type { SecretsRepo } from "./secrets.js";
import type { TranscriptsRepo } from "./transcripts.js";
import type { DeviceId } from "../domain/device.js";

export interface WriteRepos {
  readonly devices: DevicesRepo;
  readonly reported: ReportedRepo;
  readonly inventory: InventoryRepo;
  readonly tasks: TasksRepo;
  readonly faults: FaultsRepo;
  readonly secrets: SecretsRepo;
  readonly transcripts: TranscriptsRepo;
}

/** Applies one session-step write to device row `dev`. Runs inside `Store.apply`'s transaction; throws on a bug. */
export function applyWrite(r: WriteRepos, dev: number, id: DeviceId, w: StoreWrite, now: () => number): void {
  switch (w.kind) {
    case "reported":
      return r.reported.upsertValues(dev, w.params, w.observedAt);
    case "names":
      forgetVanished(r, dev, w.discovered, w.params);
      r.reported.upsertNames(dev, w.params, w.observedAt);
      return r.reported.markDiscovered(dev, w.discovered, w.observedAt);
    case "attributes":
      return r.reported.setNotifications(dev, w.params);
    case "objectAdded":
      r.reported.addObject(dev, objectPath(w.path), w.observedAt);
      return w.createdByUs ? r.inventory.addCreated(dev, w.path, w.key) : undefined;
    case "addIntent":
      return r.inventory.addIntent(dev, w.intent);
    case "clearAddIntent":
      return r.inventory.clearIntent(dev, w.selector);
    case "parameterKeyKept":
      return r.inventory.setParameterKeyKept(dev, w.kept);
    case "objectDeleted":
      r.reported.forgetUnder(dev, objectPath(w.path));
      return r.inventory.forgetUnder(dev, w.path);
    case "forgetPaths":
      for (const p of w.paths) {
        if (p.endsWith(".")) r.reported.forgetUnder(dev, p);
        else r.reported.forgetParam(dev, p);
      }
      return;
    case "writeOnlyHash":
      return r.inventory.setWriteOnlyHash(dev, w.path, w.hash);
    case "backoff":
      return r.inventory.setBackoff(dev, w.path, w);
    case "clearBackoff":
      return r.inventory.clearBackoff(dev, w.path);
    case "download":
      return r.inventory.setDownload(dev, w.download);
    case "parameterKey":
      r.devices.setParameterKey(dev, w.value);
      return r.inventory.addAppliedKey(dev, w.value);
    case "rebootPending":
      return r.inventory.setRebootPending(dev, w.pending);
    case "task":
      return r.tasks.finish(dev, w.id, w.state, w.outcome, w.at ?? now());
    case "fault":
      return r.faults.add(dev, w.fault);
    case "clearFaults":
      return r.faults.clear(dev, w.paths);
    case "status":
      return r.devices.setStatus(dev, w.status);
    case "inform":
      // Only the first write of an apply may be an Inform (it creates the device): see Store.apply.
      throw new Error("an inform write must come first in its step");
    case "forgetState":
      r.reported.forgetAll(dev);
      return w.inventory ? r.inventory.forgetAll(dev) : undefined;
    case "secret":
      return r.secrets.set(id, w.name, w.value);
    case "transcript":
      return r.transcripts.save(dev, w.sessionId, w.entries, w.entries.at(-1)?.at ?? now());
    default:
      return assertNever(w);
  }
}

/** Forgets the direct children of a GetParameterNames path that its answer no longer lists (see gpn.ts). */
function forgetVanished(r: WriteRepos, dev: number, discovered: string, answer: readonly { readonly path: string }[]): void {
  const known = r.reported.knownUnder(dev, discovered);
  if (known.length === 0) return;
  for (const child of staleChildren(
    discovered,
    answer.map((p) => p.path),
    known,
  )) {
    if (!child.endsWith(".")) {
      r.reported.forgetParam(dev, child);
      continue;
    }
    r.reported.forgetUnder(dev, child);
    r.inventory.forgetUnder(dev, child);
  }
}

function objectPath(path: string): string {
  if (!path.endsWith(".")) throw new Error(`object path must end with ".": ${path}`);
  return path;
}
