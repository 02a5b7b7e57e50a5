/**
 * Notification attributes: read the level when it is not known (GetParameterAttributes, which also proves the
 * parameter exists), set it when it differs. The level is kept beside the reported value or the known name.
 */
import type { DesiredAttribute } from "../policy/desired.types.js";
import type { PlanContext } from "./context.js";
import { intents, NO_INTENTS, type Intents } from "./intents.js";
import { activeBackoff, knownAbsent } from "./knowledge.js";
import { isIgnored } from "./paths.js";

// Attributes have no verify period of their own: any enumeration of the parent proves absence.
const ALWAYS_FRESH = Number.POSITIVE_INFINITY;

/** Plans one desired notification attribute. */
export function planAttribute(ctx: PlanContext, a: DesiredAttribute): Intents {
  const path = a.path;
  if (isIgnored(ctx.input.desired.ignore, path)) return NO_INTENTS;
  if (path.endsWith(".")) {
    return intents({ notes: [{ kind: "unsupported", path, message: "attributes on partial paths cannot be verified; name each parameter" }] });
  }
  const b = activeBackoff(ctx.k, path);
  if (b !== undefined) return intents({ notes: [{ kind: "backoff", path, until: b.until, code: b.code }] });
  const absentFrom = knownAbsent(ctx.k, path, ALWAYS_FRESH);
  if (absentFrom !== undefined) return intents({ notes: [{ kind: "unsupported", path, message: `not in ${absentFrom} on this device` }] });
  const current = ctx.input.reported.params.get(path)?.notification ?? ctx.input.reported.names?.get(path)?.notification;
  if (current === undefined) return intents({ readAttributes: [path] });
  if (current === a.notification) return NO_INTENTS;
  return intents({ attributes: [{ path, notification: a.notification, from: a.from }] });
}
