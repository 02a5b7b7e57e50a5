import type { DeviceId } from "../../src/domain/device.js";
/** Helpers for policy tests: a temp policies folder from a map of files, and device facts with overrides. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { MatchSubject } from "../../src/policy/desired.types.js";
import { loadPolicySet } from "../../src/policy/load.js";
import type { LoadOptions } from "../../src/policy/load.js";
import type { PolicyError, PolicySet } from "../../src/policy/types.js";

/** Writes `files` (relative path -> text) into a fresh temp folder and returns its path. */
export function makePolicyDir(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), "converge-policies-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/** Loads a folder made of `files`; cleans up. */
export async function loadFiles(
  files: Readonly<Record<string, string>>,
  opts: LoadOptions = {},
): Promise<{ ok: true; set: PolicySet } | { ok: false; errors: PolicyError[] }> {
  const dir = makePolicyDir(files);
  try {
    const r = await loadPolicySet(dir, { env: {}, ...opts });
    return r.ok ? { ok: true, set: r.value } : { ok: false, errors: r.error };
  } finally {
    removeDir(dir);
  }
}

/** Loads and insists on success. */
export async function loadOk(files: Readonly<Record<string, string>>, opts: LoadOptions = {}): Promise<PolicySet> {
  const r = await loadFiles(files, opts);
  if (!r.ok) throw new Error(`expected a valid set, got:\n${r.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.severity}: ${e.message}`).join("\n")}`);
  return r.set;
}

/** A Huawei EG8145V5 (facts from test/fixtures/datamodels/huawei-eg8145v5-tr098.csv) with overrides. */
export function eg8145(over: Partial<MatchSubject> = {}): MatchSubject {
  return {
    deviceId: "00259E-EG8145V5-48575443A94196A5" as DeviceId,
    ip: "",
    connectionRequestUrl: "",
    udpConnectionRequestAddress: "",
    parameterKey: "",
    manufacturer: "Huawei Technologies Co., Ltd",
    oui: "00259E",
    productClass: "EG8145V5",
    serialNumber: "48575443A94196A5",
    softwareVersion: "V5R020C00S280",
    hardwareVersion: "159D.A",
    dataModel: "tr098",
    tags: [],
    parameters: new Map(),
    ...over,
  };
}
