/**
 * The shape of a policy document as `schemas/policy.schema.json` admits it. ajv's type guard turns parsed
 * YAML into this type; `compile.ts` turns it into a `Policy`.
 */
export type RawScalar = string | number | boolean;
export interface RawTypedValue {
  readonly value: RawScalar;
  readonly type?: string;
  readonly writeOnly?: boolean;
}
export type RawValue = RawScalar | RawTypedValue;

export type RawStringMatch = string | readonly string[] | { readonly pattern: string };

export interface RawParamCondition {
  readonly equals?: RawScalar;
  readonly pattern?: string;
  readonly in?: readonly RawScalar[];
  readonly exists?: boolean;
}

export interface RawMatch {
  readonly manufacturer?: RawStringMatch;
  readonly oui?: RawStringMatch;
  readonly productClass?: RawStringMatch;
  readonly hardwareVersion?: RawStringMatch;
  readonly softwareVersion?: RawStringMatch;
  readonly serialNumber?: RawStringMatch;
  readonly dataModel?: "tr098" | "tr181";
  readonly tags?: { readonly all?: readonly string[]; readonly any?: readonly string[]; readonly none?: readonly string[] };
  readonly parameters?: Readonly<Record<string, RawParamCondition>>;
}

export interface RawTable {
  readonly key: readonly string[];
  readonly prune?: boolean;
  readonly instances: readonly Readonly<Record<string, RawValue>>[];
}

export interface RawFirmware {
  readonly version: string;
  /** Exactly one of url and file (schema). */
  readonly url?: string;
  /** A hosted file's name: compiles to the url /files/<name>. */
  readonly file?: string;
  readonly fileSize?: number;
  readonly fileType?: string;
  readonly username?: string;
  readonly password?: string;
  readonly checksum?: string;
}

export interface RawPolicy {
  readonly name: string;
  readonly description?: string;
  readonly priority?: number;
  readonly match?: RawMatch;
  readonly parameters?: Readonly<Record<string, RawValue>>;
  readonly objects?: Readonly<Record<string, RawTable>>;
  readonly attributes?: Readonly<Record<string, { readonly notification: string | number }>>;
  readonly firmware?: RawFirmware;
  readonly verify?: { readonly every: string };
  readonly drift?: "heal" | "report";
  readonly rollout?: unknown;
  readonly ignore?: readonly string[];
  readonly reboot?: { readonly allow: boolean };
  readonly connectionRequest?: { readonly provision: boolean };
}
