/**
 * The shape of a policy document as `schemas/policy.schema.json` admits it, DERIVED from the schema
 * (json-schema-to-ts `FromSchema` over its generated `as const` module `policy-schema.ts`): ajv's type guard
 * turns parsed YAML into this type; `compile.ts` turns it into a `Policy`. Edit the schema, then
 * `node --import tsx scripts/render-schemas.ts`.
 */
import type { FromSchema } from "json-schema-to-ts";
import type { POLICY_SCHEMA } from "./policy-schema.js";

/** Read-only all the way down (what ajv hands over is never mutated). */
type Frozen<T> = T extends (infer U)[] ? readonly Frozen<U>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

export type RawPolicy = Frozen<FromSchema<typeof POLICY_SCHEMA>>;
export type RawMatch = NonNullable<RawPolicy["match"]>;
export type RawStringMatch = NonNullable<RawMatch["serialNumber"]>;
export type RawParamCondition = NonNullable<RawMatch["parameters"]>[string];
export type RawValue = NonNullable<RawPolicy["parameters"]>[string];
export type RawScalar = Exclude<RawValue, { readonly value: unknown }>;
export type RawTable = NonNullable<RawPolicy["objects"]>[string];
export type RawFirmware = NonNullable<RawPolicy["firmware"]>;
