/**
 * Compiles a stored policy version (the sources of a set that once served) back into a PolicySet, so a restart
 * mid-rollout serves the same stable version. I/O: the sources are written to a private temporary folder and
 * loaded by the ordinary loader (same checks, same vars), then the folder is removed. The set keeps its
 * original revision.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, normalize, isAbsolute } from "node:path";
import { loadPolicySet, type LoadOptions } from "../policy/load.js";
import { buildPolicySet } from "../policy/policy-set.js";
import type { PolicySet } from "../policy/types.js";
import type { StoredVersion } from "./store-port.js";

export async function compileStoredVersion(v: StoredVersion, opts: LoadOptions = {}): Promise<PolicySet | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "converge-version-"));
  try {
    for (const f of v.sources) {
      const rel = normalize(f.rel);
      if (isAbsolute(rel) || rel.startsWith("..")) return undefined;
      const path = join(dir, rel);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.text, "utf8");
    }
    const r = await loadPolicySet(dir, opts);
    if (!r.ok) return undefined;
    return buildPolicySet({ ...r.value, revision: v.revision, dir: "(stored version)" });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
