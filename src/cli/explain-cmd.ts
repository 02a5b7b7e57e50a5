/** `converge explain <device-id> [--db file] [--policies dir]`: which policies match, and the merged desired state. */
import { parseDeviceId } from "../domain/device.js";
import { DEFAULTS } from "../config/config.js";
import { loadPolicySet } from "../policy/load.js";
import { openStore, storeProblem } from "../store/open.js";
import { maskUrl } from "../store/target.js";
import { factsOfRecord } from "../plan/device-plan.js";
import { explainDevice } from "../plan/explain.js";
import { flagString, parseArgs, secretsFileOf, filesDirOf } from "./args.js";
import type { CliIo } from "./io.js";

const USAGE = `usage: converge explain <device-id> [--db file] [--policies dir] [--secrets-file file]
  <device-id>     as the device list shows it (OUI-ProductClass-Serial)
  --db            the store: a SQLite file or a postgres:// URL (default: CONVERGE_DB or ./data/converge.db)
  --policies      the policies folder (default: CONVERGE_POLICIES or ./policies)
  --secrets-file  a YAML map of secret values (default: CONVERGE_SECRETS_FILE)
  --files         the hosted files folder (default: CONVERGE_FILES_DIR or ./files)
`;

export async function runExplain(args: string[], io: CliIo, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const parsed = parseArgs(args, { db: true, policies: true, "secrets-file": true, files: true });
  if (parsed.ok && parsed.value.flags.has("help")) return (io.stdout(USAGE), 0);
  if (!parsed.ok || parsed.value.positional.length !== 1)
    return (io.stderr(`converge explain: ${parsed.ok ? "one device id expected" : parsed.error}\n${USAGE}`), 2);
  const p = parsed.value;
  const id = parseDeviceId(p.positional[0] as string);
  if (!id) return (io.stderr(`converge explain: ${p.positional[0]} is not a device id (OUI-ProductClass-Serial)\n`), 2);
  const db = flagString(p, "db") ?? env["CONVERGE_DB"] ?? DEFAULTS.db;
  const dir = flagString(p, "policies") ?? env["CONVERGE_POLICIES"] ?? DEFAULTS.policies;
  const problem = storeProblem(db);
  if (problem !== undefined) return (io.stderr(`converge explain: ${problem} (use --db)\n`), 1);
  const secretsFile = secretsFileOf(p, env);
  const loaded = await loadPolicySet(dir, { ...(secretsFile !== undefined ? { secretsFile } : {}), filesDir: filesDirOf(p, env) });
  if (!loaded.ok) return (io.stderr(`converge explain: policies in ${dir} are invalid (run converge validate ${dir})\n`), 1);
  const { store } = await openStore(db);
  try {
    const record = await store.getDevice(id);
    if (!record) return (io.stderr(`converge explain: no device ${id} in ${maskUrl(db)}\n`), 1);
    io.stdout(explainDevice(loaded.value, factsOfRecord(record, await store.loadReported(id))));
    return 0;
  } finally {
    await store.close();
  }
}
