/**
 * The server's logger: pino with the one masking rule (domain/mask.ts) applied to every line's object and
 * message, so a log line never carries a write-only value, a secret or a credential in clear.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import { maskJson, scrub } from "../domain/mask.js";

export interface MaskedLogger {
  readonly log: Logger;
  /** The clear secret values to scrub from every line (policy secrets once loaded). */
  setSecrets(values: () => readonly string[]): void;
}

export function createMaskedLogger(level: string, destination?: DestinationStream): MaskedLogger {
  let secrets: () => readonly string[] = () => [];
  const options: pino.LoggerOptions = {
    level,
    formatters: { log: (o: Record<string, unknown>) => maskJson(o, secrets()) },
    hooks: {
      logMethod(args, method) {
        const values = secrets();
        const masked = values.length > 0 ? args.map((a: unknown) => (typeof a === "string" ? scrub(a, values) : a)) : args;
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  const log = destination ? pino(options, destination) : pino(options);
  return { log, setSecrets: (f) => void (secrets = f) };
}
