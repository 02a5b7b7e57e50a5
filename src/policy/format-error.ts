/**
 * The one rendering of a positioned error (policy files, and the configuration file: config/config.ts):
 * `file:line:col: severity: message; expected ...; (at /json/pointer)`.
 */
import type { PolicyError } from "./types.js";

/** The message with what was expected and where in the document. */
export function errorDetail(f: Pick<PolicyError, "message" | "expected" | "path">): string {
  const expected = f.expected === undefined ? "" : `; expected ${f.expected}`;
  const at = f.path === "" ? "" : ` (at ${f.path})`;
  return `${f.message}${expected}${at}`;
}

/** `file:line:col: severity: detail`; `file` defaults to the error's own (a CLI shows it relative to its cwd). */
export const formatPolicyError = (f: PolicyError, file: string = f.file): string => `${file}:${f.line}:${f.column}: ${f.severity}: ${errorDetail(f)}`;
