/**
 * Data-model checks for validate: a path the standard does not define (with a suggestion), a write to a
 * read-only parameter, a table that is not multi-instance. Vendor `X_` extensions pass as unknown. Pure.
 */
import type { DmIndex, DmParam } from "../datamodel/dm-index.js";
import { lookupParam, lookupTable } from "../datamodel/dm-index.js";
import type { Issue } from "./types.js";
import { nearest } from "./suggest.js";

const modelName = (path: string): string => (path.startsWith("Device.") ? "TR-181" : "TR-098");

/**
 * Checks a parameter the policy writes. Returns its definition when the standard knows it (for typing and
 * value checks). An unknown path is an error when a near standard name exists (a likely typo), else a warning.
 */
export function checkWritablePath(dm: DmIndex, path: string, pointer: string, issues: Issue[], shown = path): DmParam | undefined {
  const r = lookupParam(dm, path, nearest);
  switch (r.kind) {
    case "vendor":
      return undefined;
    case "unknown":
      issues.push(
        r.suggestion !== undefined
          ? {
              pointer,
              atKey: true,
              code: "unknown-path",
              severity: "error",
              message: `unknown ${modelName(path)} parameter "${shown}" (did you mean "${suggestionShown(r.suggestion, path, shown)}"?)`,
            }
          : {
              pointer,
              atKey: true,
              code: "unknown-path",
              severity: "warning",
              message: `"${shown}" is not in the ${modelName(path)} definitions (vendor extensions should use an X_ prefix)`,
            },
      );
      return undefined;
    case "param":
      if (r.param.w === undefined)
        issues.push({
          pointer,
          atKey: true,
          code: "read-only-path",
          severity: "error",
          message: `"${shown}" is read-only in ${modelName(path)} (${r.generic})`,
        });
      return r.param;
  }
}

/** For instance values the user wrote a relative name: show the suggestion relative too. */
function suggestionShown(suggestion: string, path: string, shown: string): string {
  if (shown === path) return suggestion;
  const prefix = path.slice(0, path.length - shown.length);
  return suggestion.startsWith(prefix) ? suggestion.slice(prefix.length) : suggestion;
}

/** Checks a table path: it must be a standard multi-instance object (or a vendor extension). */
export function checkTablePath(dm: DmIndex, table: string, pointer: string, issues: Issue[]): void {
  const r = lookupTable(dm, table);
  if (r.kind === "unknown")
    issues.push({
      pointer,
      atKey: true,
      code: "not-a-table",
      severity: "warning",
      message: `"${table}" is not a multi-instance table in the ${modelName(table)} definitions`,
    });
}

/** Checks a path the policy names without writing it (attributes): it must exist unless it is a vendor extension. */
export function checkKnownPath(dm: DmIndex, path: string, pointer: string, issues: Issue[]): void {
  const before = issues.length;
  checkWritablePath(dm, path, pointer, issues);
  // Attributes may be set on read-only parameters: drop that finding, keep unknown-path ones.
  for (let i = issues.length - 1; i >= before; i--) if (issues[i]?.code === "read-only-path") issues.splice(i, 1);
}
