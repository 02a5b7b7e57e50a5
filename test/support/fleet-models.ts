/** The six real data models under test/fixtures/datamodels, loaded once per process. */
import { loadDataModel } from "../../src/datamodel/load.js";
import type { DataModel } from "../../src/datamodel/types.js";

export const MODEL_FILES = [
  "huawei-bm632w-tr098.csv",
  "huawei-eg8145v5-tr098.csv",
  "nokia-g1425ga-tr098.csv",
  "zte-h199a-tr098.csv",
  "tplink-ec220g5v3-tr181.csv",
  "tplink-ex220-tr181.csv",
] as const;

const cache = new Map<string, DataModel>();

export function model(file: (typeof MODEL_FILES)[number]): DataModel {
  let m = cache.get(file);
  if (!m) {
    m = loadDataModel(new URL(`../fixtures/datamodels/${file}`, import.meta.url));
    cache.set(file, m);
  }
  return m;
}
