/**
 * Firmware and reboots, the disruptive tail of a plan. A Download is planned when the reported SoftwareVersion is
 * not the pinned one (exact string: version strings are never numbers), no download of that version is
 * outstanding or awaiting its version (bounded by the Inform watch, inform-watch.ts), and the version is not
 * backing off after a failure, a timeout or an image that did not take.
 */
import type { PlanContext } from "./context.js";
import { intents, NO_INTENTS, type Intents } from "./intents.js";
import { activeBackoff } from "./knowledge.js";
import { downloadCommandKey } from "./parameter-key.js";

/** Backoff key of firmware downloads (not a parameter path, so it can never clash with one); shared with the session. */
export const FIRMWARE_BACKOFF_KEY = "#firmware";
/**
 * Backoff key remembering a Download Converge issued: one Download per pin per backoff period, even when the
 * version is reported, then rolled back (issue 9.3). Written with the write-ahead download record.
 */
export const FIRMWARE_ISSUED_KEY = "#firmware-issued";
/** Backoff key remembering a Reboot Converge issued: at most one per backoff period, whatever the answer. */
export const REBOOT_ISSUED_KEY = "#reboot-issued";
/** Backoff key of reboots we issue. */
export const REBOOT_BACKOFF_KEY = "#reboot";

export function planFirmware(ctx: PlanContext): Intents {
  const fw = ctx.input.desired.firmware;
  const { reported, inventory, now } = ctx.input;
  if (fw === undefined || reported.softwareVersion === fw.version) return NO_INTENTS;
  const key = FIRMWARE_BACKOFF_KEY;
  const b = activeBackoff(ctx.k, key);
  if (b !== undefined) return intents({ notes: [{ kind: "backoff", path: key, until: b.until, code: b.code }] });
  if (ctx.input.desired.held?.includes(fw.from.policy) === true) {
    return intents({
      notes: [{ kind: "pending", what: "window", message: `download of ${fw.version} waits for the maintenance window of policy ${fw.from.policy}'s rollout` }],
    });
  }
  const dl = inventory.download;
  if (dl !== undefined && dl.version === fw.version) {
    // Never a second Download of the same pin while one is awaited: the Inform watch (inform-watch.ts) ends the
    // wait with the new version, download_timeout or firmware_not_applied, then the backoff above applies.
    const message =
      dl.completedAt === undefined
        ? `download of ${fw.version} (CommandKey ${dl.commandKey}) outstanding since ${new Date(dl.startedAt).toISOString()}`
        : `TransferComplete reported success for ${fw.version}; waiting for the device to report it (it reports ${reported.softwareVersion || '""'})`;
    return intents({ notes: [{ kind: "pending", what: "transfer", message }] });
  }
  const issued = activeBackoff(ctx.k, FIRMWARE_ISSUED_KEY);
  if (issued !== undefined) {
    const message = `a Download of ${fw.version} went out less than a backoff period ago and the device reports ${reported.softwareVersion || '""'}: not re-issued before ${new Date(issued.until).toISOString()}`;
    return intents({ notes: [{ kind: "pending", what: "transfer", message }] });
  }
  const step = {
    kind: "download" as const,
    version: fw.version,
    url: fw.url,
    fileSize: fw.fileSize,
    commandKey: downloadCommandKey(fw.version, now),
    fileType: fw.fileType,
    username: fw.username,
    password: fw.password,
    from: fw.from,
  };
  return intents({ download: [step] });
}

const REBOOT_FROM = { policy: "converge:reboot", file: "(built in)", line: 0 } as const;

/** TR-069 A.3.2.1: SPV status 1 means the change applies after a reboot; we reboot only where policy allows. */
export function planReboot(ctx: PlanContext): Intents {
  if (ctx.input.inventory.rebootPending !== true) return NO_INTENTS;
  const b = activeBackoff(ctx.k, REBOOT_BACKOFF_KEY);
  if (b !== undefined) return intents({ notes: [{ kind: "backoff", path: REBOOT_BACKOFF_KEY, until: b.until, code: b.code }] });
  const issued = activeBackoff(ctx.k, REBOOT_ISSUED_KEY);
  if (issued !== undefined) {
    return intents({
      notes: [
        {
          kind: "pending",
          what: "reboot",
          message: `a Reboot went out less than a backoff period ago: not re-issued before ${new Date(issued.until).toISOString()}`,
        },
      ],
    });
  }
  if (!ctx.input.desired.allowReboot) {
    return intents({
      notes: [{ kind: "pending", what: "reboot", message: "the CPE applies a change after a reboot; policy does not allow Converge to reboot it" }],
    });
  }
  const held = ctx.input.desired.held ?? [];
  if (held.length > 0)
    return intents({ notes: [{ kind: "pending", what: "window", message: `reboot waits for the maintenance window of ${held.join(", ")}` }] });
  const from = ctx.input.desired.allowRebootFrom ?? REBOOT_FROM;
  return intents({ reboot: [{ kind: "reboot", reason: "a change applies after a reboot (status 1)", from }] });
}
