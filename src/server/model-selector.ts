/** Per-model settings selected by OUI / productClass / manufacturer (cwmp.omitXmlDeclaration). */
import type { ModelSelector } from "../config/config.js";
import type { InformFacts } from "../domain/store.js";

type Model = Pick<InformFacts, "oui" | "productClass" | "manufacturer">;

/** Every field the selector gives must match: the OUI case-insensitively, the others exactly. */
export function selects(sel: ModelSelector, m: Model): boolean {
  if (sel.oui !== undefined && sel.oui.toUpperCase() !== m.oui.toUpperCase()) return false;
  if (sel.productClass !== undefined && sel.productClass !== m.productClass) return false;
  if (sel.manufacturer !== undefined && sel.manufacturer !== m.manufacturer) return false;
  return true;
}

/** Whether a device's messages carry the `<?xml ...?>` declaration: not for a model listed in `omit`. */
export function xmlDeclarationFor(omit: readonly ModelSelector[]): (m: Model) => boolean {
  return (m) => !omit.some((sel) => selects(sel, m));
}
