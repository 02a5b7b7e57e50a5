/**
 * Inform event codes (TR-069 A.3.3.1, Table 7). CPEs vary in case and spacing ("0 bootstrap", "1  BOOT"): the
 * decoder normalises every code ONCE, so the rest of Converge compares codes exactly. Standard codes take their
 * canonical spelling; any other code (vendor "X OUI ..." events) is only trimmed and its blanks collapsed.
 */
export const BOOTSTRAP = "0 BOOTSTRAP";
export const BOOT = "1 BOOT";
export const PERIODIC = "2 PERIODIC";
export const SCHEDULED = "3 SCHEDULED";
export const CONNECTION_REQUEST = "6 CONNECTION REQUEST";
export const TRANSFER_COMPLETE = "7 TRANSFER COMPLETE";

const STANDARD = [
  BOOTSTRAP,
  BOOT,
  PERIODIC,
  SCHEDULED,
  "4 VALUE CHANGE",
  "5 KICKED",
  CONNECTION_REQUEST,
  TRANSFER_COMPLETE,
  "8 DIAGNOSTICS COMPLETE",
  "9 REQUEST DOWNLOAD",
  "10 AUTONOMOUS TRANSFER COMPLETE",
  "11 DU STATE CHANGE COMPLETE",
  "12 AUTONOMOUS DU STATE CHANGE COMPLETE",
  "13 WAKEUP",
  "14 HEARTBEAT",
  "M Reboot",
  "M ScheduleInform",
  "M Download",
  "M ScheduleDownload",
  "M Upload",
  "M ChangeDUState",
] as const;

const BY_UPPER: ReadonlyMap<string, string> = new Map(STANDARD.map((c) => [c.toUpperCase(), c]));

/** The canonical form of an event code as a CPE sent it. Linear in the code's length. */
export function normaliseEventCode(raw: string): string {
  const collapsed = raw
    .trim()
    .split(/[ \t\r\n]+/)
    .join(" ");
  return BY_UPPER.get(collapsed.toUpperCase()) ?? collapsed;
}
