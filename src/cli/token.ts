/** `converge token hash <token>` and `converge token new`: API tokens are configured by their SHA-256 only. */
import { generateToken, hashToken } from "../auth/tokens.js";
import type { CliIo } from "./io.js";

export async function runToken(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, token] = args;
  if (sub === "hash" && token) {
    io.stdout(`${hashToken(token)}\n`);
    return 0;
  }
  if (sub === "new") {
    const t = generateToken();
    io.stdout(`token:  ${t}\nsha256: ${hashToken(t)}\n`);
    return 0;
  }
  io.stderr("usage: converge token hash <token> | converge token new\n");
  return 2;
}
