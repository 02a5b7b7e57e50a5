/** `converge token hash <token>` and `converge token new`: API tokens are configured by their SHA-256 only. */
import { generateToken, hashToken } from "../auth/tokens.js";
import { parseArgs } from "./args.js";
import type { CliIo } from "./io.js";

const USAGE = `usage: converge token new | converge token hash <token>
  new           make a random API token; prints it (give it to the client, once) and its sha256
  hash <token>  print a token's sha256, what api.tokens / CONVERGE_API_TOKENS hold
`;

export async function runToken(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, {});
  if (!parsed.ok) return (io.stderr(`converge token: ${parsed.error}\n${USAGE}`), 2);
  if (parsed.value.flags.has("help")) return (io.stdout(USAGE), 0);
  const [sub, token, extra] = parsed.value.positional;
  if (sub === "hash" && token && extra === undefined) {
    io.stdout(`${hashToken(token)}\n`);
    return 0;
  }
  if (sub === "new" && token === undefined) {
    const t = generateToken();
    io.stdout(`token:  ${t}\nsha256: ${hashToken(t)}\n`);
    return 0;
  }
  io.stderr(USAGE);
  return 2;
}
