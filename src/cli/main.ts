/** The `converge` command: dispatches to subcommands. Exit codes: 0 ok, 1 failure, 2 usage error. */
import { processIo, type CliIo } from "./io.js";

const USAGE = `usage: converge <command> [options]

commands:
  serve                      run the ACS (CWMP on :7547, REST API on :7557)
  validate [dir]             check a policies folder (--format text|json|github, --strict)
  plan [dir]                 what a policies folder would change on the stored fleet (--db file | --api url [--token t], --device, --json, --markdown, --detailed-exitcode)
  explain <device-id>        which policies match a stored device, and its desired state with provenance (--db, --policies)
  sim                        run a simulated CPE fleet against an ACS (--acs, --count, --model, ...)
  rollout <sub> [id]         staged rollouts over the API: list | status | pause | resume | promote | abort (--api, --token, --json)
  token hash <token>         print the sha256 to put in api.tokens / CONVERGE_API_TOKENS
`;

type Command = (args: string[], io: CliIo, env: Readonly<Record<string, string | undefined>>) => Promise<number>;

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  serve: async () => (await import("./serve.js")).runServe,
  validate: async () => (await import("./validate.js")).runValidate,
  plan: async () => (await import("./plan.js")).runPlan,
  explain: async () => (await import("./explain-cmd.js")).runExplain,
  sim: async () => (await import("./sim.js")).runSim,
  token: async () => (await import("./token.js")).runToken,
  rollout: async () => (await import("./rollout.js")).runRollout,
};

export async function main(argv: string[], io: CliIo = processIo, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`converge: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  const run = await load();
  return run(rest, io, env);
}
