/**
 * The revision of a policies folder: the git commit when the folder is in a git work tree (with a dirty
 * marker and a short content hash when it has uncommitted changes), else a hash of the content. I/O.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";

export interface ContentFile {
  readonly rel: string;
  readonly text: string;
}

/** `sha256:` + the first 16 hex digits of the hash over every file's relative path and content. */
export function contentHash(files: readonly ContentFile[]): string {
  const h = createHash("sha256");
  for (const f of [...files].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))) h.update(`${f.rel}\0${f.text}\0`);
  return `sha256:${h.digest("hex").slice(0, 16)}`;
}

function git(dir: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    // GIT_OPTIONAL_LOCKS=0: `git status` must not take index.lock while someone else commits.
    execFile("git", ["-C", dir, ...args], { env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" }, timeout: 5000 }, (e, stdout) =>
      resolve(e === null ? stdout.trim() : undefined),
    );
  });
}

/**
 * `<sha>` for a clean git work tree, `<sha>-dirty.<8 hex>` when `git status` shows changes under the folder (the
 * hash keeps two different dirty states apart), else `sha256:<16 hex>`.
 */
export async function revisionOf(dir: string, files: readonly ContentFile[]): Promise<string> {
  const hash = contentHash(files);
  if ((await git(dir, ["rev-parse", "--is-inside-work-tree"])) !== "true") return hash;
  const sha = await git(dir, ["rev-parse", "HEAD"]);
  if (sha === undefined || !/^[0-9a-f]{40}$/.test(sha)) return hash;
  const status = await git(dir, ["status", "--porcelain", "--untracked-files=all", "--", "."]);
  if (status === undefined) return hash;
  return status === "" ? sha : `${sha}-dirty.${hash.slice("sha256:".length, "sha256:".length + 8)}`;
}
