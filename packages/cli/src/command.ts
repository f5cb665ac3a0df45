/**
 * What every `fwsign` verb is: a name, a usage text, and a run that returns an exit code. The
 * command table lists verbs as entries that load their code on first use, so `fwsign --help` and
 * a verb's start-up compile only what that verb needs.
 */

/** Where a command writes and reads relative paths from; tests pass their own to capture output. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  cwd: string;
  env: Record<string, string | undefined>;
}

export const EXIT_OK = 0;
/** The operation failed, or `verify` found the image invalid. */
export const EXIT_FAILURE = 1;
/** The command line was wrong. */
export const EXIT_USAGE = 2;

/**
 * The AWS CLI v2's return codes, which the verbs twinned with `aws signer …` use instead
 * (docs.aws.amazon.com/cli/latest/topic/return-codes.html).
 */
export const AWS_EXIT = {
  /** Invalid syntax, an unknown or missing parameter, a value that does not parse. */
  usage: 252,
  /** Invalid configuration or credentials (the request was never sent). */
  config: 253,
  /** The service answered with an error. */
  service: 254,
  /** Anything else: the endpoint did not answer, a waiter failed, an unexpected error. */
  other: 255,
} as const;

export interface Command {
  /** One or more words: `sign`, `keys create`. */
  readonly name: string;
  /** One line for the overview; the command table's entry carries it for lazily loaded verbs. */
  readonly summary?: string;
  /** Shown by `fwsign help <verb>` and after a usage error; starts with the synopsis line. */
  readonly usage: string;
  /** Twinned with an `aws` verb: exits with the AWS CLI's return codes (AWS_EXIT). */
  readonly aws?: boolean;
  run(args: string[], io: CliIo): Promise<number>;
}

/** A command table entry whose code is imported only when the verb runs (its own bundle chunk). */
export interface LazyCommand {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export type CommandEntry = Command | LazyCommand;

export const lazy = (name: string, summary: string, load: () => Promise<Command>): LazyCommand => ({
  name,
  summary,
  load,
});

/** The entry's code: already loaded, or imported now. */
export const loadCommand = (entry: CommandEntry): Promise<Command> =>
  'load' in entry ? entry.load() : Promise.resolve(entry);

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}
