/**
 * A real `converge serve` in a child process (the CLI entry from source, through tsx) on 127.0.0.1 with
 * ephemeral ports, a temporary SQLite file and policies folder; its URLs come from its own start-up log line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ServeProcess {
  readonly cwmpUrl: string;
  readonly apiUrl: string;
  readonly dir: string;
  readonly policiesDir: string;
  readonly child: ChildProcess;
  /** Everything the server logged so far. */
  log(): string;
  close(): Promise<void>;
}

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
/** The repository root: where `--import tsx` resolves from. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export async function startServeProcess(opts: { readonly policies: URL | string; readonly env?: Readonly<Record<string, string>> }): Promise<ServeProcess> {
  const dir = mkdtempSync(join(tmpdir(), "converge-serve-"));
  const policiesDir = join(dir, "policies");
  cpSync(opts.policies, policiesDir, { recursive: true });
  const env = {
    PATH: process.env["PATH"] ?? "",
    HOME: dir,
    CONVERGE_CWMP_PORT: "0",
    CONVERGE_API_PORT: "0",
    CONVERGE_BIND: "127.0.0.1",
    CONVERGE_API_BIND: "127.0.0.1",
    CONVERGE_DB: join(dir, "converge.db"),
    CONVERGE_POLICIES: policiesDir,
    CONVERGE_LOG_LEVEL: "info",
    ...opts.env,
  };
  const script = `import(${JSON.stringify(MAIN)}).then((m) => m.main(["serve"])).then((c) => { process.exitCode = c; })`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env, stdio: ["ignore", "pipe", "pipe"], cwd: ROOT });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const urls = await new Promise<{ cwmpUrl: string; apiUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`converge serve did not start in 30 s:\n${out}`)), 30_000);
    const look = (): void => {
      for (const line of out.split("\n")) {
        if (!line.includes('"converge serving"')) continue;
        const j = JSON.parse(line) as { cwmpUrl: string; apiUrl: string };
        clearTimeout(timer);
        child.stdout?.off("data", look);
        resolve({ cwmpUrl: j.cwmpUrl, apiUrl: j.apiUrl });
        return;
      }
    };
    child.stdout?.on("data", look);
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`converge serve exited with ${code}:\n${out}`))));
  });
  return {
    ...urls,
    dir,
    policiesDir,
    child,
    log: () => out,
    async close() {
      // A child killed by a signal (SIGKILL in a failover test) has no exit code but has exited already.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
