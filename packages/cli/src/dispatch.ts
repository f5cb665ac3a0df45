/**
 * Dispatch over a given command table: the longest command name that prefixes argv wins, its code
 * is loaded, and what it throws becomes one line and an exit code (failure.ts). It imports no
 * table itself, so a bundle of one verb (sign-cli.ts) carries no other verb.
 */
import { EXIT_OK, EXIT_USAGE, loadCommand, type CliIo, type CommandEntry } from './command.js';
import { describeFailure } from './failure.js';
import { didYouMean } from './suggest.js';

export function findCommand(
  argv: readonly string[],
  commands: readonly CommandEntry[],
): { command: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const c of commands) {
    const words = c.name.split(' ');
    if (
      words.every((w, i) => argv[i] === w) &&
      (!best || words.length > best.name.split(' ').length)
    )
      best = c;
  }
  return best && { command: best, rest: argv.slice(best.name.split(' ').length) };
}

function overview(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `usage: fwsign <command> [flags]   (fwsign help <command> for its flags)\n\ncommands:\n${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary ?? ''}`).join('\n')}\n`;
}

/** "unknown command …; did you mean sign?" for the words the user typed. */
function unknownCommand(argv: readonly string[], commands: readonly CommandEntry[]): string {
  const flagAt = argv.findIndex((a) => a.startsWith('-'));
  const words = argv.slice(0, flagAt < 0 ? 2 : Math.min(2, flagAt));
  const names = commands.map((c) => c.name);
  const hint =
    didYouMean(words.join(' '), names) || (words.length > 1 ? didYouMean(words[0]!, names) : '');
  return `fwsign: unknown command ${JSON.stringify(words.join(' '))}${hint || '; fwsign --help lists the commands'}\n`;
}

export async function runCommands(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CommandEntry[],
): Promise<number> {
  if (
    argv.length === 0 ||
    argv[0] === '--help' ||
    argv[0] === '-h' ||
    (argv[0] === 'help' && argv.length === 1)
  ) {
    (argv.length === 0 ? io.stderr : io.stdout).write(overview(commands));
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  const helpFor = argv[0] === 'help' ? findCommand(argv.slice(1), commands) : undefined;
  if (helpFor) {
    io.stdout.write(`${(await loadCommand(helpFor.command)).usage}\n`);
    return EXIT_OK;
  }
  const found = findCommand(argv[0] === 'help' ? argv.slice(1) : argv, commands);
  if (!found) {
    io.stderr.write(unknownCommand(argv[0] === 'help' ? argv.slice(1) : argv, commands));
    return EXIT_USAGE;
  }
  const command = await loadCommand(found.command);
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT_OK;
  }
  try {
    return await command.run(found.rest, io);
  } catch (err) {
    const f = describeFailure(err, command.aws === true);
    io.stderr.write(`fwsign ${command.name}: ${f.line}\n${f.usage ? `${command.usage}\n` : ''}`);
    return f.exit;
  }
}
