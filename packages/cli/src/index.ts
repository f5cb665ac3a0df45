export { runCli, findCommand } from './run.js';
export { COMMANDS } from './commands/index.js';
export {
  AWS_EXIT,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  lazy,
  loadCommand,
  processIo,
  type CliIo,
  type Command,
  type CommandEntry,
  type LazyCommand,
} from './command.js';
export { ConfigError, InputError, describeFailure } from './failure.js';
export { didYouMean, editDistance, nearest } from './suggest.js';
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
