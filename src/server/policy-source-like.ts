/** The part of the policy source the server uses (src/policy/source.ts implements it). */
import type { Result } from "../domain/result.js";
import type { PolicyError, PolicySet } from "../policy/types.js";

export interface PolicySourceLike {
  current(): PolicySet | undefined;
  lastError(): { readonly at: number; readonly errors: readonly PolicyError[] } | undefined;
  reload(): Promise<Result<PolicySet, PolicyError[]>>;
}
