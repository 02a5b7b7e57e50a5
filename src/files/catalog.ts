/**
 * Hosted files (I/O): firmware images and configuration files in one folder, named by their path relative to
 * it (`eg8145v5/V5R020C10S115.bin`). A name is checked before it touches the file system (no `..`, no absolute
 * path, no backslash or control characters, bounded length), and the resolved real path must stay inside the
 * folder (a symlink cannot lead out). Size and SHA-256 are read once per (path, size, mtime) and cached; hashing
 * streams the file, so a large image never blocks the event loop.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { safeName } from "../policy/hosted-path.js";

export interface HostedFile {
  /** The name as served: `/files/<name>`. */
  readonly name: string;
  readonly path: string;
  readonly size: number;
  /** Lower-case hex. */
  readonly sha256: string;
  readonly mtimeMs: number;
}

export { FILES_PREFIX, hostedPath, nameOfPath, safeName } from "../policy/hosted-path.js";

const cache = new Map<string, HostedFile>();
const MAX_CACHED = 1024;

function sha256Of(path: string): Promise<string> {
  return new Promise((ok, fail) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => h.update(chunk))
      .on("error", fail)
      .on("end", () => ok(h.digest("hex")));
  });
}

/** The file `name` in `dir`, or undefined when the name is unsafe or no regular file is there. */
export async function hostedFile(dir: string, name: string): Promise<HostedFile | undefined> {
  const safe = safeName(name);
  if (safe === undefined) return undefined;
  let root: string;
  let path: string;
  try {
    root = await realpath(resolve(dir));
    path = await realpath(resolve(root, safe));
  } catch {
    return undefined;
  }
  if (!path.startsWith(root + sep)) return undefined;
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const sha256 = await sha256Of(path);
  const file: HostedFile = { name: safe, path, size: st.size, sha256, mtimeMs: st.mtimeMs };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, file);
  return file;
}
