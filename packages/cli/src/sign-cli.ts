/**
 * `fwsign sign` alone: main.ts comes here for `fwsign sign …`, and build.mjs bundles it into one
 * file of its own (dist/fwsign-sign.mjs) with no command table and no chunks shared with other
 * verbs. Signing runs in loops over large images, where each start's module loading shows: one
 * file, no code splitting graph. The dispatch, its errors and the verb share this one bundle, so
 * failures are classified exactly as through the whole table.
 */
import { processIo, type CliIo } from './command.js';
import { sign } from './commands/sign.js';
import { runCommands } from './dispatch.js';

export const runCli = (argv: readonly string[], io: CliIo = processIo()): Promise<number> =>
  runCommands(argv, io, [sign]);
