/** What every `fwsign` verb is: a name, a one-line summary, a usage text, and a run that returns an exit code. */

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

export interface Command {
  /** One or more words: `sign`, `keys create`. */
  readonly name: string;
  readonly summary: string;
  /** Shown by `fwsign help <verb>` and after a usage error; starts with the synopsis line. */
  readonly usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}
