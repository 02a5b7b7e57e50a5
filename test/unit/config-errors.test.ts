/**
 * Bad configurations, one row each: every problem comes back rendered like a policy error (policy/format-error.ts):
 * `file:line:col: error: config key k: message` with a did-you-mean for a misspelt key, or, for a value from an
 * environment variable, the variable and the key. Never ajv's raw text.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildConfig } from "../../src/config/config.js";

const ROWS: readonly { what: string; file?: string; env?: Record<string, string>; want: readonly string[] }[] = [
  {
    what: "a misspelt top-level key",
    file: "cwmp:\n  port: 7547\nlimts:\n  maxSessions: 10\n",
    want: ['converge.yaml:3:1: error: unknown key "limts" (did you mean "limits"?)'],
  },
  {
    what: "a misspelt nested key, on its own line",
    file: "limits:\n  maxSession: 10\n",
    want: ['converge.yaml:2:3: error: config key limits: unknown key "maxSession" (did you mean "maxSessions"?)'],
  },
  {
    what: "a value of the wrong type",
    file: "kick:\n  perSecond: fast\n",
    want: ['converge.yaml:2:14: error: config key kick.perSecond: expected number, got string "fast"'],
  },
  {
    what: "a value outside its enum",
    file: "cpeAuth:\n  mode: kerberos\n",
    want: ['converge.yaml:2:9: error: config key cpeAuth.mode: expected one of open, basic, digest or any, got string "kerberos"'],
  },
  { what: "a number out of range", file: "api:\n  port: 70000\n", want: ["converge.yaml:2:9: error: config key api.port: must be <= 65535"] },
  {
    what: "a quirk entry without match",
    file: "quirks:\n  - booleanAsDigit: true\n",
    want: ['converge.yaml:2:5: error: config key quirks.0: missing required key "match"'],
  },
  {
    what: "a misspelt quirk switch",
    file: "quirks:\n  - match: { oui: 00259E }\n    booleanAsDigits: true\n",
    want: ['converge.yaml:3:5: error: config key quirks.0: unknown key "booleanAsDigits" (did you mean "booleanAsDigit"?)'],
  },
  {
    what: "a misspelt key in a model selector (one $defs entry shared by quirks and cwmp.omitXmlDeclaration)",
    file: "quirks:\n  - match: { ouii: 00259E }\ncwmp:\n  omitXmlDeclaration:\n    - { productclass: X }\n",
    want: [
      'converge.yaml:2:14: error: config key quirks.0.match: unknown key "ouii" (did you mean "oui"?)',
      'converge.yaml:5:9: error: config key cwmp.omitXmlDeclaration.0: unknown key "productclass" (did you mean "productClass"?)',
    ],
  },
  {
    what: "a bad variable value names the variable and the key",
    env: { CONVERGE_API_PORT: "70000" },
    want: ["CONVERGE_API_PORT (config key api.port): must be <= 65535"],
  },
  { what: "a variable that does not parse", env: { CONVERGE_MAX_SESSIONS: "many" }, want: ['CONVERGE_MAX_SESSIONS: expected a whole number, got "many"'] },
  {
    what: "CONVERGE_QUIRKS as JSON, validated by the same schema",
    env: { CONVERGE_QUIRKS: '[{"match": {"oui": "00259E"}, "spvBatchSize": 0}]' },
    want: ["CONVERGE_QUIRKS (config key quirks.0.spvBatchSize): must be >= 1"],
  },
  { what: "YAML syntax", file: "cwmp:\n  port: [7547\n", want: ["converge.yaml:3:1: error: Flow sequence"] },
  {
    what: "two problems at once, both reported",
    file: "api:\n  port: -1\n  bnd: x\n",
    want: ["converge.yaml:2:9: error: config key api.port: must be >= 0", 'converge.yaml:3:3: error: config key api: unknown key "bnd" (did you mean "bind"?)'],
  },
];

describe("bad configurations: positioned, named, with a suggestion", () => {
  for (const row of ROWS) {
    it(row.what, () => {
      const c = buildConfig(row.env ?? {}, row.file, "converge.yaml");
      assert.equal(c.ok, false);
      if (c.ok) return;
      for (const w of row.want)
        assert.ok(
          c.error.some((e) => e.startsWith(w)),
          `want a line starting ${JSON.stringify(w)}, got:\n${c.error.join("\n")}`,
        );
      assert.ok(!c.error.some((e) => /must NOT have additional properties|must have required property/.test(e)), `raw ajv text: ${c.error.join("\n")}`);
    });
  }
});
