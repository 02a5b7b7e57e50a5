/** The `converge` command: dispatches to subcommands. Exit codes: 0 ok, 1 failure, 2 usage error. */
import { readFileSync } from "node:fs";
import { processIo, type CliIo } from "./io.js";

type Env = Readonly<Record<string, string | undefined>>;
type Command = (args: string[], io: CliIo, env: Env) => Promise<number>;

interface Entry {
  /** As shown in `converge --help`: the synopsis, then what it does. */
  readonly usage: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/** Every subcommand. A new one is one entry here (and its module); `converge <command> --help` details it. */
const COMMANDS: Readonly<Record<string, Entry>> = {
  serve: { usage: "serve", summary: "run the ACS (CWMP on :7547, REST API on :7557)", load: async () => (await import("./serve.js")).runServe },
  validate: {
    usage: "validate [dir]",
    summary: "check a policies folder (--format text|json|github, --strict)",
    load: async () => (await import("./validate.js")).runValidate,
  },
  plan: {
    usage: "plan [dir]",
    summary: "what a policies folder would change on the stored fleet (--db file | --api url [--token t], --device, --json, --markdown, --detailed-exitcode)",
    load: async () => (await import("./plan.js")).runPlan,
  },
  explain: {
    usage: "explain <device-id>",
    summary: "which policies match a stored device, and its desired state with provenance (--db, --policies)",
    load: async () => (await import("./explain-cmd.js")).runExplain,
  },
  devices: {
    usage: "devices [filters]",
    summary: "search stored devices: --serial, --model, --ip, --condition, ... (--db file | --api url, --json)",
    load: async () => (await import("./devices.js")).runDevices,
  },
  sim: {
    usage: "sim",
    summary: "run a simulated CPE fleet against an ACS (--acs, --count, --model, ...)",
    load: async () => (await import("./sim.js")).runSim,
  },
  rollout: {
    usage: "rollout <sub> [id]",
    summary: "staged rollouts over the API: list | status | pause | resume | promote | abort (--api, --token, --json)",
    load: async () => (await import("./rollout.js")).runRollout,
  },
  token: {
    usage: "token new | token hash <token>",
    summary: "make an API token and its sha256 / print a token's sha256 for api.tokens",
    load: async () => (await import("./token.js")).runToken,
  },
};

function usage(): string {
  const rows = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(32)} ${c.summary}`);
  return `usage: converge <command> [options]

commands:
${rows.join("\n")}

options on every command: --help (-h); on serve, validate, plan and explain: --secrets-file <file>
(else CONVERGE_SECRETS_FILE). converge --version prints the version.
`;
}

/** The package version (package.json is two levels above both src/cli and dist/cli). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

export async function main(argv: string[], io: CliIo = processIo, env: Env = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout(`converge ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`converge: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  const run = await entry.load();
  return run(rest, io, env);
}
