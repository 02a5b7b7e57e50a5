/**
 * Reading the standard data-model index (`dm-index.json`, beside this module in src/ and, from dist/, in the
 * package's src/datamodel/). I/O: the policy loader and the simulator call it; the pure lookups are in dm-index.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import type { DmIndex } from "./dm-index.js";

const DM_CANDIDATES = [new URL("./dm-index.json", import.meta.url), new URL("../../src/datamodel/dm-index.json", import.meta.url)];

/** The standard data-model index, or undefined when it is missing. */
export function readDmIndex(): DmIndex | undefined {
  const url = DM_CANDIDATES.find((u) => existsSync(u));
  return url === undefined ? undefined : (JSON.parse(readFileSync(url, "utf8")) as DmIndex);
}
