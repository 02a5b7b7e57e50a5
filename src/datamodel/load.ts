/** Loads data-model exports from disk, one shared immutable base per file (I/O). */
import { readFileSync } from "node:fs";
import { parseDataModelCsv } from "./csv.js";
import type { DataModel } from "./types.js";

const cache = new Map<string, DataModel>();

/** Reads and parses a CSV export; the same file (by resolved path or URL) yields the same shared `DataModel`. */
export function loadDataModel(file: string | URL): DataModel {
  const key = file instanceof URL ? file.href : file;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const model = parseDataModelCsv(readFileSync(file, "utf8"));
  cache.set(key, model);
  return model;
}
