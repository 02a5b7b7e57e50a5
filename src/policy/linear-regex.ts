/**
 * Every pattern a policy supplies (`{ pattern: ... }` selectors and parameter conditions, globs) runs on RE2JS,
 * a linear-time engine (no backtracking): a CPE value of length n costs O(n × pattern size), whatever the
 * pattern. `^([A-Z0-9]+,?)+$` blocked V8's engine for 17.8 s on 32 characters; here it is one pass.
 * RE2 syntax is JavaScript's without lookaround and backreferences (they cannot be linear); `validate` names
 * what is unsupported. Pure.
 */
import { RE2JS } from "re2js";
import { err, ok, type Result } from "../domain/result.js";

/** Longest pattern a policy may give (characters): bounds the compiled program and so the per-character cost. */
export const MAX_PATTERN_LENGTH = 1024;

export interface LinearRegex {
  readonly source: string;
  /** True when the pattern matches somewhere in `s` (JavaScript's RegExp.test semantics: unanchored). */
  test(s: string): boolean;
}

function wrap(source: string, re: RE2JS, whole: boolean): LinearRegex {
  return whole ? { source, test: (s) => re.matches(s) } : { source, test: (s) => re.matcher(s).find() };
}

/** Compiles a policy regex (unanchored unless it anchors itself). */
export function compileLinearRegex(source: string, caseInsensitive = false): Result<LinearRegex, string> {
  if (source.length > MAX_PATTERN_LENGTH) return err(`pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  try {
    return ok(wrap(source, RE2JS.compile(source, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0), false));
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^error parsing regexp: /, "") : String(e);
    const hint = /Perl syntax|escape sequence|named capture/.test(why) ? " (policy patterns use RE2 syntax: no lookahead, lookbehind or backreferences)" : "";
    return err(`/${source}/: ${why}${hint}`);
  }
}

/** Compiles a shell glob (`*` any run, `?` one character) over a whole string. */
export function compileGlob(glob: string, caseInsensitive: boolean): LinearRegex {
  let body = "";
  let literal = "";
  const flush = (): void => {
    if (literal !== "") body += RE2JS.quote(literal);
    literal = "";
  };
  for (const c of glob) {
    if (c === "*" || c === "?") {
      flush();
      body += c === "*" ? ".*" : ".";
    } else literal += c;
  }
  flush();
  return wrap(glob, RE2JS.compile(body, RE2JS.DOTALL | (caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0)), true);
}
