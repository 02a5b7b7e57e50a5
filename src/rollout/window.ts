/**
 * Maintenance windows: is a window open at an instant, in a named zone or in the device's own zone? Pure (Intl
 * is data, not I/O). A window from 22:00 to 04:00 wraps midnight and belongs to the day it opens on.
 *
 * Device zones: TR-098 `Time.LocalTimeZoneName` / TR-181 `Time.LocalTimeZone` hold an IANA name on some CPEs and a
 * POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3") on most; TR-098 `Time.LocalTimeZone` an offset ("+01:00").
 * An IANA name is used as is; a POSIX string or an offset gives its standard offset (daylight saving is not
 * applied: documented in docs/rollouts.md); anything else, or nothing, is UTC.
 */
import type { MaintenanceWindow, Weekday } from "./types.js";
import { WEEKDAYS } from "./types.js";

const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 512;

function formatter(tz: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(tz);
  if (f !== undefined) return f;
  try {
    f = new Intl.DateTimeFormat("en-GB", { timeZone: tz, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  } catch {
    return undefined;
  }
  if (formatters.size < MAX_FORMATTERS) formatters.set(tz, f);
  return f;
}

export function validTimeZone(tz: string): boolean {
  return tz.length <= 64 && formatter(tz) !== undefined;
}

/** A zone: an IANA name, or a fixed offset in minutes east of UTC. */
export type Zone = { readonly name: string } | { readonly offsetMinutes: number };
export const UTC: Zone = { name: "UTC" };

/** The zone a device reports (see the module comment), UTC when absent or not understood. Bounded input. */
export function deviceZone(reported: string | undefined): Zone {
  const v = (reported ?? "").trim();
  if (v === "" || v.length > 64) return UTC;
  if (/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/.test(v) && validTimeZone(v)) return { name: v };
  const offset = /^([+-])(\d\d):?(\d\d)$/.exec(v);
  if (offset) return { offsetMinutes: (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) };
  // POSIX: std name (3+ letters or <...>), then an offset WEST of UTC: "CET-1" is UTC+1.
  const posix = /^(?:[A-Za-z]{3,}|<[^>]{1,16}>)([+-]?)(\d{1,2})(?::(\d\d))?/.exec(v);
  if (posix) return { offsetMinutes: (posix[1] === "-" ? 1 : -1) * (Number(posix[2]) * 60 + Number(posix[3] ?? "0")) };
  return UTC;
}

/** Local weekday and minute of the day of `now` in `zone`. */
export function localTime(now: number, zone: Zone): { readonly day: Weekday; readonly minute: number } {
  if ("offsetMinutes" in zone) {
    const d = new Date(now + zone.offsetMinutes * 60_000);
    return { day: WEEKDAYS[(d.getUTCDay() + 6) % 7] ?? "mon", minute: d.getUTCHours() * 60 + d.getUTCMinutes() };
  }
  const f = formatter(zone.name) ?? formatter("UTC");
  const parts = f?.formatToParts(new Date(now)) ?? [];
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? "";
  const day = WEEKDAYS.find((w) => w === get("weekday").toLowerCase().slice(0, 3)) ?? "mon";
  return { day, minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

const previousDay = (d: Weekday): Weekday => WEEKDAYS[(WEEKDAYS.indexOf(d) + 6) % 7] ?? "sun";

/** Whether the window is open at `now` for a device in `zone`. */
export function windowOpen(w: MaintenanceWindow, now: number, zone: Zone): boolean {
  const { day, minute } = localTime(now, w.tz === "device" ? zone : { name: w.tz });
  if (w.fromMinute < w.toMinute) return w.days.includes(day) && minute >= w.fromMinute && minute < w.toMinute;
  // Wraps midnight: open from `from` on a listed day until `to` the next morning.
  return (w.days.includes(day) && minute >= w.fromMinute) || (w.days.includes(previousDay(day)) && minute < w.toMinute);
}
