/**
 * The compiled policy model: what the loader builds from YAML, what `desiredStateFor` reads. Immutable.
 */
import type { XsdType } from "../domain/xsd.js";
import type { NotificationLevel } from "../cwmp/types.js";
import type { Provenance } from "./desired.types.js";
import type { Template } from "./template.js";
import type { Selector } from "./match.js";
import type { Strategy } from "../rollout/types.js";

/** A source position: file relative to the policies folder, 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type Severity = "error" | "warning";

/** One finding of the loader or of validation. `path` is the JSON pointer in the YAML document ("" = whole file). */
export interface PolicyError extends SourceLocation {
  readonly severity: Severity;
  readonly code: PolicyErrorCode;
  readonly path: string;
  readonly message: string;
  /** What was expected, when there is something to say ("one of: heal, report"). */
  readonly expected?: string;
  /** Other locations involved (the other policy of a conflict or duplicate). */
  readonly related?: readonly SourceLocation[];
}

export type PolicyErrorCode =
  | "yaml-syntax"
  | "schema"
  | "unknown-key"
  | "duplicate-name"
  | "invalid-regex"
  | "invalid-version-range"
  | "invalid-glob"
  | "template-syntax"
  | "unknown-template-variable"
  | "unknown-filter"
  | "invalid-value"
  | "unknown-path"
  | "read-only-path"
  | "not-a-table"
  | "mixed-data-models"
  | "conflict"
  | "never-matches"
  | "shadowed"
  | "vars-file"
  | "hosted-file"
  | "secrets-file"
  | "missing-secret"
  | "io"
  | "too-large"
  | "load-failed"
  | "rollout-strategy";

/** Where something is written: line and column (1-based) and its JSON pointer in the document. */
export interface Site {
  readonly line: number;
  readonly column: number;
  readonly pointer: string;
}

/** A desired value before per-device resolution: either a fixed lexical value or a template. */
export interface PolicyValue {
  readonly path: string;
  /** The lexical value when it has no template. */
  readonly literal: string | undefined;
  readonly template: Template | undefined;
  /** The raw text as written (for conflict comparison and explain). */
  readonly raw: string;
  readonly type: XsdType | undefined;
  readonly writeOnly: boolean;
  readonly site: Site;
}

export interface PolicyInstance {
  readonly key: Readonly<Record<string, string>>;
  readonly values: readonly PolicyValue[];
  readonly site: Site;
}

export interface PolicyTable {
  readonly table: string; // ends with "."
  readonly keyNames: readonly string[];
  readonly prune: boolean;
  readonly instances: readonly PolicyInstance[];
  readonly site: Site;
}

export interface PolicyAttribute {
  readonly path: string;
  readonly notification: NotificationLevel;
  readonly site: Site;
}

export interface PolicyFirmware {
  readonly version: string;
  readonly url: PolicyValue;
  readonly fileSize: number;
  readonly fileType: string;
  readonly username: PolicyValue;
  readonly password: PolicyValue;
  readonly checksum: string | undefined;
  readonly site: Site;
}

/** One compiled policy. `precedence` is its rank in the set: 0 = highest priority (then name). */
export interface Policy {
  readonly name: string;
  readonly description: string;
  readonly priority: number;
  readonly file: string;
  readonly line: number;
  readonly site: Site;
  readonly selector: Selector;
  /** `match.dataModel`, else the root all its paths share. */
  readonly dataModel: "tr098" | "tr181" | undefined;
  /** True when the policy can never apply (a warning was given): it matches no device. */
  readonly inert: boolean;
  readonly values: readonly PolicyValue[];
  readonly tables: readonly PolicyTable[];
  readonly attributes: readonly PolicyAttribute[];
  readonly firmware: PolicyFirmware | undefined;
  readonly verifyEveryMs: number;
  readonly drift: "heal" | "report";
  readonly ignore: readonly string[];
  readonly ignoreMatchers: readonly RegExp[];
  readonly allowReboot: boolean | undefined;
  /** `connectionRequest.provision`: undefined when the policy says nothing. */
  readonly provisionConnectionRequest: boolean | undefined;
  /** `rollout:` as written; undefined = the configuration's rollout.default. */
  readonly rollout?: Strategy | undefined;
  /** Digest of the document without `rollout:` (key order normalised): equal fingerprints = the same version. */
  readonly fingerprint?: string;
}

/** Per-device variables and secrets, behind functions so that a snapshot never serialises them. */
export interface Lookups {
  /** A variable for a device: by device id, then serial number, then the `*` row. */
  readonly variable: (name: string, id: string, serialNumber: string) => string | undefined;
  readonly hasVariable: (name: string) => boolean;
  readonly secret: (name: string) => string | undefined;
  /** Every secret value in force, for masking (domain/mask.ts rule 3); absent in sets built without secrets. */
  readonly secretValues?: () => readonly string[];
}

/** An immutable, revisioned snapshot of the policies folder. */
export interface PolicySet {
  /** Git commit of the folder (`<sha>` or `<sha>-dirty.<hash8>`), else `sha256:<16 hex>` of the content. */
  readonly revision: string;
  readonly loadedAt: number;
  readonly dir: string;
  /** In precedence order: priority descending, then name. */
  readonly policies: readonly Policy[];
  readonly warnings: readonly PolicyError[];
  readonly lookups: Lookups;
  readonly index: PolicyIndex;
  /** Digest of the secrets in force (not part of the revision: secrets live outside git). */
  readonly secretsDigest: string;
  /** The files the set was compiled from (policy files and vars), so a rollout can keep serving this version after a restart. */
  readonly sources?: readonly { readonly rel: string; readonly text: string }[];
}

/** Pre-index of policies by literal OUI / ProductClass so matching a device only checks candidates. */
export interface PolicyIndex {
  readonly byOui: ReadonlyMap<string, readonly number[]>;
  readonly byProductClass: ReadonlyMap<string, readonly number[]>;
  readonly rest: readonly number[];
}

export const provenanceOf = (p: Policy, site: Site): Provenance => ({ policy: p.name, file: p.file, line: site.line });

/** A problem found while compiling one document, before it has a source position: pointer = JSON pointer. */
export interface Issue {
  readonly pointer: string;
  readonly code: PolicyErrorCode;
  readonly message: string;
  readonly severity: Severity;
  readonly expected?: string;
  /** Point at the key of the last pointer segment rather than its value (unknown keys, paths). */
  readonly atKey?: boolean;
}

/** Appends a segment to a JSON pointer (RFC 6901 escaping). */
export const ptr = (base: string, seg: string | number): string => `${base}/${String(seg).replace(/~/g, "~0").replace(/\//g, "~1")}`;
