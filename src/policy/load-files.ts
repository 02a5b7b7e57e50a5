/**
 * Firmware that names a hosted file (`firmware.file`, or a `/files/...` url): at load time the file must exist
 * in the files folder, and its real size and SHA-256 become the Download's FileSize and the recorded checksum
 * (a policy that states either and disagrees with the file is an error). I/O, beside load.ts.
 */
import { hostedFile } from "../files/catalog.js";
import { FILES_PREFIX, nameOfPath } from "./hosted-path.js";
import type { Policy, PolicyError } from "./types.js";

export async function resolveHostedFiles(policies: readonly Policy[], filesDir: string): Promise<{ policies: Policy[]; findings: PolicyError[] }> {
  const out: Policy[] = [];
  const findings: PolicyError[] = [];
  for (const p of policies) {
    const fw = p.firmware;
    const literal = fw?.url.literal;
    if (fw === undefined || literal === undefined || !literal.startsWith(FILES_PREFIX)) {
      out.push(p);
      continue;
    }
    const at = { file: p.file, line: fw.site.line, column: fw.site.column, path: "/firmware" };
    const fail = (message: string, expected?: string): void =>
      void findings.push({ ...at, severity: "error", code: "hosted-file", message, ...(expected === undefined ? {} : { expected }) });
    const name = nameOfPath(literal);
    const f = name === undefined ? undefined : await hostedFile(filesDir, name);
    if (name === undefined) fail(`firmware: "${literal}" is not a file name Converge can host`, "a path inside the files folder, without .. or a leading dot");
    else if (!f) fail(`firmware: no file "${name}" in the files folder ${filesDir}`, "the file to exist (files.dir / CONVERGE_FILES_DIR, validate --files)");
    else if (fw.fileSize !== 0 && fw.fileSize !== f.size)
      fail(`firmware: fileSize ${fw.fileSize} but ${name} has ${f.size} bytes`, "no fileSize (Converge reads it from the file) or the real one");
    else if (fw.checksum !== undefined && fw.checksum.toLowerCase() !== `sha256:${f.sha256}`)
      fail(`firmware: checksum ${fw.checksum} but ${name} has sha256:${f.sha256}`, "no checksum (Converge computes it) or the real one");
    out.push(f ? { ...p, firmware: { ...fw, fileSize: f.size, checksum: `sha256:${f.sha256}` } } : p);
  }
  return { policies: out, findings };
}
