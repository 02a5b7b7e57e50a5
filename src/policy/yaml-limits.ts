/**
 * Bounds on what one YAML file of a policies folder may hold (docs/operations.md "Limits"), checked before the
 * work they bound: the size before parsing, keys and aliases on the parsed tree before it is expanded to values.
 * A file over a bound is a rejected revision with a `too-large` error, never a frozen or crashed server.
 */
export const YAML_LIMITS = Object.freeze({
  /** Characters of one policy, variable or secrets file. */
  maxFileChars: 16 * 1024 * 1024,
  /** Mapping keys in one file (all documents). */
  maxKeys: 500_000,
  /** Alias nodes (`*name`) in one file. */
  maxAliases: 100,
  /** Nodes an alias may expand to, counted by the yaml library while building values (its maxAliasCount). */
  maxAliasCount: 100,
});
