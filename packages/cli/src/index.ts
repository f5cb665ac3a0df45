export { runCli, findCommand } from './run.js';
export { COMMANDS } from './commands/index.js';
export {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  processIo,
  type CliIo,
  type Command,
} from './command.js';
export {
  UsageError,
  choice,
  integer,
  optionalString,
  parse,
  pathOf,
  requireString,
  strings,
  flag,
  type Options,
  type Parsed,
} from './args.js';
export { writeFileAtomic, writeSecretFile } from './files.js';
