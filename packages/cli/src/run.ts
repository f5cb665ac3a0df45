/** Dispatch: the longest command name that prefixes argv wins; errors become messages and exit codes. */
import { EngineError } from '@fwsign/signing-engine';
import { UsageError } from './args.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';

export function findCommand(
  argv: readonly string[],
  commands: readonly Command[] = COMMANDS,
): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
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

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `usage: fwsign <command> [flags]   (fwsign help <command> for its flags)\n\ncommands:\n${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n`;
}

export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[] = COMMANDS,
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
    io.stdout.write(`${helpFor.command.usage}\n`);
    return EXIT_OK;
  }
  const found = findCommand(argv, commands);
  if (!found) {
    io.stderr.write(
      `fwsign: unknown command ${JSON.stringify(
        argv
          .filter((a) => !a.startsWith('-'))
          .slice(0, 2)
          .join(' '),
      )}\n\n${overview(commands)}`,
    );
    return EXIT_USAGE;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.stdout.write(`${found.command.usage}\n`);
    return EXIT_OK;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`fwsign ${found.command.name}: ${err.message}\n${found.command.usage}\n`);
      return EXIT_USAGE;
    }
    const e = err as Error & { code?: string };
    const code =
      (err instanceof EngineError || typeof e.code === 'string') &&
      !e.message.startsWith(String(e.code))
        ? `${e.code}: `
        : '';
    io.stderr.write(`fwsign ${found.command.name}: ${code}${e.message}\n`);
    return EXIT_FAILURE;
  }
}
