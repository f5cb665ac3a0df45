/** `fwsign` over its whole command table (commands/index.ts). */
import { processIo, type CliIo, type CommandEntry } from './command.js';
import { COMMANDS } from './commands/index.js';
import { findCommand as findIn, runCommands } from './dispatch.js';

export const findCommand = (
  argv: readonly string[],
  commands: readonly CommandEntry[] = COMMANDS,
): ReturnType<typeof findIn> => findIn(argv, commands);

export const runCli = (
  argv: readonly string[],
  io: CliIo = processIo(),
  commands: readonly CommandEntry[] = COMMANDS,
): Promise<number> => runCommands(argv, io, commands);
